"""Promises no other test held (issue 13): places, guests, the waiting list under concurrent
cancellations, cancel links and reminders sent once. Each test here fails with the one-line bug
named in `mutants/bugs.py` and passes without it. Run `make mutants` to check they still do."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from django.core import mail, signing
from django.db import connection
from django.test import Client
from django.urls import reverse

from quartier.organizing import tasks
from quartier.organizing.actions import common as common_actions
from quartier.organizing.actions import events as events_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Event, Rsvp, SentReminder, Shift
from quartier.organizing.queries import events as events_queries
from quartier.testing import run_together

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
def test_a_reminder_claimed_before_the_event_was_cancelled_is_not_sent(make_event, host, make_supporter):
    event = make_event(host, starts_in=timedelta(hours=20))
    record = rsvps_actions.rsvp(supporter=make_supporter("Going"), shift=event.shifts.get())
    Event.objects.filter(pk=event.pk).update(status=Event.Status.CANCELLED)  # after the job listed it
    mail.outbox.clear()

    tasks.send_reminder(record.pk, 24)

    assert mail.outbox == []
