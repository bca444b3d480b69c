"""Fenced deliveries: a worker slower than its lease never sends what the sweep gave to another, the
sweep never sends again what a worker was handing over, and a working worker keeps its lease."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from django.core import mail
from django.core.mail.backends.locmem import EmailBackend as LocmemBackend
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quartier.accounts import branding
from quartier.outreach import queries, sms, throttle
from quartier.outreach.actions import campaign_send as campaign_send_actions
from quartier.outreach.actions import delivery as delivery_actions
from quartier.outreach.actions import sms as sms_actions
from quartier.outreach.models import CAMPAIGN_NEWS, Delivery, Message, SmsSubscription
from quartier.outreach.tests.helpers import send

pytestmark = pytest.mark.django_db


def queued(members, count: int, capture) -> tuple[Message, list, list[int]]:
    """A message to `count` members whose batch task has not run yet (the test runs it)."""
    people = members(count)
    with capture(execute=False):
        message = send(None, people)
    ids = sorted(Delivery.objects.filter(message=message).values_list("pk", flat=True))
    return message, people, ids


def lease_runs_out(message: Message, settings) -> None:
    """What the clock does to a worker that stalls: its claims are older than the lease."""
    long_ago = timezone.now() - timedelta(seconds=settings.OUTREACH_LEASE_SECONDS + 5)
    Delivery.objects.filter(message=message, status="sending").update(claimed_at=long_ago)


def once_at(call: int, action):
    """A function that does `action` on its `call`-th call (1-based), and nothing otherwise."""
    calls = {"n": 0}

    def hook(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] == call:
            action()

    return hook


def emails_by_reader() -> Counter:
    return Counter(email.to[0] for email in mail.outbox)


def test_a_worker_past_its_lease_leaves_what_the_sweep_gave_back_and_nobody_gets_two(
    members, settings, monkeypatch, django_capture_on_commit_callbacks
):
    message, people, ids = queued(members, 4, django_capture_on_commit_callbacks)
    sweeps = []

    def stall_then_sweep():  # before its second email the worker stalls past its lease
        lease_runs_out(message, settings)
        sweeps.append(campaign_send_actions.sweep())  # another worker (eager here) sends the rest

    monkeypatch.setattr(throttle, "wait_for_slot", once_at(2, stall_then_sweep))

    counts = delivery_actions.send_deliveries(message_id=message.pk, first_id=ids[0], last_id=ids[-1])

    assert sweeps[0]["requeued"] == 3
    assert (counts["sent"], counts["lost"]) == (1, 3)
    assert emails_by_reader() == Counter({person.email: 1 for person in people})
    assert queries.message_progress(message)["sent"] == 4
    assert Message.objects.get(pk=message.pk).status == Message.Status.SENT


class StallingBackend(LocmemBackend):
    """The mail server takes longer than the lease to take the first email (once)."""

    stall = None

    def send_messages(self, messages):
        action, StallingBackend.stall = StallingBackend.stall, None
        if action is not None:
            action()
        return super().send_messages(messages)


def test_an_email_handed_over_past_the_lease_is_not_sent_again_and_its_late_answer_counts(
    members, settings, django_capture_on_commit_callbacks
):
    message, people, ids = queued(members, 3, django_capture_on_commit_callbacks)
    settings.EMAIL_BACKEND = f"{__name__}.StallingBackend"
    sweeps = []

    def stall_then_sweep():
        lease_runs_out(message, settings)
        sweeps.append(campaign_send_actions.sweep())
        sweeps.append(Delivery.objects.get(pk=ids[0]).error)

    StallingBackend.stall = stall_then_sweep

    counts = delivery_actions.send_deliveries(message_id=message.pk, first_id=ids[0], last_id=ids[-1])

    first_sweep, error_meanwhile = sweeps
    assert (first_sweep["requeued"], first_sweep["unknown"]) == (2, 1)
    assert error_meanwhile == delivery_actions.UNKNOWN_OUTCOME  # for review while nobody knew
    assert (counts["sent"], counts["lost"]) == (1, 2)
    assert emails_by_reader() == Counter({person.email: 1 for person in people})
    first = Delivery.objects.get(pk=ids[0])
    assert (first.status, first.error) == ("sent", "")  # the worker's late answer is the truth
    assert queries.message_progress(message)["sent"] == 3


def test_a_slow_worker_renews_its_lease_and_the_sweep_leaves_its_batch_alone(
    members, settings, monkeypatch, django_capture_on_commit_callbacks
):
    message, people, ids = queued(members, 4, django_capture_on_commit_callbacks)
    clock = {"now": 1000.0}
    monkeypatch.setattr(delivery_actions, "_clock", lambda: clock["now"])
    sweeps = []

    def slow_minutes_pass():  # most of a lease passes while the worker works
        clock["now"] += settings.OUTREACH_LEASE_SECONDS
        lease_runs_out(message, settings)

    def sweep():
        sweeps.append(campaign_send_actions.sweep())

    second, third = once_at(2, slow_minutes_pass), once_at(3, sweep)
    monkeypatch.setattr(throttle, "wait_for_slot", lambda: (second(), third()))

    counts = delivery_actions.send_deliveries(message_id=message.pk, first_id=ids[0], last_id=ids[-1])

    assert (sweeps[0]["requeued"], sweeps[0]["unknown"]) == (0, 0)
    assert (counts["sent"], counts["lost"]) == (4, 0)
    assert emails_by_reader() == Counter({person.email: 1 for person in people})


def test_a_text_past_its_lease_is_not_sent_twice(
    make_supporter, staff, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SMS_GATEWAY = "sandbox"
    sms.SANDBOX_OUTBOX.clear()
    people = [make_supporter(f"Texter {number}") for number in range(3)]
    for number, person in enumerate(people):
        sms_actions.sms_opt_in(
            phone=f"+1514555010{number}", wording="Yes", language="en", source=SmsSubscription.Source.FORM,
            supporter=person,
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=False):
        message = campaign_send_actions.send_sms_message(
            author=staff, body="Vote Sunday", segment={"topic": CAMPAIGN_NEWS}
        )
    ids = sorted(Delivery.objects.filter(message=message).values_list("pk", flat=True))
    sweeps = []

    def stall_then_sweep():
        lease_runs_out(message, settings)
        sweeps.append(campaign_send_actions.sweep())

    hook = once_at(2, stall_then_sweep)
    monkeypatch.setattr(delivery_actions, "in_quiet_hours", lambda zone, now=None: hook() or False)

    counts = delivery_actions.send_deliveries(message_id=message.pk, first_id=ids[0], last_id=ids[-1])

    assert (counts["sent"], counts["lost"]) == (1, 2)
    assert sorted(to for to, _text in sms.SANDBOX_OUTBOX) == ["+15145550100", "+15145550101", "+15145550102"]
    sms.SANDBOX_OUTBOX.clear()


def test_fencing_adds_one_statement_per_email_and_one_durable_commit_per_chunk(
    members, django_capture_on_commit_callbacks
):
    small, _people, small_ids = queued(members, 2, django_capture_on_commit_callbacks)
    branding.current()  # read once and cached: not part of what a batch costs
    with CaptureQueriesContext(connection) as two:
        delivery_actions.send_deliveries(message_id=small.pk, first_id=small_ids[0], last_id=small_ids[-1])
    large, _people, large_ids = queued(members, 6, django_capture_on_commit_callbacks)
    with CaptureQueriesContext(connection) as six:
        delivery_actions.send_deliveries(message_id=large.pk, first_id=large_ids[0], last_id=large_ids[-1])

    def per_email(keep=lambda sql: True) -> float:
        def count(captured):
            return sum(1 for query in captured.captured_queries if keep(query["sql"]))

        return (count(six) - count(two)) / 4

    delivery_updates = per_email(lambda sql: sql.startswith('UPDATE "outreach_delivery"'))
    fenced = per_email(lambda sql: sql.startswith('UPDATE "outreach_delivery"') and "claim_token" in sql)
    assert delivery_updates == fenced == 1  # the fenced "attempted"; "sent" is written for the batch
    # The durable commit is per chunk (`handover_at`): the "attempted" mark is one plain statement.
    assert per_email() == 1
    durable = [query["sql"] for query in six.captured_queries if "synchronous_commit TO ON" in query["sql"]]
    assert len(durable) == (1 if connection.vendor == "postgresql" else 0)
    # Everything else a batch says to the database is the same for 2 emails as for 6.
    assert (
        per_email(
            lambda sql: (
                "attempted_at" not in sql.split("WHERE")[0]
                and "synchronous_commit" not in sql
                and "SAVEPOINT" not in sql
            )
        )
        == 0
    )


def test_a_chunk_opened_before_the_database_restarted_is_never_sent_again(
    members, settings, monkeypatch, django_capture_on_commit_callbacks
):
    """An `attempted` mark is committed without waiting for the disk: after a server restart the
    sweep cannot tell a lost mark from an email never handed over, so the whole chunk is unknown."""
    message, _people, ids = queued(members, 3, django_capture_on_commit_callbacks)
    sweeps = []

    def restart_then_sweep():  # the worker dies handing over the first email; the server restarts
        lease_runs_out(message, settings)
        monkeypatch.setattr(campaign_send_actions, "database_started_at", timezone.now)
        sweeps.append(campaign_send_actions.sweep())
        raise KeyboardInterrupt  # the worker is gone

    StallingBackend.stall = restart_then_sweep
    settings.EMAIL_BACKEND = f"{__name__}.StallingBackend"
    with pytest.raises(KeyboardInterrupt):
        delivery_actions.send_deliveries(message_id=message.pk, first_id=ids[0], last_id=ids[-1])

    assert (sweeps[0]["requeued"], sweeps[0]["unknown"]) == (0, 3)
    assert len(mail.outbox) == 0
    assert set(Delivery.objects.filter(message=message).values_list("status", "error")) == {
        ("failed", delivery_actions.UNKNOWN_OUTCOME)
    }


def test_a_chunk_opened_since_the_database_started_gives_back_what_was_never_attempted(
    members, settings, django_capture_on_commit_callbacks
):
    message, people, ids = queued(members, 3, django_capture_on_commit_callbacks)
    sweeps = []

    def stall_then_sweep():
        lease_runs_out(message, settings)
        sweeps.append(campaign_send_actions.sweep())
        raise KeyboardInterrupt

    StallingBackend.stall = stall_then_sweep
    settings.EMAIL_BACKEND = f"{__name__}.StallingBackend"
    with pytest.raises(KeyboardInterrupt):
        delivery_actions.send_deliveries(message_id=message.pk, first_id=ids[0], last_id=ids[-1])

    assert (sweeps[0]["requeued"], sweeps[0]["unknown"]) == (2, 1)
    # the two never attempted went to another worker (eager here, from the sweep), once each
    assert emails_by_reader() == Counter({person.email: 1 for person in people[1:]})
    first = Delivery.objects.get(pk=ids[0])
    assert (first.status, first.error) == ("failed", delivery_actions.UNKNOWN_OUTCOME)
    assert queries.message_progress(message)["sent"] == 2
