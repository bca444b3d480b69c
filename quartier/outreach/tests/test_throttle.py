"""The per-provider limit holds across workers while slots are taken in blocks."""

from __future__ import annotations

import time

import pytest
from django.core.cache import cache

from quartier.outreach import throttle


@pytest.fixture
def frozen_second(monkeypatch):
    """Time stands at the start of a second; sleeping moves it to the next one."""
    clock = {"now": 1_000_000.0}
    monkeypatch.setattr(time, "time", lambda: clock["now"])
    monkeypatch.setattr(time, "sleep", lambda seconds: clock.update(now=clock["now"] + max(seconds, 0.001)))
    throttle._taken.__dict__.clear()
    cache.clear()
    return clock


def test_a_second_never_holds_more_than_the_limit_and_the_rest_waits(settings, frozen_second):
    settings.OUTREACH_MAX_PER_SECOND = 25
    seconds = []
    for _ in range(60):
        throttle.wait_for_slot()
        seconds.append(int(frozen_second["now"]))
    per_second = {second: seconds.count(second) for second in set(seconds)}
    assert per_second == {1_000_000: 25, 1_000_001: 25, 1_000_002: 10}


def test_two_workers_share_the_limit(settings, frozen_second):
    settings.OUTREACH_MAX_PER_SECOND = 15
    throttle.wait_for_slot()  # worker A takes a block of 10
    other = throttle._taken.__dict__.copy()
    throttle._taken.__dict__.clear()  # worker B: its own slots, the same counter
    for _ in range(5):
        throttle.wait_for_slot()
    assert int(frozen_second["now"]) == 1_000_000  # B got the 5 left this second
    throttle.wait_for_slot()
    assert int(frozen_second["now"]) == 1_000_001  # and waits for the next one
    assert other["left"] == 9


def test_a_block_is_one_cache_round_trip(settings, frozen_second, monkeypatch):
    settings.OUTREACH_MAX_PER_SECOND = 100
    calls = []
    incr = cache.incr
    monkeypatch.setattr(cache, "incr", lambda *args, **kwargs: calls.append(args) or incr(*args, **kwargs))
    for _ in range(30):
        throttle.wait_for_slot()
    assert len(calls) == 3
