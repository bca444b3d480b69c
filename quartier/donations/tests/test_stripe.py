"""Stripe: hosted checkout with stored idempotency keys, signed webhooks applied exactly once in any
order, refunds, monthly gifts, and the reconcile command — against a local server speaking Stripe's
wire format."""

from __future__ import annotations

import json
import random
import time

import pytest
from django.core.management import call_command

from quartier.accounts.models import Activity
from quartier.donations import inbox
from quartier.donations.actions import limits as limits_actions
from quartier.donations.actions import recurring as recurring_actions
from quartier.donations.actions import refunds as refunds_actions
from quartier.donations.gateways import GatewayError, gateway_for
from quartier.donations.models import (
    DailyTotal,
    Donation,
    FundraisingPage,
    GatewayCall,
    RecurringGift,
    WebhookEvent,
)
from quartier.donations.tests.conftest import SECRETS, deliver, post_event, start_stripe_gift

pytestmark = pytest.mark.django_db


def test_checkout_sends_the_donor_to_stripe_with_the_gift_and_a_stored_idempotency_key(fake_stripe):
    donation, checkout = start_stripe_gift(2500)

    assert checkout.url.startswith("https://checkout.stripe.com/c/pay/cs_test_")
    assert donation.checkout_reference == checkout.reference
    call = fake_stripe.requests[-1]
    assert call["path"] == "/v1/checkout/sessions"
    assert call["authorization"] == "Bearer sk_test_quartier"
    assert call["params"]["metadata"] == {"donation_id": str(donation.pk)}
    assert call["params"]["line_items"][0]["price_data"]["unit_amount"] == "2500"
    assert call["params"]["payment_intent_data"]["metadata"] == {"donation_id": str(donation.pk)}
    assert (
        call["idempotency_key"] == GatewayCall.objects.get(purpose=f"checkout:{donation.pk}").idempotency_key
    )


def test_a_retried_call_reuses_its_idempotency_key_and_creates_one_session(fake_stripe):
    fake_stripe.fail_next = 2  # Stripe answers 500 twice; the library retries
    donation, _checkout = start_stripe_gift(2500)
    calls = [request for request in fake_stripe.requests if request["path"] == "/v1/checkout/sessions"]

    assert len(calls) == 3
    assert len({request["idempotency_key"] for request in calls}) == 1
    assert len(fake_stripe.sessions) == 1
    # Starting the same checkout again (a double click) sends the same key: Stripe replays its answer.
    session = gateway_for("stripe").start_checkout(
        donation, success_url="http://x/s", cancel_url="http://x/c"
    )
    assert session.reference == donation.checkout_reference
    assert len(fake_stripe.sessions) == 1


def test_a_paid_checkout_is_recorded_once_whatever_the_order_and_the_duplicates(fake_stripe, client, page):
    donation, checkout = start_stripe_gift(2500, page=page, credited_to=page.owner)
    events = fake_stripe.pay_session(checkout.reference)
    # checkout.session.completed before payment_intent.succeeded, each delivered twice.
    for event in [events[1], events[0], events[1], events[0]]:
        assert post_event(client, event).status_code == 200

    donation.refresh_from_db()
    page.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED
    assert donation.payment_reference == events[0]["data"]["object"]["id"]
    assert (page.total_minor, page.gift_count) == (2500, 1)
    assert WebhookEvent.objects.count() == 2
    assert sum(DailyTotal.objects.values_list("gift_count", flat=True)) == 1
    gift = Activity.objects.get(kind="donations.gift")
    assert (gift.amount, gift.currency, gift.credited_to) == (2500, "CAD", page.owner)


def test_a_refund_before_the_success_is_applied_once_the_success_arrives(fake_stripe, client, page):
    donation, checkout = start_stripe_gift(4000, page=page)
    succeeded, completed = fake_stripe.pay_session(checkout.reference)
    intent_id = succeeded["data"]["object"]["id"]
    refund = fake_stripe.refund_event(intent_id, 1500)

    # The refund arrives first: it is recorded on the gift (found through Stripe's API) but not counted yet.
    assert deliver(client, refund) == "applied"
    donation.refresh_from_db()
    assert (donation.status, donation.refunded_minor) == (Donation.Status.PENDING, 1500)
    for event in (completed, succeeded, refund):
        post_event(client, event)

    donation.refresh_from_db()
    page.refresh_from_db()
    assert (donation.status, donation.refunded_minor) == (Donation.Status.SUCCEEDED, 1500)
    assert page.total_minor == 2500
    refunds = Activity.objects.filter(kind="donations.refund")
    assert list(refunds.values_list("amount", flat=True)) == [-1500]
    assert sum(DailyTotal.objects.values_list("refund_minor", flat=True)) == 1500


def test_a_staff_refund_goes_to_stripe_and_its_event_changes_nothing_more(fake_stripe, client, staff):
    donation, checkout = start_stripe_gift(3000)
    for event in fake_stripe.pay_session(checkout.reference):
        post_event(client, event)
    donation.refresh_from_db()

    refunds_actions.refund(donation=donation, by=staff)
    with pytest.raises(refunds_actions.RefundNotAllowed):
        refunds_actions.refund(donation=donation, by=staff)
    post_event(client, fake_stripe.refund_event(donation.payment_reference, 3000))

    donation.refresh_from_db()
    refund_calls = [request for request in fake_stripe.requests if request["path"] == "/v1/refunds"]
    assert len(refund_calls) == 1
    assert refund_calls[0]["params"] == {"payment_intent": donation.payment_reference, "amount": "3000"}
    assert donation.refunded_minor == 3000
    assert Activity.objects.get(kind="donations.refund").amount == -3000
    # The refund Quartier asked for and Stripe's event about it are one refund in every total.
    assert sum(DailyTotal.objects.values_list("refund_minor", flat=True)) == 3000
    assert limits_actions.given_minor(identity_key=donation.identity_key, period=donation.period) == 0


def test_a_monthly_gift_starts_renews_and_stops_through_stripe(fake_stripe, client, supporter):
    donation, checkout = start_stripe_gift(1000, frequency="monthly", supporter=supporter)
    assert fake_stripe.requests[-1]["params"]["subscription_data"]["metadata"] == {
        "donation_id": str(donation.pk)
    }
    completed, first_invoice = fake_stripe.pay_session(checkout.reference)
    for event in (first_invoice, completed, first_invoice):
        post_event(client, event)
    recurring = RecurringGift.objects.get()
    renewal = fake_stripe.renew(recurring.subscription_reference)
    post_event(client, renewal)
    post_event(client, renewal)

    assert recurring.donations.filter(status=Donation.Status.SUCCEEDED).count() == 2
    recurring_actions.cancel_recurring(recurring=recurring)
    cancelled = fake_stripe.event(
        "customer.subscription.deleted", fake_stripe.subscriptions[recurring.subscription_reference]
    )
    post_event(client, cancelled)

    recurring.refresh_from_db()
    assert recurring.status == RecurringGift.Status.CANCELLED
    assert fake_stripe.subscriptions[recurring.subscription_reference]["status"] == "canceled"
    assert list(Activity.objects.filter(kind__startswith="donations.recurring").order_by("pk").values_list("kind", "count", "amount")) == [
        ("donations.recurring_started", 1, 1000), ("donations.recurring_cancelled", -1, -1000)
    ]  # fmt: skip
    assert sum(DailyTotal.objects.values_list("monthly_change_minor", flat=True)) == 0


def test_an_expired_checkout_gives_the_reservation_back(fake_stripe, client, us_federal):
    donation, checkout = start_stripe_gift(350_000, employer="Acme", occupation="Nurse")
    expired = fake_stripe.event(
        "checkout.session.expired", {**fake_stripe.sessions[checkout.reference], "status": "expired"}
    )
    post_event(client, expired)

    donation.refresh_from_db()
    assert donation.status == Donation.Status.FAILED
    assert limits_actions.committed_minor(identity_key=donation.identity_key, period=donation.period) == 0


def test_the_old_and_the_new_secret_are_both_accepted_while_rolling(fake_stripe, client):
    _donation, checkout = start_stripe_gift(2500)
    first, second = fake_stripe.pay_session(checkout.reference)
    assert post_event(client, first, secret=SECRETS[0]).status_code == 200
    assert post_event(client, second, secret=SECRETS[1]).status_code == 200
    assert WebhookEvent.objects.count() == 2


@pytest.mark.parametrize(
    ("how", "status", "error"),
    [("bad_signature", 400, "invalid_signature"), ("stale", 400, "invalid_signature"),
     ("no_header", 400, "invalid_signature"), ("malformed", 400, "malformed_event"),
     ("not_an_event", 400, "malformed_event")],
)  # fmt: skip
def test_bad_deliveries_are_refused_logged_and_record_nothing(
    fake_stripe, client, caplog, how, status, error
):
    donation, checkout = start_stripe_gift(2500)
    event = fake_stripe.pay_session(checkout.reference)[0]
    from quartier.donations.tests.fake_stripe import sign

    body, header = sign(event, SECRETS[0])
    if how == "bad_signature":
        body, header = sign(event, "whsec_someone_else")
    elif how == "stale":
        body, header = sign(event, SECRETS[0], timestamp=int(time.time()) - 301)
    elif how == "no_header":
        header = ""
    elif how == "malformed":
        body = '{"id": "evt_1", "type": '
        header = sign.__globals__["stripe"].WebhookSignature.generate_signature_header(body, SECRETS[0])
    elif how == "not_an_event":
        body = json.dumps({"hello": "world"})
        header = sign.__globals__["stripe"].WebhookSignature.generate_signature_header(body, SECRETS[0])
    response = client.post(
        "/donate/webhooks/stripe/", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
    )

    assert response.status_code == status
    assert response.json()["error"] == error and response.json()["reason"]
    assert "stripe webhook" in caplog.text
    donation.refresh_from_db()
    assert donation.status == Donation.Status.PENDING
    assert WebhookEvent.objects.count() == 0


def test_an_unknown_event_type_is_acknowledged_and_records_nothing(fake_stripe, client, caplog):
    caplog.set_level("INFO")
    response = post_event(
        client, fake_stripe.event("customer.created", {"id": "cus_1", "object": "customer"})
    )
    assert response.json() == {"status": "ignored"}
    assert WebhookEvent.objects.count() == 0
    assert "ignored" in caplog.text


def test_a_webhook_fails_with_503_when_the_database_is_away_and_stripe_retries(
    fake_stripe, client, monkeypatch
):
    from django.db import OperationalError

    donation, checkout = start_stripe_gift(2500)
    event = fake_stripe.pay_session(checkout.reference)[0]

    def database_gone(event):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(inbox, "receive", database_gone)
    assert post_event(client, event).status_code == 503
    monkeypatch.undo()
    assert deliver(client, event) == "applied"
    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED


def test_reconcile_applies_the_events_the_webhook_missed_and_nothing_twice(fake_stripe, client):
    gifts = [start_stripe_gift(1000 + number) for number in range(3)]
    delivered = fake_stripe.pay_session(gifts[0][1].reference)
    for event in delivered:
        post_event(client, event)
    for _donation, checkout in gifts[1:]:
        fake_stripe.pay_session(checkout.reference)  # never delivered: the webhook endpoint was down

    call_command("reconcile_stripe", "--hours", "1")
    call_command("reconcile_stripe", "--hours", "1")

    assert Donation.objects.filter(status=Donation.Status.SUCCEEDED).count() == 3
    assert WebhookEvent.objects.count() == 6
    assert sum(DailyTotal.objects.values_list("amount_minor", flat=True)) == 1000 + 1001 + 1002


def test_a_storm_of_shuffled_duplicated_webhooks_records_every_gift_exactly_once(fake_stripe, client, page):
    """A smaller storm in the suite; `python -m bench.donations` sends 10,000 deliveries on PostgreSQL."""
    random.seed(7)
    expected = 0
    deliveries = []
    for number in range(60):
        amount = random.choice([500, 1000, 2500, 5000, 25_000])
        _donation, checkout = start_stripe_gift(amount, first_name=f"Donor{number}", page=page)
        events = fake_stripe.pay_session(checkout.reference)
        if number % 10 == 0:
            events.append(fake_stripe.refund_event(events[0]["data"]["object"]["id"], amount))
            amount = 0
        expected += amount
        deliveries += events
    deliveries += random.sample(deliveries, k=int(len(deliveries) * 0.3 / 0.7))  # 30% duplicates
    random.shuffle(deliveries)
    failed = []
    for index, event in enumerate(deliveries):
        if index % 37 == 0:
            failed.append(event)  # lost on the way: Stripe retries later
            continue
        assert post_event(client, event).status_code == 200
    for event in failed:
        assert post_event(client, event).status_code == 200

    page.refresh_from_db()
    assert Donation.objects.filter(status=Donation.Status.SUCCEEDED).count() == 60
    assert page.total_minor == expected
    assert (
        sum(DailyTotal.objects.values_list("amount_minor", flat=True))
        - sum(DailyTotal.objects.values_list("refund_minor", flat=True))
        == expected
    )
    assert Activity.objects.filter(kind="donations.gift").count() == 60
    assert FundraisingPage.objects.get(pk=page.pk).gift_count == 60


def test_a_monthly_amount_changed_back_and_forth_makes_one_call_per_change(fake_stripe, client, supporter):
    _donation, checkout = start_stripe_gift(1000, frequency="monthly", supporter=supporter)
    for event in fake_stripe.pay_session(checkout.reference):
        post_event(client, event)
    recurring = RecurringGift.objects.get()
    subscription = fake_stripe.subscriptions[recurring.subscription_reference]

    def unit_amount() -> int:
        return int(subscription["items"]["data"][0]["price"]["unit_amount"])

    # 10 → 20 → 10 → 20 within a day: each change reaches Stripe; none replays an earlier answer.
    for amount in (2000, 1000, 2000):
        recurring_actions.update_recurring_amount(recurring=recurring, amount_minor=amount)
        assert unit_amount() == amount
    updates = [r for r in fake_stripe.requests if r["method"] == "POST" and "/v1/subscriptions/" in r["path"]]
    assert len({request["idempotency_key"] for request in updates}) == 3
    stored = GatewayCall.objects.filter(purpose__startswith=f"change:{recurring.pk}:")
    assert {call.idempotency_key for call in stored} == {request["idempotency_key"] for request in updates}

    # Stripe fails every try of the next change: nothing changes here; trying the same change again
    # sends the same key (Stripe applies it once, whichever try got through).
    fake_stripe.fail_next, fake_stripe.fail_only = 3, "POST"
    with pytest.raises(GatewayError):
        recurring_actions.update_recurring_amount(recurring=recurring, amount_minor=1000)
    recurring.refresh_from_db()
    assert (recurring.amount_minor, unit_amount()) == (2000, 2000)
    recurring_actions.update_recurring_amount(recurring=recurring, amount_minor=1000)
    retried = [
        r for r in fake_stripe.requests if r["method"] == "POST" and "/v1/subscriptions/" in r["path"]
    ][3:]
    assert len(retried) == 4 and len({request["idempotency_key"] for request in retried}) == 1
    recurring.refresh_from_db()
    assert (recurring.amount_minor, unit_amount(), recurring.amount_changes) == (1000, 1000, 4)
