"""The webhook inbox: a delivery is one insert answered at once; batches apply events exactly once.

Batches write totals once, sorted; an event that cannot be applied yet stays pending; a poison event
is retried, then left failed for staff, and never blocks the others; the thanks page applies the
donor's own events without waiting for the next batch.
"""

from __future__ import annotations

import random
import re

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quartier.accounts.models import Activity
from quartier.donations import inbox, tasks
from quartier.donations.actions import gifts as gifts_actions
from quartier.donations.models import DailyTotal, Donation, FundraisingPage, InboxEvent, WebhookEvent
from quartier.donations.tests.conftest import post_event, start_stripe_gift
from quartier.donations.tests.test_lock_order import assert_in_order, locks_taken
from quartier.donations.views.common import SESSION_STARTED
from quartier.testing import run_together

pytestmark = pytest.mark.django_db


def _paid_gifts(fake_stripe, count: int, **details) -> tuple[list[Donation], list[dict]]:
    gifts, events = [], []
    for number in range(count):
        donation, checkout = start_stripe_gift(1000 + number, first_name=f"Inbox{number}", **details)
        gifts.append(donation)
        events += fake_stripe.pay_session(checkout.reference)
    return gifts, events


def test_a_delivery_is_one_insert_answered_at_once_and_a_copy_inserts_nothing(fake_stripe, client, broker):
    (donation,), events = _paid_gifts(fake_stripe, 1)
    with CaptureQueriesContext(connection) as queries:
        response = post_event(client, events[0])
    assert response.json() == {"status": "received"}
    writes = [
        q["sql"]
        for q in queries
        if not q["sql"].lstrip().upper().startswith(("SELECT", "SAVEPOINT", "RELEASE"))
    ]
    assert len(writes) == 1 and "ON CONFLICT" in writes[0] and "donations_inboxevent" in writes[0]
    assert post_event(client, events[0]).json() == {"status": "duplicate"}
    assert InboxEvent.objects.filter(event_id=events[0]["id"]).count() == 1
    donation.refresh_from_db()
    assert donation.status == Donation.Status.PENDING and not WebhookEvent.objects.exists()
    assert len(broker) == 1 and broker[0]["countdown"] > 0  # one task for both deliveries: debounced

    assert tasks.apply_inbox() == {"applied": 1}
    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED
    assert InboxEvent.objects.get(event_id=events[0]["id"]).state == "done"
    assert tasks.apply_inbox() == {}  # the sweep finds nothing left


def test_a_batch_writes_each_total_once_in_the_fixed_order(fake_stripe, client, broker, page, supporter):
    from quartier.donations.actions import pages as pages_actions

    other = pages_actions.create_page(
        owner=supporter, draft=pages_actions.PageDraft(title="Second page", story="x", goal_minor=10_000)
    )
    events = []
    for number in range(6):
        _donation, checkout = start_stripe_gift(1000, first_name=f"B{number}", page=(other, page)[number % 2])
        events += fake_stripe.pay_session(checkout.reference)
    random.Random(3).shuffle(events)
    for event in events:
        post_event(client, event)
    with CaptureQueriesContext(connection) as queries:
        assert inbox.drain() == {"applied": 12}  # each gift's two events
    taken = locks_taken(queries)
    assert_in_order(taken)
    page_writes = [q["sql"] for q in queries if q["sql"].startswith('UPDATE "donations_fundraisingpage"')]
    assert len(page_writes) == 2  # two pages, one write each for the whole batch
    assert len(re.findall(r"SAVEPOINT", " ".join(q["sql"] for q in queries))) >= 12
    assert [p.total_minor for p in FundraisingPage.objects.order_by("pk")] == [3000, 3000]


def test_an_event_that_fails_midway_takes_back_its_totals_and_the_batch_goes_on(
    fake_stripe, client, broker, page, monkeypatch
):
    gifts, events = _paid_gifts(fake_stripe, 3, page=page)
    for event in events:
        post_event(client, event)
    poison = gifts[1].pk
    record = gifts_actions.record_activity

    def fails_for_one(kind, **kwargs):
        if kwargs.get("key") == f"donation:{poison}":
            raise RuntimeError("the journal is broken for this gift")
        return record(kind, **kwargs)

    monkeypatch.setattr(gifts_actions, "record_activity", fails_for_one)
    assert inbox.drain() == {"applied": 4, "error": 2}
    page.refresh_from_db()
    # The failed gift's page and daily figures were added in memory before the error: taken back.
    assert (page.total_minor, page.gift_count) == (1000 + 1002, 2)
    assert sum(DailyTotal.objects.values_list("gift_count", flat=True)) == 2
    stuck = InboxEvent.objects.filter(state="pending", attempts=1)
    assert stuck.count() == 2 and all("journal is broken" in row.last_error for row in stuck)

    monkeypatch.undo()
    stuck.update(next_try_at=timezone.now())
    assert inbox.drain() == {"applied": 2}
    page.refresh_from_db()
    assert (page.total_minor, page.gift_count) == (3003, 3)
    assert InboxEvent.objects.exclude(state="done").count() == 0


def test_a_poison_event_is_given_up_after_its_tries_and_shown_to_staff(fake_stripe, client, broker, staff):
    from quartier.testing import client_for

    (donation,), events = _paid_gifts(fake_stripe, 1)
    poison = fake_stripe.refund_event(events[0]["data"]["object"]["id"], 100)
    poison["data"]["object"]["amount_refunded"] = "a hundred"
    post_event(client, poison)
    post_event(client, events[0])
    counts = inbox.drain()
    assert counts == {"applied": 1, "error": 1}  # the poison did not hold the gift back
    row = InboxEvent.objects.get(event_id=poison["id"])
    assert row.state == "failed" and "amount" in row.last_error  # malformed: no use trying again
    donation.refresh_from_db()
    assert (donation.status, donation.refunded_minor) == (Donation.Status.SUCCEEDED, 0)

    flaky = fake_stripe.refund_event(events[0]["data"]["object"]["id"], 200)
    post_event(client, flaky)
    stored = InboxEvent.objects.get(event_id=flaky["id"])
    for _try in range(inbox.MAX_ATTEMPTS):
        InboxEvent.objects.filter(pk=stored.pk).update(next_try_at=timezone.now())
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(gifts_actions, "apply_refunded_total", lambda **kwargs: 1 / 0)
            inbox.drain()
    stored.refresh_from_db()
    assert (stored.state, stored.attempts) == ("failed", inbox.MAX_ATTEMPTS)
    assert "ZeroDivisionError" in stored.last_error
    assert [row.event_id for row in inbox.failed()] == [poison["id"], flaky["id"]]
    staff.is_superuser = True
    staff.save(update_fields=["is_superuser"])
    listing = client_for(staff).get("/admin/donations/inboxevent/?state__exact=failed")
    assert listing.status_code == 200 and flaky["id"] in listing.content.decode()
    # Reconcile replays Stripe's events: the flaky one is applied now; the poison stays in the alert.
    with pytest.raises(CommandError) as raised:
        call_command("reconcile_stripe", "--hours", "1")
    assert poison["id"] in str(raised.value) and flaky["id"] not in str(raised.value)
    donation.refresh_from_db()
    assert donation.refunded_minor == 200
    assert [row.event_id for row in inbox.failed()] == [poison["id"]]


def test_the_thanks_page_applies_the_donors_own_events_without_waiting_for_the_batch(
    fake_stripe, client, broker
):
    (donation, other), events = _paid_gifts(fake_stripe, 2)
    for event in events:
        post_event(client, event)
    session = client.session
    session[SESSION_STARTED] = [donation.pk]
    session.save()
    html = client.get(f"/donate/thanks/{donation.pk}/").content.decode()
    donation.refresh_from_db()
    other.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED and 'hx-trigger="every 2s"' not in html
    assert other.status == Donation.Status.PENDING  # someone else's events wait for the batch
    assert InboxEvent.objects.filter(state="pending").count() == 2


def test_an_ignored_type_is_not_stored(fake_stripe, client, broker):
    event = fake_stripe.event("customer.created", {"id": "cus_1", "object": "customer"})
    assert post_event(client, event).json() == {"status": "ignored"}
    assert not InboxEvent.objects.exists() and broker == []


@pytest.mark.django_db(transaction=True)
def test_eight_senders_storm_shuffled_duplicated_deliveries_and_every_gift_counts_once(fake_stripe, page):
    """The storm at small size with 8 concurrent senders; batches run on commit in each request."""
    rng = random.Random(11)
    expected, deliveries = 0, []
    for number in range(24):
        amount = rng.choice([500, 1000, 2500])
        _donation, checkout = start_stripe_gift(amount, first_name=f"Storm{number}", page=page)
        events = fake_stripe.pay_session(checkout.reference)
        if number % 6 == 0:
            events.append(fake_stripe.refund_event(events[0]["data"]["object"]["id"], amount))
            amount = 0
        expected += amount
        deliveries += events
    deliveries += rng.sample(deliveries, k=len(deliveries) // 2)
    rng.shuffle(deliveries)

    def sender(share: list[dict]):
        def run() -> list[int]:
            web = Client()
            return [post_event(web, event).status_code for event in share]

        return run

    outcomes = run_together([sender(deliveries[index::8]) for index in range(8)])
    assert all(codes == [200] * len(codes) for codes in outcomes), outcomes
    inbox.drain()  # what a parked refund's retry or the sweep finishes
    InboxEvent.objects.filter(state="pending").update(next_try_at=timezone.now())
    inbox.drain()
    page.refresh_from_db()
    assert Donation.objects.filter(status=Donation.Status.SUCCEEDED).count() == 24
    assert (page.total_minor, page.gift_count) == (expected, 24)
    daily = DailyTotal.objects.values_list("amount_minor", "refund_minor", "gift_count")
    assert sum(a for a, _r, _g in daily) - sum(r for _a, r, _g in daily) == expected
    assert sum(g for _a, _r, g in daily) == 24
    assert Activity.objects.filter(kind="donations.gift").count() == 24
    assert InboxEvent.objects.exclude(state="done").count() == 0
    assert WebhookEvent.objects.count() == InboxEvent.objects.count()
