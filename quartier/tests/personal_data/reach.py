"""Factories for the personal data sources of `reach` (see `registry.py`)."""

from __future__ import annotations

from quartier.accounts.models import (
    Supporter,
)
from quartier.reach.actions import referral_code_for
from quartier.reach.models import ReferralCode
from quartier.tests.personal_data.common import Factory, People, count_rows


def _referral_code(supporter: Supporter, people: People) -> None:
    referral_code_for(supporter)


FACTORIES: dict[str, Factory] = {
    "referral_code": Factory(
        _referral_code,
        owned=lambda s: {ReferralCode: ReferralCode.objects.filter(supporter=s)},
        exported=lambda data: {ReferralCode: count_rows(data)},
    ),
}
