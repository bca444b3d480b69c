"""Nobody can use up someone else's legal limit with checkouts never paid (issue 17, point 7).

Only a signed-in verified donor's checkout holds its share of the limit for everyone, and only for
`DONATIONS_RESERVATION_MINUTES`; a signed-out or unverified checkout counts for its own browser
session only. The limit is checked again when a payment arrives: a gift past it is flagged for
refund or redesignation, as the law allows.
"""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from quartier.donations import sandbox
from quartier.donations.actions import checkout as checkout_actions
from quartier.donations.actions import limits as limits_actions
from quartier.donations.models import Donation, DonorAggregate
from quartier.donations.tests.conftest import committed, draft, start_stripe_gift
from quartier.donations.tests.test_compliance import form_data
from quartier.testing import client_for

pytestmark = pytest.mark.django_db
DETAILS = {"employer": "Hospital", "occupation": "Nurse"}


def full_limit_form() -> dict[str, str]:
    return form_data(amount="other", other_amount="3500", **DETAILS)


def state() -> tuple:
    return (
        list(Donation.objects.order_by("pk").values_list("status", "reservation_held", "amount_minor")),
        list(DonorAggregate.objects.values_list("total_minor", "reserved_minor")),
    )


@pytest.mark.parametrize("stranger", ["anonymous", "unverified"])
def test_a_strangers_unpaid_checkout_in_my_name_does_not_block_my_gift(
    us_federal, supporter, unverified, stranger
):
    attacker = Client() if stranger == "anonymous" else client_for(unverified)
    assert attacker.post("/donate/", full_limit_form()).status_code == 302  # in Élise Roy's name
    assert DonorAggregate.objects.get().reserved_minor == 0  # it holds nothing for anyone else

    # The person herself still gives: signed out in her own browser, or signed in and verified.
    for donor in (Client(), client_for(supporter)):
        response = donor.post("/donate/", full_limit_form())
        assert response.status_code == 302, response.content.decode()[:300]
    assert Donation.objects.filter(status=Donation.Status.PENDING).count() == 3

    # The stranger's own session cannot stack a second checkout on top of its first.
    before = state()
    refused = attacker.post("/donate/", form_data(amount="other", other_amount="100", **DETAILS))
    assert refused.status_code == 400
    assert "reached the legal limit" in refused.content.decode()
    assert state() == before


def test_a_verified_donors_checkout_holds_the_limit_only_for_a_short_while(us_federal, supporter, settings):
    settings.DONATIONS_RESERVATION_MINUTES = 60
    verified = client_for(supporter)
    assert verified.post("/donate/", full_limit_form()).status_code == 302
    assert DonorAggregate.objects.get().reserved_minor == 350_000
    before = state()
    assert Client().post("/donate/", full_limit_form()).status_code == 400  # held for everyone
    assert state() == before

    Donation.objects.update(created_at=timezone.now() - timedelta(minutes=61))
    assert Client().post("/donate/", full_limit_form()).status_code == 302
    first = Donation.objects.order_by("pk").first()
    assert first.status == Donation.Status.FAILED and not first.reservation_held
    assert DonorAggregate.objects.get().reserved_minor == 0
    assert checkout_actions.expire_stale_checkouts(now=timezone.now() + timedelta(minutes=61)) == 1


def test_when_both_checkouts_are_paid_the_one_past_the_limit_is_flagged(us_federal, supporter):
    strangers = checkout_actions.start_donation(
        draft=draft(350_000, **DETAILS), gateway="sandbox", session_key="theirs"
    )
    mine = checkout_actions.start_donation(
        draft=draft(350_000, supporter=supporter, **DETAILS), gateway="sandbox", session_key="mine"
    )
    with committed():
        sandbox.complete(donation=strangers, card=sandbox.SUCCEEDS)
        sandbox.complete(donation=mine, card=sandbox.SUCCEEDS)
    mine.refresh_from_db()
    strangers.refresh_from_db()
    assert (mine.status, mine.flag) == (Donation.Status.SUCCEEDED, "")
    assert (strangers.status, strangers.flag) == (Donation.Status.SUCCEEDED, Donation.Flag.OVER_LIMIT)
    assert strangers.resolve_by is not None
    assert limits_actions.given_minor(identity_key=mine.identity_key, period=mine.period) == 700_000


def test_stripes_page_closes_when_the_hold_ends(fake_stripe, settings):
    settings.DONATIONS_RESERVATION_MINUTES = 45
    start_stripe_gift(2500)
    expires_at = int(fake_stripe.requests[-1]["params"]["expires_at"])
    assert 44 * 60 <= expires_at - int(timezone.now().timestamp()) <= 46 * 60
