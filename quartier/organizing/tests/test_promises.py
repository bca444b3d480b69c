"""Promises no other test held (issue 13): each test here fails with the one-line bug named in
`mutants/bugs.py` and passes without it. Run `make mutants` to check they still do."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from quartier.accounts import actions as account_actions
from quartier.accounts import actions as accounts_actions
from quartier.accounts.models import Supporter
from quartier.accounts.privacy import export_personal_data
from quartier.organizing import tasks
from quartier.organizing.actions import common as common_actions
from quartier.organizing.actions import events as events_actions
from quartier.organizing.actions import groups as groups_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import CalendarFeed, Event, Rsvp, SentReminder, Shift
from quartier.organizing.queries import events as events_queries
from quartier.outreach.models import Delivery
from quartier.testing import client_for, run_together

ADDRESS = "124 rue Saint-Viateur O"
PRECISE = (45.523456, -73.581234)


def private_event(make_event, host, **changes) -> Event:
    """An event whose street address is for attendees only, at a point precise to the metre."""
    return make_event(
        host, address_visibility=Event.AddressVisibility.ATTENDEES, latitude=PRECISE[0], longitude=PRECISE[1],
        **changes,
    )  # fmt: skip


def one_of_each_status(make_supporter, shift: Shift) -> dict[str, Supporter]:
    """A confirmed, a waitlisted and a cancelled attendee of a shift with one place."""
    people = {
        status: make_supporter(f"Person {status}") for status in ("confirmed", "waitlisted", "cancelled")
    }
    rsvps_actions.rsvp(supporter=people["confirmed"], shift=shift)
    rsvps_actions.rsvp(supporter=people["waitlisted"], shift=shift)
    cancelled = rsvps_actions.rsvp(supporter=people["cancelled"], shift=shift)
    rsvps_actions.cancel_rsvp(rsvp_record=cancelled)
    statuses = {r.supporter_id: r.status for r in Rsvp.objects.filter(shift=shift)}
    assert {status: statuses[person.pk] for status, person in people.items()} == {
        "confirmed": "confirmed", "waitlisted": "waitlisted", "cancelled": "cancelled",
    }  # fmt: skip
    return people


def ics_locations(content: bytes) -> list[str]:
    return [str(entry.get("location", "")) for entry in Calendar.from_ical(content).walk("VEVENT")]


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


# 4. Concurrent cancellations promote from the waiting list once per freed place -------------------


@pytest.mark.django_db(transaction=True)
def test_one_rsvp_cancelled_many_times_at_once_promotes_one_person_from_the_waiting_list(
    make_event, host, make_supporter
):
    event = make_event(host, capacity=2)
    shift = event.shifts.get()
    going = [rsvps_actions.rsvp(supporter=make_supporter(f"Going {n}"), shift=shift) for n in range(2)]
    waiting = [rsvps_actions.rsvp(supporter=make_supporter(f"Waiting {n}"), shift=shift) for n in range(4)]
    # What each of eight requests (a double click, the emailed link, …) loaded before cancelling.
    loaded = [Rsvp.objects.get(pk=going[0].pk) for _request in range(8)]

    outcomes = run_together(
        [lambda record=record: rsvps_actions.cancel_rsvp(rsvp_record=record).status for record in loaded]
    )

    assert outcomes == ["cancelled"] * 8
    statuses = [Rsvp.objects.get(pk=r.pk).status for r in waiting]
    assert statuses == ["confirmed", "waitlisted", "waitlisted", "waitlisted"]
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 2
    assert Rsvp.objects.filter(shift=shift, status="confirmed").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_cancellation_of_an_rsvp_another_is_cancelling_waits_for_it_and_promotes_nobody_more(
    make_event, host, make_supporter
):
    """Deterministic: the first cancellation is held right after it read the RSVP, until the second
    is either blocked by a row lock (PostgreSQL shows it waiting; SQLite serialises every write, so
    after a moment) or has read the RSVP too — which only happens when the locks are missing."""
    event = make_event(host, capacity=1)
    shift = event.shifts.get()
    going = rsvps_actions.rsvp(supporter=make_supporter("Going"), shift=shift)
    waiting = [rsvps_actions.rsvp(supporter=make_supporter(f"Waiting {n}"), shift=shift) for n in range(2)]
    first_read, second_read, release = threading.Event(), threading.Event(), threading.Event()
    outcomes: list[object] = []

    def reads_the_rsvp(sql: str) -> bool:
        return sql.lstrip().upper().startswith("SELECT") and 'FROM "organizing_rsvp"' in sql

    def first(execute, sql, params, many, context):
        answer = execute(sql, params, many, context)
        if reads_the_rsvp(sql) and not first_read.is_set():
            first_read.set()
            release.wait(timeout=30)
        return answer

    def second(execute, sql, params, many, context):
        answer = execute(sql, params, many, context)
        if reads_the_rsvp(sql):
            second_read.set()
        return answer

    def cancel(wrapper) -> None:
        record = Rsvp.objects.get(pk=going.pk)
        try:
            with connection.execute_wrapper(wrapper):
                outcomes.append(rsvps_actions.cancel_rsvp(rsvp_record=record).status)
        except Exception as error:
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=cancel, args=(first,))]
    threads[0].start()
    assert first_read.wait(timeout=30)
    threads.append(threading.Thread(target=cancel, args=(second,)))
    threads[1].start()
    deadline = time.monotonic() + (30 if connection.vendor == "postgresql" else 1)
    while not second_read.is_set() and time.monotonic() < deadline:
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
                )
                if cursor.fetchone()[0]:
                    break
        time.sleep(0.01)
    release.set()
    for thread in threads:
        thread.join()

    assert outcomes == ["cancelled", "cancelled"]
    assert [Rsvp.objects.get(pk=r.pk).status for r in waiting] == ["confirmed", "waitlisted"]
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 1


@pytest.mark.django_db(transaction=True)
def test_different_rsvps_cancelled_at_once_promote_exactly_as_many_people_as_places_freed(
    make_event, host, make_supporter
):
    event = make_event(host, capacity=6)
    shift = event.shifts.get()
    going = [rsvps_actions.rsvp(supporter=make_supporter(f"Going {n}"), shift=shift) for n in range(6)]
    waiting = [rsvps_actions.rsvp(supporter=make_supporter(f"Waiting {n}"), shift=shift) for n in range(6)]

    outcomes = run_together(
        [lambda record=record: rsvps_actions.cancel_rsvp(rsvp_record=record).status for record in going[:4]]
    )

    assert outcomes == ["cancelled"] * 4
    statuses = [Rsvp.objects.get(pk=r.pk).status for r in waiting]
    assert statuses == ["confirmed"] * 4 + ["waitlisted"] * 2  # oldest first
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 6


# Capacity: a party counts with its guests, within the host's limit -------------------------------


@pytest.mark.django_db
def test_a_party_that_does_not_fit_in_the_places_left_is_waitlisted(make_event, host, make_supporter):
    event = make_event(host, capacity=3)
    shift = event.shifts.get()
    rsvps_actions.rsvp(supporter=make_supporter("Alone"), shift=shift)

    party = rsvps_actions.rsvp(supporter=make_supporter("With Two Guests"), shift=shift, guests=2)

    assert party.status == "waitlisted"
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 1


@pytest.mark.django_db
@pytest.mark.parametrize("guests", [3, -1])
def test_an_rsvp_with_more_guests_than_the_host_allows_is_refused_and_changes_nothing(
    guests, event, shift, supporter
):
    assert event.max_guests_per_rsvp == 2

    with pytest.raises(common_actions.OrganizingError) as refusal:
        rsvps_actions.rsvp(supporter=supporter, shift=shift, guests=guests)

    assert refusal.value.code == "too_many_guests"
    assert not Rsvp.objects.filter(shift=shift).exists()
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 0


# 5. The 24-hour reminder after the 2-hour one ------------------------------------------------------


@pytest.mark.django_db
def test_no_24_hour_reminder_goes_out_once_the_2_hour_one_has(make_event, host, make_supporter):
    event = make_event(host, title="Soon", starts_in=timedelta(minutes=90))
    person = make_supporter("Late Joiner")
    record = rsvps_actions.rsvp(supporter=person, shift=event.shifts.get())
    mail.outbox.clear()

    sent = [events_actions.send_due_reminders(hours_before=[24, 2]) for _run in range(2)]

    assert sent == [1, 0]
    assert list(SentReminder.objects.filter(rsvp=record).values_list("hours_before", flat=True)) == [2]
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [person.email]


# 6. Concurrent reminder runs claim each reminder once ---------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_a_reminder_another_run_claimed_meanwhile_is_not_sent_again(make_event, host, make_supporter):
    event = make_event(host, title="Tomorrow", starts_in=timedelta(hours=20))
    record = rsvps_actions.rsvp(supporter=make_supporter("Rémi"), shift=event.shifts.get())
    mail.outbox.clear()
    listed, claimed = threading.Event(), threading.Event()
    result: list[object] = []

    def pause_after_listing(execute, sql, params, many, context):
        """Let the run list what is due, then hold it there until the other run has claimed."""
        answer = execute(sql, params, many, context)
        if sql.lstrip().upper().startswith("SELECT") and "organizing_rsvp" in sql and not listed.is_set():
            listed.set()
            claimed.wait(timeout=30)
        return answer

    def this_run() -> None:
        try:
            with connection.execute_wrapper(pause_after_listing):
                result.append(events_actions.send_due_reminders(hours_before=[24]))
        except Exception as error:
            result.append(error)
        finally:
            connection.close()

    thread = threading.Thread(target=this_run)
    thread.start()
    assert listed.wait(timeout=30)
    SentReminder.objects.create(rsvp=record, hours_before=24)  # the other run's claim, committed
    claimed.set()
    thread.join()

    assert result == [0]
    assert mail.outbox == []
    assert SentReminder.objects.filter(rsvp=record).count() == 1


@pytest.mark.django_db(transaction=True)
def test_reminder_runs_at_the_same_time_send_each_reminder_once(make_event, host, make_supporter):
    event = make_event(host, title="Tomorrow", capacity=30, starts_in=timedelta(hours=20))
    people = [make_supporter(f"Attendee {n}") for n in range(12)]
    for person in people:
        rsvps_actions.rsvp(supporter=person, shift=event.shifts.get())
    mail.outbox.clear()

    outcomes = run_together([lambda: events_actions.send_due_reminders(hours_before=[24, 2])] * 4)

    assert sum(outcomes) == 12, outcomes
    assert sorted(message.to[0] for message in mail.outbox) == sorted(person.email for person in people)
    assert SentReminder.objects.count() == 12


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


# 8. The data export includes waitlisted and cancelled RSVPs ---------------------------------------


@pytest.mark.django_db
def test_the_export_lists_rsvps_of_every_status(make_event, host, make_supporter):
    person = make_supporter("Exporter")
    events = {status: make_event(host, title=f"Event {status}", capacity=1) for status in ("c", "w", "x")}
    for title in ("w",):
        rsvps_actions.rsvp(supporter=make_supporter("Place taker"), shift=events[title].shifts.get())
    for status_event in events.values():
        rsvps_actions.rsvp(supporter=person, shift=status_event.shifts.get())
    rsvps_actions.cancel_rsvp(rsvp_record=Rsvp.objects.get(supporter=person, shift__event=events["x"]))

    exported = export_personal_data(person)["rsvps"]

    assert sorted((row["shift__event__title"], row["status"]) for row in exported) == [
        ("Event c", "confirmed"), ("Event w", "waitlisted"), ("Event x", "cancelled"),
    ]  # fmt: skip


# 9. A cancel link whose signature is not ours is refused ------------------------------------------


@pytest.mark.django_db
def test_a_cancel_link_not_signed_by_the_site_is_refused_and_changes_nothing(supporter, event, shift):
    record = rsvps_actions.rsvp(supporter=supporter, shift=shift)
    payload = {"rsvp": record.pk, "supporter": supporter.pk}
    forged = [
        signing.dumps(payload, key="not the site's secret", salt=events_queries.CANCEL_SALT, compress=True),
        signing.dumps(payload, salt="another.purpose", compress=True),
        events_queries.cancel_token(record)[:-2] + "xx",
    ]

    for token in forged:
        url = reverse("organizing:rsvp_cancel_by_link", args=[token])
        assert (Client().get(url).status_code, Client().post(url).status_code) == (404, 404), token

    assert Rsvp.objects.get(pk=record.pk).status == "confirmed"
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 1
    genuine = reverse("organizing:rsvp_cancel_by_link", args=[events_queries.cancel_token(record)])
    assert Client().get(genuine).status_code == 200


# 10. Every formula trigger is neutralised in CSV exports ------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_the_attendee_csv_neutralises_a_cell_starting_with_a_formula_trigger(
    trigger, host, event, shift, supporter
):
    name = f"{trigger}HYPERLINK(1)"
    rsvps_actions.rsvp(supporter=supporter, shift=shift, phone=name, shares_contact=True)

    response = client_for(host).get(reverse("organizing:event_attendees_csv", args=[event.pk]))
    body = b"".join(response.streaming_content).decode()

    assert f"'{name}" in body
    assert f",{name}" not in body and f"\n{name}" not in body and f'"{name}' not in body


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


# 12. A host's message reaches confirmed attendees only --------------------------------------------


@pytest.mark.django_db
def test_a_hosts_message_reaches_confirmed_attendees_only(make_event, host, make_supporter):
    event = make_event(host, capacity=1)
    people = one_of_each_status(make_supporter, event.shifts.get())
    for person in people.values():
        accounts_actions.record_consent(
            supporter=person, audience=common_actions.event_audience(event), granted=True, wording="Yes",
            language="en", source="join", ip_address=None,
        )  # fmt: skip

    message = events_actions.message_attendees(
        sender=host, event=event, subject="Bring water", body="It is hot."
    )

    assert message.recipient_count == 1
    assert list(Delivery.objects.filter(message=message).values_list("supporter_id", flat=True)) == [
        people["confirmed"].pk
    ]
    assert client_for(host).get(reverse("organizing:event_message", args=[event.pk])).context["total"] == 1


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


# Further promises the mutants of `mutants/bugs.py` showed no test held ----------------------------


@pytest.mark.django_db
def test_reminders_go_to_confirmed_attendees_of_published_events_only(make_event, host, make_supporter):
    kept = make_event(host, title="Kept", capacity=1, starts_in=timedelta(hours=20))
    called_off = make_event(host, title="Called off", starts_in=timedelta(hours=20))
    going, waiting = make_supporter("Going"), make_supporter("Waiting")
    rsvps_actions.rsvp(supporter=going, shift=kept.shifts.get())
    rsvps_actions.rsvp(supporter=waiting, shift=kept.shifts.get())
    rsvps_actions.rsvp(supporter=going, shift=called_off.shifts.get())
    events_actions.cancel_event(event=called_off)
    mail.outbox.clear()

    assert events_actions.send_due_reminders(hours_before=[24, 2]) == 1

    assert [(message.to, "Kept" in message.subject) for message in mail.outbox] == [([going.email], True)]
    assert list(SentReminder.objects.values_list("rsvp__shift__event__title", "rsvp__supporter")) == [
        ("Kept", going.pk)
    ]


@pytest.mark.django_db
def test_a_leaders_message_does_not_reach_people_waiting_for_approval(make_group, leader, make_supporter):
    from quartier.organizing.models import Group

    group = make_group(leader, join_policy=Group.JoinPolicy.APPROVAL)
    waiting = make_supporter("Waiting Member")
    groups_actions.join_group(
        supporter=waiting, group=group, accepts_messages=True, consent_wording="Yes", language="en",
        ip_address=None,
    )  # fmt: skip
    approved = make_supporter("Approved Member")
    membership = groups_actions.join_group(
        supporter=approved, group=group, accepts_messages=True, consent_wording="Yes", language="en",
        ip_address=None,
    )  # fmt: skip
    groups_actions.approve_member(membership=membership)

    message = groups_actions.message_group(sender=leader, group=group, subject="Tuesday", body="See you.")

    assert list(Delivery.objects.filter(message=message).values_list("supporter_id", flat=True)) == [
        approved.pk
    ]


@pytest.mark.django_db
def test_an_event_already_reviewed_cannot_be_reviewed_again_and_stays_as_it_was(supporter, staff, make_event):
    from quartier.organizing.models import EventTypePolicy

    EventTypePolicy.objects.create(event_type="rally", requires_approval=True)
    event = make_event(supporter, event_type="rally")
    assert event.status == "pending"
    events_actions.review_event(event=event, reviewer=staff, approve=False, reason="Wrong riding")

    response = client_for(staff).post(
        reverse("organizing:review_event", args=[event.pk]), {"decision": "approve"}, follow=True
    )

    assert "This event has already been reviewed." in response.content.decode()
    event.refresh_from_db()
    assert (event.status, event.rejection_reason, event.reviewed_by) == ("rejected", "Wrong riding", staff)


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


@pytest.mark.django_db
def test_an_event_waiting_for_review_is_seen_by_its_host_and_staff_only(
    make_event, make_supporter, unverified, other_supporter, staff
):
    from quartier.organizing.models import EventTypePolicy

    EventTypePolicy.objects.create(event_type="rally", requires_approval=True)
    host = make_supporter("Pending Host")
    event = make_event(host, event_type="rally")
    assert event.status == "pending"
    viewers = {"anonymous": None, "unverified": unverified, "other supporter": other_supporter, "host": host,
               "staff": staff}  # fmt: skip

    answers = {
        name: (
            client_for(person).get(event.get_absolute_url()).status_code,
            client_for(person).get(reverse("organizing:event_ics", args=[event.pk])).status_code,
        )
        for name, person in viewers.items()
    }

    assert answers == {
        "anonymous": (404, 404), "unverified": (404, 404), "other supporter": (404, 404), "host": (200, 200),
        "staff": (200, 200),
    }  # fmt: skip


@pytest.mark.django_db
def test_a_reminder_claimed_before_the_event_was_cancelled_is_not_sent(make_event, host, make_supporter):
    event = make_event(host, starts_in=timedelta(hours=20))
    record = rsvps_actions.rsvp(supporter=make_supporter("Going"), shift=event.shifts.get())
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)  # after the job listed it
    mail.outbox.clear()

    tasks.send_reminder(record.pk, 24)

    assert mail.outbox == []
