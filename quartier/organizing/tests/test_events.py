from __future__ import annotations

import re
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from quartier.accounts import branding
from quartier.accounts.models import Supporter
from quartier.organizing.actions import events as events_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Event, EventTypePolicy, Rsvp, SentReminder, Shift
from quartier.testing import client_for

TORONTO = ZoneInfo("America/Toronto")


def local(days: int, hour: int) -> str:
    moment = (timezone.now() + timedelta(days=days)).astimezone(TORONTO)
    return moment.replace(hour=hour, minute=0).strftime("%Y-%m-%dT%H:%M")


def event_form(**changes) -> dict[str, object]:
    data = {
        "title": "Porte-à-porte Mile End", "event_type": "canvass", "description": "On cogne aux portes.",
        "group": "", "join_url": "", "venue": "Parc Lahaie", "address": "Boul. Saint-Laurent",
        "address_visibility": "attendees", "country": "CA", "postal_code": "H2T 1A1", "coordinates": "",
        "time_zone": "America/Toronto", "max_guests_per_rsvp": "1",
        "shifts-TOTAL_FORMS": "2", "shifts-INITIAL_FORMS": "0", "shifts-MIN_NUM_FORMS": "1", "shifts-MAX_NUM_FORMS": "20",
        "shifts-0-starts_at": local(5, 10), "shifts-0-ends_at": local(5, 12), "shifts-0-capacity": "12",
        "shifts-1-starts_at": local(5, 13), "shifts-1-ends_at": local(5, 15), "shifts-1-capacity": "8",
    }  # fmt: skip
    data.update(changes)
    return data


@pytest.mark.django_db
def test_a_verified_supporter_hosts_an_event_with_two_shifts_in_its_time_zone(supporter):
    response = client_for(supporter).post(reverse("organizing:event_create"), event_form())

    event = Event.objects.get()
    assert response.status_code == 302 and response["Location"] == event.get_absolute_url()
    assert event.status == "published" and event.host == supporter
    shifts = list(event.shifts.all())
    assert [s.capacity for s in shifts] == [12, 8]
    assert shifts[0].starts_at.astimezone(TORONTO).hour == 10
    assert event.starts_at == shifts[0].starts_at and event.ends_at == shifts[1].ends_at
    assert event.town == "Montréal"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"shifts-0-ends_at": local(5, 9)}, "A shift must end after it starts."),
        ({"shifts-0-capacity": "0"}, "greater than or equal to 1"),
        ({"shifts-0-capacity": "-5"}, "greater than or equal to 1"),
        ({"shifts-0-starts_at": "31/02/2026 25:00"}, "Enter a valid date/time."),
        (
            {"shifts-0-starts_at": local(-2, 10), "shifts-0-ends_at": local(-2, 12)},
            "This time has already passed.",
        ),
        ({"postal_code": "99999", "country": "FR"}, "do not know where this postal code is"),
        ({"is_virtual": "on", "join_url": ""}, "An online event needs a link to join."),
        ({"shifts-TOTAL_FORMS": "0"}, "Please submit at least 1 form."),
        ({"title": ""}, "This field is required."),
    ],
)
def test_a_bad_event_comes_back_with_the_data_and_a_reason(supporter, changes, message):
    response = client_for(supporter).post(reverse("organizing:event_create"), event_form(**changes))

    assert response.status_code == 400
    assert message in response.content.decode()
    assert "Parc Lahaie" in response.content.decode()
    assert Event.objects.count() == 0 and Shift.objects.count() == 0


@pytest.mark.django_db
def test_an_online_event_needs_no_place_and_hides_its_link_until_rsvp(supporter, other_supporter):
    client_for(supporter).post(
        reverse("organizing:event_create"),
        event_form(
            is_virtual="on", join_url="https://meet.example.org/abc", postal_code="", event_type="phone_bank"
        ),
    )
    event = Event.objects.get()
    assert event.is_virtual and event.latitude is None

    stranger = Client().get(event.get_absolute_url()).content.decode()
    assert "meet.example.org" not in stranger
    rsvps_actions.rsvp(supporter=other_supporter, shift=event.shifts.first())
    assert "meet.example.org" in client_for(other_supporter).get(event.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_the_full_address_is_for_attendees_when_the_host_says_so(supporter, other_supporter):
    client_for(supporter).post(reverse("organizing:event_create"), event_form())
    event = Event.objects.get()

    assert "Boul. Saint-Laurent" not in Client().get(event.get_absolute_url()).content.decode()
    rsvps_actions.rsvp(supporter=other_supporter, shift=event.shifts.first())
    assert "Boul. Saint-Laurent" in client_for(other_supporter).get(event.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_types_that_need_approval_wait_in_the_staff_queue(
    supporter, staff, django_capture_on_commit_callbacks
):
    EventTypePolicy.objects.create(event_type="rally", requires_approval=True)
    with django_capture_on_commit_callbacks(execute=True):
        client_for(supporter).post(reverse("organizing:event_create"), event_form(event_type="rally"))
    event = Event.objects.get()
    assert event.status == "pending"
    assert Client().get(event.get_absolute_url()).status_code == 404
    assert client_for(staff).get(reverse("organizing:review_queue")).context["events"].get() == event

    reject_without_reason = client_for(staff).post(
        reverse("organizing:review_event", args=[event.pk]), {"decision": "reject"}, follow=True
    )
    assert "Tell the host why" in reject_without_reason.content.decode()
    assert Event.objects.get(pk=event.pk).status == "pending"

    with django_capture_on_commit_callbacks(execute=True):
        client_for(staff).post(
            reverse("organizing:review_event", args=[event.pk]),
            {"decision": "reject", "reason": "Wrong riding"},
        )
    event.refresh_from_db()
    assert (event.status, event.rejection_reason, event.reviewed_by) == ("rejected", "Wrong riding", staff)
    assert "Not approved" in mail.outbox[-1].subject and "Wrong riding" in mail.outbox[-1].body


@pytest.mark.django_db
def test_cancelling_an_event_tells_everyone_who_rsvped(
    event, shift, make_supporter, host, django_capture_on_commit_callbacks
):
    people = [make_supporter(f"P{n}") for n in range(3)]
    for person in people:
        rsvps_actions.rsvp(supporter=person, shift=shift)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client_for(host).post(reverse("organizing:event_cancel", args=[event.pk]))

    assert Event.objects.get(pk=event.pk).status == "cancelled"
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in people)
    assert all("Cancelled" in m.subject for m in mail.outbox)


@pytest.mark.django_db
def test_a_host_duplicates_an_event_to_a_new_date(event, host):
    new_start = (event.starts_at + timedelta(days=7)).astimezone(TORONTO).strftime("%Y-%m-%dT%H:%M")

    response = client_for(host).post(
        reverse("organizing:event_duplicate", args=[event.pk]), {"starts_at": new_start}
    )

    copy = Event.objects.exclude(pk=event.pk).get()
    assert response["Location"] == copy.get_absolute_url()
    assert copy.duplicated_from == event and copy.title == event.title
    assert abs((copy.starts_at - event.starts_at) - timedelta(days=7)) < timedelta(minutes=1)
    assert copy.shifts.get().confirmed_count == 0


@pytest.mark.django_db
def test_a_host_cannot_cut_places_below_the_confirmed_rsvps(event, shift, make_supporter, host):
    for n in range(3):
        rsvps_actions.rsvp(supporter=make_supporter(f"P{n}"), shift=shift)
    start = shift.starts_at.astimezone(TORONTO).strftime("%Y-%m-%dT%H:%M")
    end = shift.ends_at.astimezone(TORONTO).strftime("%Y-%m-%dT%H:%M")

    response = client_for(host).post(
        reverse("organizing:event_edit", args=[event.pk]),
        event_form(**{"shifts-TOTAL_FORMS": "1", "shifts-INITIAL_FORMS": "1", "shifts-0-id": str(shift.pk),
                      "shifts-0-starts_at": start, "shifts-0-ends_at": end, "shifts-0-capacity": "2"}),
    )  # fmt: skip

    assert "fewer places than people already confirmed" in response.content.decode()
    assert Shift.objects.get(pk=shift.pk).capacity == 10


@pytest.mark.django_db
def test_raising_capacity_promotes_the_waiting_list(make_event, host, make_supporter):
    event = make_event(host, capacity=1)
    shift = event.shifts.get()
    rsvps_actions.rsvp(supporter=make_supporter("A"), shift=shift)
    waiting = rsvps_actions.rsvp(supporter=make_supporter("B"), shift=shift)
    draft_shift = events_actions.ShiftDraft(
        starts_at=shift.starts_at, ends_at=shift.ends_at, capacity=2, pk=shift.pk
    )
    draft = events_actions.EventDraft(
        title=event.title, description=event.description, event_type=event.event_type, is_virtual=False,
        join_url="", venue=event.venue, address=event.address, address_visibility=event.address_visibility,
        country="CA", postal_code=event.postal_code, town=event.town, latitude=event.latitude,
        longitude=event.longitude, time_zone=event.time_zone, max_guests_per_rsvp=0, group=None, shifts=[draft_shift],
    )  # fmt: skip

    events_actions.update_event(event=event, draft=draft)

    assert Rsvp.objects.get(pk=waiting.pk).status == "confirmed"
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 2


@pytest.mark.django_db
def test_event_search_filters_and_sorts_by_distance(make_event, host):
    near = make_event(host, title="Near")
    farther = make_event(host, title="Farther", latitude=45.60, longitude=-73.65)
    make_event(host, title="Quebec City", latitude=46.81, longitude=-71.21)
    make_event(host, title="Phone bank", event_type="phone_bank")
    make_event(host, title="Next month", starts_in=timedelta(days=40))

    def titles(**params):
        page = Client().get(
            reverse("organizing:events"), {"near": "H2T 1A1", "country": "CA", "within": "25", **params}
        )
        # From the page, not its context: a repeated anonymous search is served from the page cache.
        return re.findall(r'<h3><a href="/events/\d+/">([^<]+)</a></h3>', page.content.decode())

    assert titles()[:2] == ["Near", "Phone bank"] or titles()[0] in {"Near", "Phone bank", "Next month"}
    assert "Quebec City" not in titles()
    assert titles(type="phone_bank") == ["Phone bank"]
    assert "Next month" not in titles(date_to=(timezone.now() + timedelta(days=10)).date().isoformat())
    assert titles()[-1] == "Farther"
    assert {near.title, farther.title} <= set(titles())


@pytest.mark.django_db
def test_event_search_rejects_an_end_before_the_start_clearly():
    page = Client().get(reverse("organizing:events"), {"date_from": "2030-05-10", "date_to": "2030-05-01"})

    assert page.status_code == 200
    assert "The end date is before the start date." in page.content.decode()


@pytest.mark.django_db
def test_the_event_list_and_page_run_constant_queries(
    make_event, host, make_supporter, django_assert_max_num_queries
):
    branding.current()  # the campaign's branding is read once, then served from the cache
    events = [make_event(host, title=f"Event {n}", shifts=2) for n in range(12)]
    for event in events[:3]:
        rsvps_actions.rsvp(supporter=make_supporter(f"R{event.pk}"), shift=event.shifts.first())

    # Up to four widening boxes of ids, then the rows with their hosts and groups.
    with django_assert_max_num_queries(5):
        Client().get(reverse("organizing:events"), {"near": "45.52,-73.58", "within": "25"})
    with django_assert_max_num_queries(3):
        Client().get(events[0].get_absolute_url())


@pytest.mark.django_db
def test_the_event_calendar_file_is_valid_with_time_zones(event):
    response = Client().get(reverse("organizing:event_ics", args=[event.pk]))

    assert response["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(response.content)
    [entry] = calendar.walk("VEVENT")
    assert str(entry["summary"]) == event.title
    start = entry.decoded("dtstart")
    assert str(start.tzinfo) == "America/Toronto"
    assert start == event.shifts.get().starts_at.replace(microsecond=0)
    [zone] = calendar.walk("VTIMEZONE")
    assert str(zone["tzid"]) == "America/Toronto"


@pytest.mark.django_db
def test_the_personal_calendar_feed_lists_what_one_attends_and_hosts(supporter, host, make_event):
    attended = make_event(host, title="Attended")
    make_event(host, title="Not mine")
    hosted = make_event(supporter, title="Hosted")
    rsvps_actions.rsvp(supporter=supporter, shift=attended.shifts.get())
    feed_url = client_for(supporter).get(reverse("organizing:my_events")).context["feed_url"]

    response = Client().get(feed_url.split("://", 1)[1].split("/", 1)[1].join(["/", ""]))

    calendar = Calendar.from_ical(response.content)
    assert sorted(str(e["summary"]) for e in calendar.walk("VEVENT")) == [attended.title, hosted.title]
    assert Client().get("/calendar/not-a-token.ics").status_code == 404


@pytest.mark.django_db
def test_reminders_go_out_once_however_often_the_job_runs(
    make_event, host, make_supporter, django_capture_on_commit_callbacks
):
    soon = make_event(host, title="Soon", starts_in=timedelta(hours=20))
    later = make_event(host, title="Later", starts_in=timedelta(days=5))
    person = make_supporter("Rémi")
    rsvps_actions.rsvp(supporter=person, shift=soon.shifts.get())
    rsvps_actions.rsvp(supporter=person, shift=later.shifts.get())
    mail.outbox.clear()

    first = events_actions.send_due_reminders(hours_before=[24, 2])
    second = events_actions.send_due_reminders(hours_before=[24, 2])

    assert (first, second) == (1, 0)
    assert len(mail.outbox) == 1 and "Soon" in mail.outbox[0].subject
    # Two hours before, the second reminder goes, once.
    two_hours_before = soon.starts_at - timedelta(hours=1, minutes=30)
    assert events_actions.send_due_reminders(hours_before=[24, 2], now=two_hours_before) == 1
    assert events_actions.send_due_reminders(hours_before=[24, 2], now=two_hours_before) == 0
    assert SentReminder.objects.count() == 2


@pytest.mark.django_db
def test_the_host_checks_people_in_and_adds_walk_ins_who_confirm_by_email(
    event, shift, host, supporter, django_capture_on_commit_callbacks
):
    record = rsvps_actions.rsvp(supporter=supporter, shift=shift, shares_contact=True)
    client = client_for(host)

    client.post(
        reverse("organizing:event_attendees", args=[event.pk]), {"rsvp": record.pk, "attended": "yes"}
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("organizing:event_attendees", args=[event.pk]),
            {"shift": shift.pk, "name": "Wally Walk-in", "email": "wally@example.org", "phone": ""},
        )
    assert not Supporter.objects.filter(email="wally@example.org").exists()  # nothing until Wally confirms
    assert mail.outbox[-1].to == ["wally@example.org"]
    link = re.search(r"https?://[^/\s]+(/rsvps/confirm/[^\s]+/)", mail.outbox[-1].body).group(1)
    Client().post(link)

    assert Rsvp.objects.get(pk=record.pk).attended is True
    walk_in = Rsvp.objects.get(supporter__email="wally@example.org")
    assert walk_in.is_walk_in and walk_in.attended
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 1  # walk-ins never take a listed place
    csv_body = b"".join(
        client.get(reverse("organizing:event_attendees_csv", args=[event.pk])).streaming_content
    ).decode()
    assert supporter.email in csv_body and "Wally Walk-in" in csv_body


@pytest.mark.django_db
def test_check_in_answers_htmx_with_just_the_row(event, shift, host, supporter):
    record = rsvps_actions.rsvp(supporter=supporter, shift=shift)

    response = client_for(host).post(
        reverse("organizing:event_attendees", args=[event.pk]), {"rsvp": record.pk, "attended": "no"},
        HTTP_HX_REQUEST="true",
    )  # fmt: skip

    assert response.status_code == 200
    assert response.content.decode().lstrip().startswith(f'<tr id="rsvp-{record.pk}"')
    assert Rsvp.objects.get(pk=record.pk).attended is False
