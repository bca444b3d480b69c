from __future__ import annotations

import os
import threading

import pytest

from quartier.api import limits
from quartier.api.models import Tag

TAGS = "/api/osdi/v1/tags"
REDIS_URL = os.environ.get("QUARTIER_TEST_REDIS", "")


@pytest.fixture(
    params=[
        "locmem",
        pytest.param(
            "redis",
            marks=pytest.mark.skipif(not REDIS_URL, reason="QUARTIER_TEST_REDIS (a redis:// URL) is not set"),
        ),
    ]
)
def small_limits(request, settings):
    """Small limits, counted in the local-memory cache and (when given) in Redis, as in production."""
    if request.param == "redis":
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        }
    settings.API_READS_PER_WINDOW = 3
    settings.API_WRITES_PER_WINDOW = 2
    settings.API_RATE_WINDOW_SECONDS = 60
    from django.core.cache import cache

    cache.clear()
    yield request.param
    cache.clear()


def test_reads_past_the_limit_get_a_429_with_retry_after(small_limits, make_key):
    _key, client = make_key("tags:write")
    assert [client.get(TAGS).status_code for _ in range(3)] == [200, 200, 200]
    response = client.get(TAGS)
    assert response.status_code == 429
    assert response["Content-Type"].startswith("application/json")
    assert 1 <= int(response["Retry-After"]) <= 60
    assert response.json()["error"] == "rate_limited"


def test_writes_are_counted_apart_from_reads(small_limits, make_key):
    _key, client = make_key("tags:write")
    for _ in range(3):
        client.get(TAGS)
    assert client.get(TAGS).status_code == 429
    assert client.post(TAGS, {"name": "a"}).status_code == 201
    assert client.post(TAGS, {"name": "b"}).status_code == 201
    refused = client.post(TAGS, {"name": "c"})
    assert refused.status_code == 429
    assert "Retry-After" in refused
    assert sorted(Tag.objects.values_list("name", flat=True)) == ["a", "b"]


def test_each_key_has_its_own_limit(small_limits, make_key):
    _first, first_client = make_key("tags:read")
    _second, second_client = make_key("tags:read", name="Other client")
    for _ in range(3):
        first_client.get(TAGS)
    assert first_client.get(TAGS).status_code == 429
    assert second_client.get(TAGS).status_code == 200


def test_a_new_window_starts_afresh(small_limits, db):
    for _ in range(3):
        assert limits.hit(7, write=False, now=120.0).allowed
    verdict = limits.hit(7, write=False, now=150.0)
    assert not verdict.allowed
    assert verdict.retry_after == 30
    assert limits.hit(7, write=False, now=181.0).allowed


def test_requests_at_once_never_pass_the_limit_together(small_limits, settings):
    settings.API_READS_PER_WINDOW = 20
    verdicts: list[bool] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def burst() -> None:
        barrier.wait()
        for _ in range(10):
            allowed = limits.hit(99, write=False, now=1_000_000.0).allowed
            with lock:
                verdicts.append(allowed)

    threads = [threading.Thread(target=burst) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert verdicts.count(True) == 20
    assert len(verdicts) == 80
