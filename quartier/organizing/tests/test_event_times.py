"""Online events show times in the viewer's zone, labelled with its city; in-person events their own."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.template import Context, Template
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.testing import client_for

PARIS = ZoneInfo("Europe/Paris")
TORONTO = ZoneInfo("America/Toronto")


@pytest.fixture
def webinar(make_event, host):
    return make_event(
        host, title="Online training", is_virtual=True, join_url="https://meet.example.org/x", latitude=None,
        longitude=None, postal_code="", town="", venue="", address="", starts_in=until(2031, 3, 4, 19),
    )  # fmt: skip


def until(year: int, month: int, day: int, hour: int) -> timedelta:
    """How long from now until that hour in Toronto (`make_event` starts its events that far ahead)."""
    return datetime(year, month, day, hour, 0, tzinfo=TORONTO) - timezone.now()


def visitor(zone: str | None = None, language: str = "en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    if zone:
        client.cookies["quartier_tz"] = zone.replace("/", "%2F")
    return client


def test_an_online_event_shows_its_time_in_the_viewer_zone_named_by_city(webinar):
    page = visitor("Europe/Paris").get(webinar.get_absolute_url()).content.decode()

    assert "Wednesday 5 March 2031, 01:00 – 03:00" in page  # 19:00 in Toronto is 01:00 in Paris
    assert "Paris time" in page
    assert "Europe/Paris" not in page.replace('"Europe/Paris"', "")
    assert "America/Toronto" not in page


def test_an_online_event_shows_the_event_zone_when_the_browser_said_nothing(webinar):
    page = visitor().get(webinar.get_absolute_url()).content.decode()

    assert "Tuesday 4 March 2031, 19:00 – 21:00" in page
    assert "Toronto time" in page and "America/Toronto" not in page


def test_a_zone_name_the_server_does_not_know_is_ignored(webinar):
    page = visitor("Mars/Olympus_Mons").get(webinar.get_absolute_url()).content.decode()

    assert "Toronto time" in page


def test_a_french_page_says_heure_de(webinar):
    page = visitor("America/Montreal", language="fr").get(webinar.get_absolute_url()).content.decode()

    assert "heure de Montréal" in page


def test_an_in_person_event_keeps_its_own_local_time_whatever_the_viewer_zone(make_event, host):
    event = make_event(host, starts_in=until(2031, 3, 4, 10))

    page = visitor("Europe/Paris").get(event.get_absolute_url()).content.decode()

    assert "Tuesday 4 March 2031, 10:00 – 12:00" in page
    assert "Toronto time" in page


def test_search_cards_show_online_times_in_the_viewer_zone(webinar):
    page = visitor("Europe/Paris").get(reverse("organizing:events"), {"online": "yes"}).content.decode()

    assert "Wednesday 5 March, 01:00 · Paris time" in page


def test_the_event_page_has_one_when_line_summarising_its_shifts(make_event, host):
    event = make_event(host, shifts=3, starts_in=until(2031, 3, 4, 9))

    page = visitor().get(event.get_absolute_url()).content.decode()

    assert page.count('class="event-when-line"') == 1
    assert "Tuesday 4 March 2031, 09:00 – 17:00" in page
    assert "3 shifts" in page


def test_each_shift_is_listed_once_on_the_event_page(make_event, host, supporter):
    event = make_event(host, shifts=3, starts_in=until(2031, 3, 4, 9))
    first, second, third = event.shifts.order_by("starts_at")
    rsvps_actions.rsvp(supporter=supporter, shift=first)

    for client in (visitor(), client_for(supporter)):
        page = client.get(event.get_absolute_url()).content.decode()
        for hours in ("09:00 – 11:00", "12:00 – 14:00", "15:00 – 17:00"):
            assert page.count(hours) == 1, hours
    page = client_for(supporter).get(event.get_absolute_url()).content.decode()
    assert f'name="shift" value="{first.pk}"' not in page  # already taken: listed with its Cancel button
    assert f'name="shift" value="{second.pk}"' in page and f'name="shift" value="{third.pk}"' in page
    assert "Cancel my RSVP" in page
    assert page.count("10 places left") == 2


def test_templates_can_name_a_zone_by_its_city():
    template = Template("{% load event_times %}{{ zone|zone_label }}")

    with translation.override("fr"):
        assert template.render(Context({"zone": "America/Vancouver"})) == "heure de Vancouver"
