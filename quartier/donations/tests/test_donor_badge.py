"""The donor badge: a paid gift whose billing name and postal code match the donor's profile; a full
refund of that gift takes it back."""

from __future__ import annotations

import pytest

from quartier.accounts.badges import Badge
from quartier.accounts.models import Supporter
from quartier.accounts.verification_models import Verification
from quartier.donations.actions import gifts as gifts_actions
from quartier.donations.tests.conftest import give

pytestmark = pytest.mark.django_db


@pytest.fixture
def donor(make_supporter) -> Supporter:
    return make_supporter("Élise Roy", postal_code="H2X 1Y4")


def test_a_gift_in_the_profiles_name_and_postal_code_earns_the_donor_badge(donor):
    gift = give(supporter=donor, first_name="elise", last_name="ROY", postal_code="h2x1y4")
    verified = Verification.objects.get(supporter=donor, kind=Verification.Kind.DONOR)
    assert verified.evidence == f"gift:{gift.pk}"
    # Earned but hidden until the donor chooses to show it (a gift is nobody's business).
    assert Supporter.objects.get(pk=donor.pk).shown_badges & Badge.DONOR == 0


@pytest.mark.parametrize(
    "changes", [{"first_name": "Eliane"}, {"postal_code": "H3Z 2Y7"}, {"last_name": "Roy-Tremblay"}]
)
def test_a_gift_under_another_name_or_postal_code_earns_nothing(donor, changes):
    give(supporter=donor, **changes)
    assert not Verification.objects.filter(supporter=donor).exists()


def test_a_gift_without_an_account_earns_nothing(donor):
    give()
    assert not Verification.objects.exists()


def test_a_full_refund_of_the_gift_takes_the_badge_back(donor):
    gift = give(supporter=donor)
    gifts_actions.apply_refunded_total(donation_id=gift.pk, refunded_total_minor=gift.amount_minor)
    assert not Verification.objects.filter(supporter=donor).exists()


def test_a_partial_refund_keeps_the_badge(donor):
    gift = give(supporter=donor)
    gifts_actions.apply_refunded_total(donation_id=gift.pk, refunded_total_minor=gift.amount_minor // 2)
    assert Verification.objects.filter(supporter=donor, kind=Verification.Kind.DONOR).exists()
