"""Concurrent donors, double clicks and duplicated webhooks: nothing passes a limit or counts twice."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client

from quartier.donations import sandbox
from quartier.donations.actions import checkout as checkout_actions
from quartier.donations.actions import limits as limits_actions
from quartier.donations.models import DailyTotal, Donation, DonorAggregate, FundraisingPage, WebhookEvent
from quartier.donations.tests.conftest import draft, post_event, start_stripe_gift
from quartier.testing import run_together

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.mark.parametrize("who", ["verified donor", "one browser session"])
def test_two_simultaneous_gifts_that_together_pass_the_limit_one_is_refused(us_federal, supporter, who):
    details = {"employer": "Hospital", "occupation": "Nurse"}
    if who == "verified donor":
        details["supporter"] = supporter

    def gift() -> str:
        try:
            checkout_actions.start_donation(
                draft=draft(200_000, **details), gateway="sandbox", session_key="one-browser"
            )
        except limits_actions.LimitExceeded:
            return "refused"
        return "reserved"

    outcomes = run_together([gift, gift, gift, gift])
    assert sorted(outcomes) == ["refused", "refused", "refused", "reserved"]
    aggregate = DonorAggregate.objects.get()
    # A verified donor's checkout holds its share for everyone; a session's only for that session.
    held = 200_000 if who == "verified donor" else 0
    assert (aggregate.total_minor, aggregate.reserved_minor) == (0, held)
    assert Donation.objects.count() == 1


def test_many_small_simultaneous_gifts_stop_exactly_at_the_limit(quebec, supporter):
    def gift() -> str:
        try:
            donation = checkout_actions.start_donation(
                draft=draft(3000, supporter=supporter), gateway="sandbox"
            )
        except limits_actions.LimitExceeded:
            return "refused"
        sandbox.complete(donation=donation, card=sandbox.SUCCEEDS)
        return "paid"

    outcomes = run_together([gift] * 6)
    assert outcomes.count("paid") == 3 and outcomes.count("refused") == 3  # 3 x $30 ≤ $100 < 4 x $30
    assert DonorAggregate.objects.get().total_minor == 9000


def test_simultaneous_signed_out_gifts_past_the_limit_are_flagged_at_payment(quebec):
    """Checkouts from six browsers hold nothing for each other: a checkout that starts after others
    were paid is refused; those that started before are paid, checked one at a time, and flagged."""

    def gift(number: int):
        def run() -> str:
            try:
                donation = checkout_actions.start_donation(
                    draft=draft(3000), gateway="sandbox", session_key=f"browser-{number}"
                )
            except limits_actions.LimitExceeded:
                return "refused"
            sandbox.complete(donation=donation, card=sandbox.SUCCEEDS)
            return "paid"

        return run

    outcomes = run_together([gift(number) for number in range(6)])
    paid = outcomes.count("paid")
    assert paid + outcomes.count("refused") == 6 and paid >= 3
    # The first three payments fit $100; any later one is flagged for a refund.
    assert Donation.objects.filter(status=Donation.Status.SUCCEEDED, flag="").count() == 3
    assert Donation.objects.filter(flag=Donation.Flag.OVER_LIMIT).count() == paid - 3
    assert DonorAggregate.objects.get().total_minor == 3000 * paid


def test_the_same_webhook_delivered_at_the_same_moment_counts_once(fake_stripe, page):
    donation, checkout = start_stripe_gift(2500, page=page)
    events = fake_stripe.pay_session(checkout.reference)

    def deliver(event):
        return lambda: post_event(Client(), event).status_code

    outcomes = run_together([deliver(event) for event in events for _copy in range(4)])
    assert outcomes == [200] * 8
    page.refresh_from_db()
    donation.refresh_from_db()
    assert donation.status == Donation.Status.SUCCEEDED
    assert (page.total_minor, page.gift_count) == (2500, 1)
    assert WebhookEvent.objects.count() == 2
    assert sum(DailyTotal.objects.values_list("gift_count", flat=True)) == 1


def test_concurrent_gifts_to_one_page_all_add_up(page):
    def gift(number: int):
        def run() -> str:
            donation = checkout_actions.start_donation(
                draft=draft(1000 + number, first_name=f"D{number}", page=page), gateway="sandbox"
            )
            sandbox.complete(donation=donation, card=sandbox.SUCCEEDS)
            return "paid"

        return run

    assert run_together([gift(number) for number in range(8)]) == ["paid"] * 8
    page = FundraisingPage.objects.get(pk=page.pk)
    assert (page.total_minor, page.gift_count) == (sum(1000 + n for n in range(8)), 8)


def test_a_double_clicked_pay_button_charges_once(page):
    donation = checkout_actions.start_donation(draft=draft(2500, page=page), gateway="sandbox")

    def pay() -> bool:
        return sandbox.complete(donation=Donation.objects.get(pk=donation.pk), card=sandbox.SUCCEEDS)

    run_together([pay, pay, pay])
    assert FundraisingPage.objects.get(pk=page.pk).total_minor == 2500
    assert connection.vendor in {"sqlite", "postgresql"}
