"""Promises no other test held (issue 13): who sees an attendee-only address, an exact map pin,
a join link and a personal calendar feed. Each test here fails with the one-line bug named in
`mutants/bugs.py` and passes without it. Run `make mutants` to check they still do."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from quartier.accounts import actions as account_actions
from quartier.accounts.models import Supporter
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import CalendarFeed
from quartier.organizing.tests.attendees import ADDRESS, ics_locations, one_of_each_status, private_event
from quartier.testing import client_for

# 1. The attendee-only address on the event page ----------------------------------------------------


@pytest.mark.django_db
def test_only_a_confirmed_attendee_sees_the_attendee_only_address_on_the_event_page(
    make_event, host, make_supporter
):
    event = private_event(make_event, host, capacity=1)
    people = one_of_each_status(make_supporter, event.shifts.get())

    pages = {status: client_for(person).get(event.get_absolute_url()) for status, person in people.items()}

    assert {status: ADDRESS in page.content.decode() for status, page in pages.items()} == {
        "confirmed": True, "waitlisted": False, "cancelled": False,
    }  # fmt: skip
    assert "the full address is shown once you RSVP" in pages["waitlisted"].content.decode()


# 2. The attendee-only address in the event's .ics --------------------------------------------------


@pytest.mark.django_db
def test_the_event_ics_gives_the_attendee_only_address_to_confirmed_attendees_and_hosts_only(
    make_event, host, make_supporter, other_supporter
):
    event = private_event(make_event, host, capacity=1)
    people = one_of_each_status(make_supporter, event.shifts.get())
    url = reverse("organizing:event_ics", args=[event.pk])

    locations = {
        name: ics_locations(client_for(person).get(url).content)
        for name, person in {**people, "signed-in visitor": other_supporter, "host": host}.items()
    }
    locations["anonymous"] = ics_locations(Client().get(url).content)

    full = f"Café Olimpico, {ADDRESS}, Montréal"
    assert locations == {
        "confirmed": [full], "waitlisted": ["Montréal"], "cancelled": ["Montréal"],
        "signed-in visitor": ["Montréal"], "host": [full], "anonymous": ["Montréal"],
    }  # fmt: skip


# 3. The map pin of an attendee-only event ---------------------------------------------------------


@pytest.mark.django_db
def test_the_map_pin_of_an_attendee_only_event_is_approximate_except_for_attendees(
    make_event, host, supporter, other_supporter
):
    event = private_event(make_event, host)
    rsvps_actions.rsvp(supporter=supporter, shift=event.shifts.get())

    for_outsider = client_for(other_supporter).get(event.get_absolute_url())
    for_attendee = client_for(supporter).get(event.get_absolute_url())
    in_search = Client().get(reverse("organizing:events"), {"near": "45.52,-73.58", "within": "25"})

    assert [(p["lat"], p["lon"]) for p in for_outsider.context["map_points"]] == [(45.52, -73.58)]
    assert [(p["lat"], p["lon"]) for p in in_search.context["map_points"]] == [(45.52, -73.58)]
    assert "45.5234" not in for_outsider.content.decode() and "45.5234" not in in_search.content.decode()
    assert [(p["lat"], p["lon"]) for p in for_attendee.context["map_points"]] == [(45.52346, -73.58123)]


# 7. Deleting an account removes the personal calendar feed ----------------------------------------


@pytest.mark.django_db
def test_deleting_an_account_removes_its_calendar_feed(supporter, event, shift):
    rsvps_actions.rsvp(supporter=supporter, shift=shift)
    token = CalendarFeed.objects.create(supporter=supporter).token
    assert Client().get(reverse("organizing:calendar_feed", args=[token])).status_code == 200

    account_actions.delete_account(supporter=supporter)

    assert not CalendarFeed.objects.filter(supporter=supporter).exists()
    assert not CalendarFeed.objects.filter(token=token).exists()
    assert Client().get(reverse("organizing:calendar_feed", args=[token])).status_code == 404


# 11. A new calendar address retires the old one ---------------------------------------------------


@pytest.mark.django_db
def test_a_new_calendar_address_stops_the_old_one_working(supporter, event, shift):
    rsvps_actions.rsvp(supporter=supporter, shift=shift)
    old = CalendarFeed.objects.create(supporter=supporter).token
    client = client_for(supporter)

    response = client.post(reverse("organizing:reset_calendar_feed"))

    new = CalendarFeed.objects.get(supporter=supporter).token
    assert response.status_code == 302
    assert new != old
    assert Client().get(reverse("organizing:calendar_feed", args=[old])).status_code == 404
    assert Client().get(reverse("organizing:calendar_feed", args=[new])).status_code == 200


# Issue 12, item 10: the personal feed of a waitlisted person --------------------------------------


@pytest.mark.django_db
def test_the_personal_feed_gives_the_attendee_only_address_to_confirmed_attendees_and_hosts_only(
    make_event, host, make_supporter
):
    event = private_event(make_event, host, capacity=1)
    people = one_of_each_status(make_supporter, event.shifts.get())

    def feed(person: Supporter) -> bytes:
        token = CalendarFeed.objects.get_or_create(supporter=person)[0].token
        return Client().get(reverse("organizing:calendar_feed", args=[token])).content

    full = f"Café Olimpico, {ADDRESS}, Montréal"
    assert {name: ics_locations(feed(person)) for name, person in {**people, "host": host}.items()} == {
        "confirmed": [full], "waitlisted": ["Montréal"], "cancelled": [], "host": [full],
    }  # fmt: skip
    waitlisted_feed = Calendar.from_ical(feed(people["waitlisted"]))
    assert [entry.get("geo") for entry in waitlisted_feed.walk("VEVENT")] == [None]


@pytest.mark.django_db
def test_the_personal_feed_gives_the_join_link_of_an_online_event_to_confirmed_attendees_only(
    make_event, host, make_supporter
):
    event = make_event(
        host, capacity=1, is_virtual=True, join_url="https://meet.example.org/secret-room", venue="", address="",
        latitude=None, longitude=None,
    )  # fmt: skip
    people = one_of_each_status(make_supporter, event.shifts.get())

    def feed(person: Supporter) -> str:
        token = CalendarFeed.objects.get_or_create(supporter=person)[0].token
        return Client().get(reverse("organizing:calendar_feed", args=[token])).content.decode()

    assert "secret-room" in feed(people["confirmed"])
    assert "secret-room" not in feed(people["waitlisted"])
    assert timezone.now() < event.starts_at


@pytest.mark.django_db
def test_the_calendar_feed_of_a_deactivated_account_answers_nothing(supporter, event, shift):
    rsvps_actions.rsvp(supporter=supporter, shift=shift)
    token = CalendarFeed.objects.create(supporter=supporter).token
    Supporter.objects.filter(pk=supporter.pk).update(is_active=False)

    response = Client().get(reverse("organizing:calendar_feed", args=[token]))

    assert response.status_code == 404
    assert event.title not in response.content.decode()


@pytest.mark.django_db
def test_each_calendar_address_is_a_long_random_secret(make_supporter):
    tokens = [CalendarFeed.objects.create(supporter=make_supporter(f"P{n}")).token for n in range(5)]

    assert len(set(tokens)) == 5
    assert all(len(token) >= 32 for token in tokens)
