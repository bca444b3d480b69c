from __future__ import annotations

import pytest

from quartier.api import limits
from quartier.api.models import Tag

TAGS = "/api/osdi/v1/tags"


@pytest.fixture
def small_limits(settings):
    settings.API_READS_PER_WINDOW = 3
    settings.API_WRITES_PER_WINDOW = 2
    settings.API_RATE_WINDOW_SECONDS = 60


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
