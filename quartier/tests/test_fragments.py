"""`cached_fragment`: the shared part of a signed-in page is rendered once, served again while its stamps
hold, rendered afresh after a bump, never stored when a stamp moved during the request, and kept apart
per name, language and time zone."""

from __future__ import annotations

import os
import time

import pytest
from django.core.cache import cache
from django.test import RequestFactory
from django.utils import timezone, translation

from quartier.lib import page_cache


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def bump_now(name: str) -> None:
    """A committed write's bump (`bump` itself waits for the commit of a transaction these tests lack)."""
    cache.set(page_cache.STAMP_PREFIX + name, page_cache._new_stamp(), timeout=None)


def request_started(moment: float | None = None):
    request = RequestFactory().get("/events/1/")
    request._started = time.time() if moment is None else moment
    return request


class Renderer:
    def __init__(self) -> None:
        self.calls = 0

    def __call__(self) -> str:
        self.calls += 1
        return f"<p>render {self.calls}</p>"


def fragment(request, render, name="event:1:supporter"):
    return page_cache.cached_fragment(request, name, render, depends_on=lambda: ["event:1"])


def test_second_request_is_served_from_the_cache_until_a_bump():
    render = Renderer()
    bump_now("event:1")
    time.sleep(0.01)
    started = time.time() + 5  # well after the bump, beyond the settle time
    assert fragment(request_started(started), render) == "<p>render 1</p>"
    assert fragment(request_started(started), render) == "<p>render 1</p>"
    assert render.calls == 1
    bump_now("event:1")
    assert fragment(request_started(time.time() + 5), render) == "<p>render 2</p>"
    assert render.calls == 2


def test_not_stored_when_a_stamp_moved_after_the_request_began():
    render = Renderer()
    started = time.time() - 5
    bump_now("event:1")  # a write committed while this request rendered
    fragment(request_started(started), render)
    fragment(request_started(started), render)
    assert render.calls == 2


def test_a_request_that_did_not_pass_the_middleware_is_never_stored():
    render = Renderer()
    request = RequestFactory().get("/events/1/")
    fragment(request, render)
    fragment(request, render)
    assert render.calls == 2


def test_kept_apart_per_name_language_and_time_zone():
    render = Renderer()
    started = time.time() + 5
    fragment(request_started(started), render, name="event:1:supporter")
    fragment(request_started(started), render, name="event:1:host")
    with translation.override("fr"):
        fragment(request_started(started), render)
    with timezone.override("Europe/Paris"):
        fragment(request_started(started), render)
    assert render.calls == 4
    fragment(request_started(started), render)
    assert render.calls == 4


def test_the_csrf_token_is_the_viewers_own():
    token_a, token_b = "a" * 64, "b" * 64
    started = time.time() + 5

    def form():
        return f'<input type="hidden" name="csrfmiddlewaretoken" value="{token_a}">'

    first = page_cache.cached_fragment(request_started(started), "form", form)
    assert token_a in first
    second_request = request_started(started)
    second_request.META["CSRF_COOKIE"] = token_b
    second = page_cache.cached_fragment(second_request, "form", form)
    assert token_a not in second
    assert 'name="csrfmiddlewaretoken" value="' in second


REDIS_URL = os.environ.get("QUARTIER_TEST_REDIS", "")


@pytest.fixture(
    params=[
        "locmem",
        pytest.param(
            "redis", marks=pytest.mark.skipif(not REDIS_URL, reason="QUARTIER_TEST_REDIS is not set")
        ),
    ]
)
def any_cache(request, settings):
    """The local-memory cache, and Redis (where `_add_many` takes one round trip) when given."""
    if request.param == "redis":
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        }
    cache.clear()
    yield request.param
    cache.clear()


def test_missing_stamps_are_made_as_bumped_long_ago_and_never_over_a_bump(any_cache):
    bump_now("event:2")
    bumped = cache.get(page_cache.STAMP_PREFIX + "event:2")
    stamps = page_cache._current_stamps(["event:1", "event:2", "event:3"])

    assert stamps["event:2"] == bumped
    assert stamps["event:1"][0] == stamps["event:3"][0] == 0.0
    assert page_cache._current_stamps(["event:3", "event:1"]) == {
        "event:1": stamps["event:1"],
        "event:3": stamps["event:3"],
    }
    made_meanwhile = page_cache.STAMP_PREFIX + "event:4"  # by another process, between read and add
    cache.set(made_meanwhile, (5.0, 1), timeout=None)
    fresh = page_cache.STAMP_PREFIX + "event:5"
    assert page_cache._add_many({made_meanwhile: (0.0, 2), fresh: (0.0, 3)}) == {fresh: (0.0, 3)}
    assert cache.get(made_meanwhile) == (5.0, 1)
    assert cache.get(fresh) == (0.0, 3)
