"""Dates people type stay inside a sane range: none reaches the end of the calendar (year 10000 UTC)."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse

from quartier.organizing.forms import latest_event_date
from quartier.organizing.models import Event, Shift
from quartier.organizing.tests.test_events import event_form
from quartier.testing import client_for

pytestmark = pytest.mark.django_db

PARIS = ZoneInfo("Europe/Paris")
OUT_OF_RANGE = "Choose a date between 2000-01-01 and"


@pytest.mark.parametrize(
    "changes",
    [
        {"shifts-1-starts_at": "9999-12-31T22:00", "shifts-1-ends_at": "9999-12-31T23:59"},
        {"shifts-1-ends_at": "9999-12-31T23:59"},
        {"shifts-0-starts_at": "1000-01-01T10:00", "shifts-0-ends_at": "1000-01-01T12:00"},
        {"shifts-1-starts_at": "2200-06-01T10:00", "shifts-1-ends_at": "2200-06-01T12:00"},
    ],
)
def test_a_shift_at_the_end_of_the_calendar_is_refused_and_nothing_is_saved(supporter, changes):
    response = client_for(supporter).post(reverse("organizing:event_create"), event_form(**changes))

    assert response.status_code == 400
    assert OUT_OF_RANGE in response.content.decode()
    assert "Parc Lahaie" in response.content.decode()
    assert Event.objects.count() == 0 and Shift.objects.count() == 0


def test_editing_a_shift_to_the_year_9999_is_refused_and_changes_nothing(event, host):
    shift = event.shifts.get()
    before = (shift.starts_at, shift.ends_at)

    response = client_for(host).post(
        reverse("organizing:event_edit", args=[event.pk]),
        event_form(**{
            "shifts-TOTAL_FORMS": "1", "shifts-INITIAL_FORMS": "1", "shifts-0-id": str(shift.pk),
            "shifts-0-ends_at": "9999-12-31T23:59",
        }),
    )  # fmt: skip

    assert response.status_code == 400
    assert OUT_OF_RANGE in response.content.decode()
    shift.refresh_from_db()
    assert (shift.starts_at, shift.ends_at) == before


@pytest.mark.parametrize("starts_at", ["9999-12-31T23:59", "9999-12-31T00:00", "2300-01-01T10:00"])
def test_duplicating_an_event_to_the_end_of_the_calendar_is_refused(event, host, starts_at):
    response = client_for(host).post(
        reverse("organizing:event_duplicate", args=[event.pk]), {"starts_at": starts_at}, follow=True
    )

    assert response.status_code == 200
    assert [str(m) for m in response.context["messages"]] == [
        f"Give a valid date and time for the copy. {OUT_OF_RANGE} {latest_event_date().isoformat()}."
    ]
    assert Event.objects.count() == 1


@pytest.mark.parametrize(
    "query",
    [
        {"date_to": "9999-12-31"},
        {"date_from": "9999-12-31"},
        {"date_from": "0001-01-01", "date_to": "9999-12-31"},
        {"date_from": "1900-01-01"},
    ],
)
def test_searching_with_dates_at_the_ends_of_the_calendar_explains_the_range(event, query):
    response = client_for(None).get(reverse("organizing:events"), query)

    assert response.status_code == 200
    assert "Choose a date between 2000-01-01 and 2100-12-31." in response.content.decode()
    assert event.title not in response.content.decode()


def test_searching_within_the_range_still_finds_the_event(event):
    response = client_for(None).get(
        reverse("organizing:events"), {"date_from": "2000-01-01", "date_to": "2100-12-31"}
    )

    assert response.status_code == 200
    assert event.title in response.content.decode()


def test_an_unlisted_time_zone_is_refused_with_the_data_kept(supporter):
    for zone in ["Mars/Olympus_Mons", "../../etc/passwd", "Europe/London\x00"]:
        response = client_for(supporter).post(reverse("organizing:event_create"), event_form(time_zone=zone))

        assert response.status_code == 400
        assert "Select a valid choice." in response.content.decode()
        assert "Parc Lahaie" in response.content.decode()
    assert Event.objects.count() == 0


def test_an_unlisted_time_zone_on_edit_changes_nothing(event, host):
    response = client_for(host).post(
        reverse("organizing:event_edit", args=[event.pk]), event_form(time_zone="Nowhere/Atlantis")
    )

    assert response.status_code == 400
    event.refresh_from_db()
    assert event.time_zone == "America/Toronto" and event.title == "Door-knocking in Mile End"


def test_shift_times_are_read_in_the_events_own_time_zone(supporter):
    response = client_for(supporter).post(
        reverse("organizing:event_create"),
        event_form(**{"time_zone": "Europe/Paris", "shifts-TOTAL_FORMS": "1",
                      "shifts-0-starts_at": "2027-03-10T10:00", "shifts-0-ends_at": "2027-03-10T12:00"}),
    )  # fmt: skip

    assert response.status_code == 302
    shift = Event.objects.get().shifts.get()
    assert shift.starts_at == datetime(2027, 3, 10, 10, tzinfo=PARIS)


def test_a_copy_starts_at_the_time_typed_in_the_events_own_time_zone(make_event, host):
    event = make_event(host, time_zone="Europe/Paris")

    client_for(host).post(
        reverse("organizing:event_duplicate", args=[event.pk]), {"starts_at": "2027-03-10T10:00"}
    )

    copy = Event.objects.exclude(pk=event.pk).get()
    assert copy.starts_at == datetime(2027, 3, 10, 10, tzinfo=PARIS)
