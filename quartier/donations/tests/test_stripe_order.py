"""Every order of a gift's Stripe events, in the pinned API version's shapes, gives the same records.

A monthly charge's invoice has no `payment_intent` in that version and its intent carries no metadata
of ours: a refund is traced through the invoice's payment. An event that matches no gift yet is parked
(never marked applied) and applied when its gift appears, or by `reconcile_stripe`.
"""

from __future__ import annotations

import itertools

import pytest
import stripe
from django.core.management import CommandError, call_command
from django.utils import timezone

from quartier.donations import inbox
from quartier.donations.models import (
    DailyTotal,
    Donation,
    FundraisingPage,
    InboxEvent,
    ParkedEvent,
    WebhookEvent,
)
from quartier.donations.tests.conftest import deliver, outcome, post_event, start_stripe_gift

pytestmark = pytest.mark.django_db


def test_the_fake_speaks_the_pinned_api_version(fake_stripe):
    """The shapes below are those of the version the installed library pins (basil or later)."""
    assert stripe.api_version >= "2025-03-31"
    _donation, checkout = start_stripe_gift(1000, frequency="monthly")
    completed, invoice_paid = fake_stripe.pay_session(checkout.reference)
    invoice = invoice_paid["data"]["object"]
    assert "payment_intent" not in invoice and "subscription" not in invoice
    assert (
        invoice["parent"]["subscription_details"]["subscription"]
        == completed["data"]["object"]["subscription"]
    )
    assert fake_stripe.intents[fake_stripe.intent_of(invoice["id"])]["metadata"] == {}


def _monthly_events(fake_stripe, amount: int, number: int, page) -> tuple[Donation, dict[str, dict]]:
    donation, checkout = start_stripe_gift(
        amount, frequency="monthly", first_name=f"Monthly{number}", page=page
    )
    completed, first_invoice = fake_stripe.pay_session(checkout.reference)
    subscription = completed["data"]["object"]["subscription"]
    renewal = fake_stripe.renew(subscription)
    renewal_intent = fake_stripe.intent_of(renewal["data"]["object"]["id"])
    first_intent = fake_stripe.intent_of(first_invoice["data"]["object"]["id"])
    events = {
        "checkout": completed,
        "first_invoice": first_invoice,
        "renewal": renewal,
        "renewal_refund": fake_stripe.refund_event(renewal_intent, amount),
        "first_refund": fake_stripe.refund_event(first_intent, 300),
    }
    return donation, events


def test_every_order_of_a_monthly_gifts_events_records_both_charges_and_both_refunds(
    fake_stripe, client, page
):
    names = ["checkout", "first_invoice", "renewal", "renewal_refund", "first_refund"]
    orders = list(itertools.permutations(names))
    amount = 1000
    for number, order in enumerate(orders):
        donation, events = _monthly_events(fake_stripe, amount, number, page)
        deliveries = [events[name] for name in order] + [events[order[0]], events[order[-1]]]
        outcomes = [deliver(client, event) for event in deliveries]
        assert set(outcomes) <= {"applied", "parked", "duplicate"}, (order, outcomes)

        donation.refresh_from_db()
        renewal = Donation.objects.get(invoice_reference=events["renewal"]["data"]["object"]["id"])
        assert (donation.status, donation.refunded_minor) == (Donation.Status.SUCCEEDED, 300), order
        assert (renewal.status, renewal.refunded_minor) == (Donation.Status.SUCCEEDED, amount), order
        assert renewal.recurring_id == donation.recurring_id is not None
        assert ParkedEvent.objects.count() == 0, order
        assert (
            WebhookEvent.objects.filter(event_id__in=[event["id"] for event in events.values()]).count() == 5
        )

    gifts = len(orders) * 2
    page.refresh_from_db()
    assert (page.gift_count, page.total_minor) == (gifts, len(orders) * (2 * amount - 300 - amount))
    assert sum(DailyTotal.objects.values_list("refund_minor", flat=True)) == len(orders) * (amount + 300)
    assert sum(DailyTotal.objects.values_list("gift_count", flat=True)) == gifts


def test_every_order_of_a_one_time_gifts_events_records_it_once(fake_stripe, client, page):
    for number, order in enumerate(itertools.permutations(range(3))):
        donation, checkout = start_stripe_gift(4000, first_name=f"Once{number}", page=page)
        succeeded, completed = fake_stripe.pay_session(checkout.reference)
        refund = fake_stripe.refund_event(succeeded["data"]["object"]["id"], 1500)
        events = [succeeded, completed, refund]
        for index in [*order, *order]:
            assert deliver(client, events[index]) in {"applied", "duplicate"}
        donation.refresh_from_db()
        assert (donation.status, donation.refunded_minor) == (Donation.Status.SUCCEEDED, 1500), order
    page.refresh_from_db()
    assert (page.gift_count, page.total_minor) == (6, 6 * 2500)
    assert ParkedEvent.objects.count() == 0


def test_a_renewals_refund_before_its_invoice_is_parked_not_marked_applied_then_applied(
    fake_stripe, client, caplog
):
    _donation, events = _monthly_events(fake_stripe, 1000, 0, None)
    post_event(client, events["checkout"])
    post_event(client, events["first_invoice"])

    response = post_event(client, events["renewal_refund"])
    assert response.status_code == 200 and response.json() == {"status": "received"}
    assert outcome(events["renewal_refund"]) == "parked"
    assert not WebhookEvent.objects.filter(event_id=events["renewal_refund"]["id"]).exists()
    parked = ParkedEvent.objects.get()
    assert parked.invoice == events["renewal"]["data"]["object"]["id"]  # traced through the invoice payment
    assert "parked" in caplog.text
    # Stripe retries it: the database ignores the copy; the inbox tries it again later: still parked, once.
    assert post_event(client, events["renewal_refund"]).json() == {"status": "duplicate"}
    stored = InboxEvent.objects.get(event_id=events["renewal_refund"]["id"])
    assert (stored.state, stored.attempts, stored.next_try_at > timezone.now()) == ("pending", 1, True)
    InboxEvent.objects.filter(pk=stored.pk).update(next_try_at=timezone.now())
    assert inbox.drain() == {"parked": 1}
    assert ParkedEvent.objects.get().attempts == 2
    assert InboxEvent.objects.get(pk=stored.pk).state == "pending"  # never marked done while parked

    assert deliver(client, events["renewal"]) == "applied"
    renewal = Donation.objects.get(invoice_reference=events["renewal"]["data"]["object"]["id"])
    assert renewal.refunded_minor == 1000
    assert ParkedEvent.objects.count() == 0
    assert WebhookEvent.objects.filter(event_id=events["renewal_refund"]["id"]).exists()
    assert sum(DailyTotal.objects.values_list("refund_minor", flat=True)) == 1000


def test_reconcile_applies_parked_events_and_lists_what_stays_unmatched(fake_stripe, client, caplog):
    _donation, events = _monthly_events(fake_stripe, 1000, 0, None)
    for name in ("checkout", "first_invoice", "renewal_refund"):
        post_event(client, events[name])
    # A refund of a payment that is none of ours (another product on the same Stripe account).
    stranger = fake_stripe.refund_event(
        fake_stripe.intent_of(events["first_invoice"]["data"]["object"]["id"]), 1
    )
    stranger["data"]["object"]["payment_intent"] = "pi_not_ours"
    fake_stripe.intents["pi_not_ours"] = {"id": "pi_not_ours", "object": "payment_intent", "metadata": {}}
    assert deliver(client, stranger) == "parked"
    assert ParkedEvent.objects.count() == 2

    # The renewal's invoice.paid never reached the webhook: reconcile finds it and applies the refund.
    with pytest.raises(CommandError) as raised:
        call_command("reconcile_stripe", "--hours", "1")

    assert raised.value.returncode == 2
    assert stranger["id"] in str(raised.value) and "pi_not_ours" in str(raised.value)
    assert events["renewal_refund"]["id"] not in str(raised.value)
    assert list(ParkedEvent.objects.values_list("event_id", flat=True)) == [stranger["id"]]
    renewal = Donation.objects.get(invoice_reference=events["renewal"]["data"]["object"]["id"])
    assert renewal.refunded_minor == 1000
    assert "match no gift" in caplog.text


def test_a_checkout_for_an_unknown_gift_is_parked_and_a_known_refund_is_not(fake_stripe, client):
    donation, checkout = start_stripe_gift(2500)
    succeeded, completed = fake_stripe.pay_session(checkout.reference)
    orphan = fake_stripe.event(
        "checkout.session.completed", {**completed["data"]["object"], "metadata": {"donation_id": "999999"},
                                       "client_reference_id": None, "id": "cs_orphan", "payment_intent": "pi_other"},
    )  # fmt: skip
    assert deliver(client, orphan) == "parked"
    stored = InboxEvent.objects.get(event_id=orphan["id"])  # parked in a batch: pending, never done
    assert (stored.state, stored.attempts, stored.next_try_at > timezone.now()) == ("pending", 1, True)
    assert FundraisingPage.objects.count() == 0
    assert deliver(client, succeeded) == "applied"
    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED
    assert list(ParkedEvent.objects.values_list("event_id", flat=True)) == [orphan["id"]]
    InboxEvent.objects.filter(pk=stored.pk).update(next_try_at=timezone.now())
    assert inbox.drain() == {"parked": 1}  # tried again: still waiting for its gift
    assert InboxEvent.objects.get(pk=stored.pk).state == "pending"
