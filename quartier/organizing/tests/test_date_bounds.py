"""Dates people type stay inside a sane range: none reaches the end of the calendar (year 10000 UTC)."""

from __future__ import annotations

from datetime import datetime
from importlib import import_module
from zoneinfo import ZoneInfo

import pytest
from django.db import DataError, connection, transaction
from django.urls import reverse

from quartier.organizing.admin import EventAdmin, ShiftAdminForm
from quartier.organizing.forms.fields import latest_event_date
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


def test_the_repair_migration_cancels_events_stored_beyond_year_9999_and_pages_answer_again(event, host):
    """PostgreSQL stores a year-10000 UTC time it cannot give back; the repair brings it back in range.

    SQLite never stores one (Python converts to UTC first and fails), so there the repair must leave
    every row as it was.
    """
    repair = import_module("quartier.organizing.migrations.0006_repair_times_beyond_year_9999").repair
    shift = event.shifts.get()
    before = (shift.starts_at, shift.ends_at, event.status)
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE organizing_shift SET ends_at = '10000-01-01 04:59:00+00' WHERE id = %s", [shift.pk]
            )
            cursor.execute(
                "UPDATE organizing_event SET ends_at = '10000-01-01 04:59:00+00' WHERE id = %s", [event.pk]
            )
        with pytest.raises(DataError, match="after year 10K"), transaction.atomic():
            Shift.objects.get(pk=shift.pk)

    repair(None, type("Editor", (), {"connection": connection})())

    shift.refresh_from_db()
    event.refresh_from_db()
    if connection.vendor == "postgresql":
        assert event.status == Event.Status.CANCELLED
        assert shift.starts_at == before[0] and shift.ends_at.year == 9999 and shift.ends_at > shift.starts_at
        assert event.ends_at.year == 9999
    else:
        assert (shift.starts_at, shift.ends_at, event.status) == before
    assert client_for(host).get(event.get_absolute_url()).status_code == 200
    assert client_for(host).get(reverse("organizing:my_events")).status_code == 200
    assert client_for(None).get(reverse("organizing:events"), {"near": "H2T 1A1"}).status_code == 200


@pytest.mark.parametrize("field", ["starts_at", "ends_at"])
def test_the_admin_refuses_a_shift_time_at_the_end_of_the_calendar_too(field):
    data = {
        "starts_at": "2027-03-01 10:00",
        "ends_at": "2027-03-01 12:00",
        "capacity": 5,
        field: "9999-12-31 23:59",
    }

    form = ShiftAdminForm(data=data)

    assert not form.is_valid()
    assert form.errors[field][0].startswith(OUT_OF_RANGE)


def test_the_admin_cannot_type_an_events_own_times_kept_in_step_with_its_shifts():
    assert {"starts_at", "ends_at"} <= set(EventAdmin.readonly_fields)
