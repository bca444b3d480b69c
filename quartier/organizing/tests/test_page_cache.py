"""No cache ever serves what is private or stale: attendee-only addresses, signed-in pages, places left.

Each test runs with the local-memory cache of the default settings and, when `QUARTIER_TEST_REDIS` is a
redis:// URL, again with the Redis cache and `cached_db` sessions that production uses: whatever the
hot pages cache (whole anonymous pages, fragments), a visitor gets only what they may see, as fresh as
the database.
"""

from __future__ import annotations

import os
from urllib.parse import urlencode

import pytest
from django.test import Client

from quartier.organizing import actions
from quartier.organizing.models import Event
from quartier.testing import client_for

REDIS_URL = os.environ.get("QUARTIER_TEST_REDIS", "")
SIGNED_IN_MARKER = "/accounts/logout/"
ATTENDEE_ADDRESS = "4520 avenue Christophe-Colomb"

pytestmark = pytest.mark.django_db


@pytest.fixture(
    params=[
        "locmem",
        pytest.param(
            "redis",
            marks=pytest.mark.skipif(not REDIS_URL, reason="QUARTIER_TEST_REDIS (a redis:// URL) is not set"),
        ),
    ]
)
def page_cache(request, settings):
    if request.param == "redis":
        settings.CACHES = {
            "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        }
        settings.SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
    from django.core.cache import cache

    cache.clear()
    yield request.param
    cache.clear()


def hot_paths(event: Event, group_slug: str, handle: str) -> list[str]:
    search = urlencode({"near": "H2T 1A1", "country": "CA", "within": 25})
    return [
        "/",
        f"/events/?{search}",
        event.get_absolute_url(),
        f"/groups/?{search}",
        f"/groups/{group_slug}/",
        f"/people/{handle}/",
    ]


def test_an_attendee_only_address_reaches_attendees_only_whoever_came_first(
    page_cache, make_event, host, supporter, other_supporter
):
    event = make_event(host, address=ATTENDEE_ADDRESS, address_visibility=Event.AddressVisibility.ATTENDEES)
    actions.rsvp(supporter=supporter, shift=event.shifts.get())
    path = event.get_absolute_url()

    before = Client().get(path).content.decode()
    attendee = client_for(supporter).get(path).content.decode()
    after = [Client().get(path).content.decode(), client_for(other_supporter).get(path).content.decode()]

    assert ATTENDEE_ADDRESS not in before
    assert ATTENDEE_ADDRESS in attendee
    assert [ATTENDEE_ADDRESS in page for page in after] == [False, False]


def test_a_signed_in_page_is_never_served_to_anyone_else(
    page_cache, make_event, make_group, host, leader, supporter, other_supporter
):
    paths = hot_paths(make_event(host), make_group(leader).slug, other_supporter.handle)

    signed_in = {path: client_for(supporter).get(path).content.decode() for path in paths}
    anonymous = {path: Client().get(path) for path in paths}
    other = {path: client_for(other_supporter).get(path).content.decode() for path in paths}
    supporters_link = f'href="/people/{supporter.handle}/"'

    assert {path: response.status_code for path, response in anonymous.items()} == dict.fromkeys(paths, 200)
    assert [
        path
        for path, page in signed_in.items()
        if SIGNED_IN_MARKER not in page or supporters_link not in page
    ] == []
    assert [
        path for path, response in anonymous.items() if SIGNED_IN_MARKER in response.content.decode()
    ] == []
    assert [
        path for path, page in other.items() if SIGNED_IN_MARKER not in page or supporters_link in page
    ] == []


def test_places_left_are_fresh_on_the_very_next_request(page_cache, make_event, host, supporter):
    event = make_event(host, capacity=10)
    path = event.get_absolute_url()
    visitor = Client()

    before = visitor.get(path).content.decode()
    actions.rsvp(supporter=supporter, shift=event.shifts.get())
    after = visitor.get(path).content.decode()

    assert "10 places left" in before
    assert "9 places left" in after
    assert "10 places left" not in after
