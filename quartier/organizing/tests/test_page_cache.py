"""No cache ever serves what is private or stale: attendee-only addresses, signed-in pages, places left.

Each test runs with the local-memory cache of the default settings and, when `QUARTIER_TEST_REDIS` is a
redis:// URL, again with the Redis cache and `cached_db` sessions that production uses: whatever the
hot pages cache (whole anonymous pages, fragments), a visitor gets only what they may see, as fresh as
the database.
"""

from __future__ import annotations

import os
import re
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.test import Client

from quartier.organizing.actions import groups as groups_actions
from quartier.organizing.actions import rsvps as rsvps_actions
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
    rsvps_actions.rsvp(supporter=supporter, shift=event.shifts.get())
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


def test_places_left_are_fresh_on_the_very_next_request(
    page_cache, make_event, host, supporter, django_capture_on_commit_callbacks
):
    event = make_event(host, capacity=10)
    path = event.get_absolute_url()
    visitor = Client()

    before = visitor.get(path).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        rsvps_actions.rsvp(supporter=supporter, shift=event.shifts.get())
    after = visitor.get(path).content.decode()

    assert "10 places left" in before
    assert "9 places left" in after
    assert "10 places left" not in after


def nonces_of(response) -> tuple[set[str], set[str]]:
    """(the nonces on the page's scripts, the nonces its Content-Security-Policy header allows)."""
    return (
        set(re.findall(r'nonce="([^"]+)"', response.content.decode())),
        set(re.findall(r"'nonce-([^']+)'", response["Content-Security-Policy"])),
    )


def test_an_anonymous_page_is_served_from_the_cache_with_a_fresh_nonce_matching_its_header(
    page_cache, make_event, host, other_supporter
):
    paths = ["/", make_event(host).get_absolute_url(), f"/people/{other_supporter.handle}/"]

    first = {path: Client().get(path) for path in paths}
    again = {path: Client().get(path) for path in paths}

    assert [path for path, response in first.items() if not response.templates] == []
    assert [path for path, response in again.items() if response.templates] == []  # not rendered
    for path in paths:
        first_scripts, first_header = nonces_of(first[path])
        again_scripts, again_header = nonces_of(again[path])
        assert len(again_scripts) == 1
        assert again_scripts == again_header
        assert first_scripts == first_header
        assert again_scripts != first_scripts


def test_a_cached_anonymous_page_carries_a_csrf_token_that_a_post_accepts(page_cache, make_event, host):
    path = make_event(host).get_absolute_url()
    Client().get(path)  # fills the cache
    visitor = Client(enforce_csrf_checks=True)

    page = visitor.get(path)
    tokens = set(re.findall(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()))
    switched = visitor.post(
        "/i18n/setlang/", {"csrfmiddlewaretoken": tokens.pop(), "language": "fr", "next": path}
    )

    assert page.templates == []
    assert tokens == set()  # one token, in every form of the page
    assert switched.status_code == 302
    assert visitor.cookies["django_language"].value == "fr"
    assert "<%" not in page.content.decode()


def test_a_visitor_with_a_session_or_a_time_zone_gets_their_own_page(page_cache, make_event, host):
    event = make_event(host, is_virtual=True, latitude=None, longitude=None, address="", venue="")
    path = event.get_absolute_url()
    Client().get(path)  # fills the cache for visitors with no session and no time zone
    with_session = Client()
    session = with_session.session
    session["referral_code"] = "abc"
    session.save()
    in_paris = Client()
    in_paris.cookies["quartier_tz"] = "Europe/Paris"

    session_page = with_session.get(path)
    paris_page = in_paris.get(path).content.decode()
    paris_again = in_paris.get(path)

    assert session_page.templates != []
    assert "Paris" in paris_page
    assert "Toronto" not in paris_page
    assert paris_again.templates == []  # Paris has its own copy
    assert "Paris" in paris_again.content.decode()


def test_a_member_who_hides_from_the_list_leaves_the_cached_group_page_at_once(
    page_cache, group, member, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        groups_actions.set_listed(membership=group.memberships.get(supporter=member), is_listed=True)
    path = group.get_absolute_url()

    listed = Client().get(path)
    cached = Client().get(path)
    with django_capture_on_commit_callbacks(execute=True):
        groups_actions.set_listed(membership=group.memberships.get(supporter=member), is_listed=False)
    hidden = Client().get(path)

    assert listed.templates != []
    assert cached.templates == []
    assert member.display_name in listed.content.decode()
    assert member.display_name in cached.content.decode()
    assert member.display_name not in hidden.content.decode()


def test_a_search_is_served_from_the_cache_until_what_it_lists_changes(
    page_cache, make_event, make_group, host, django_capture_on_commit_callbacks
):
    make_event(host, title="Porte-à-porte")
    make_group(host, name="Plateau pour le climat")
    search = urlencode({"near": "H2T 1A1", "country": "CA", "within": 25})
    paths = [f"/events/?{search}", f"/groups/?{search}"]

    first = {path: Client().get(path) for path in paths}
    again = {path: Client().get(path) for path in paths}
    with django_capture_on_commit_callbacks(execute=True):
        make_event(host, title="Porte-à-porte au Plateau", starts_in=timedelta(days=4))
        make_group(host, name="Mile End en transition")
    after = {path: Client().get(path) for path in paths}

    assert [path for path, response in first.items() if not response.templates] == []
    assert [path for path, response in again.items() if response.templates] == []
    assert "Porte-à-porte au Plateau" in after[paths[0]].content.decode()
    assert "Mile End en transition" in after[paths[1]].content.decode()
    assert "Plateau pour le climat" in after[paths[1]].content.decode()
