"""Factories for the personal data sources of `reach` (see `registry.py`)."""

from __future__ import annotations

from quartier.accounts.models import (
    Supporter,
)
from quartier.reach.actions import referral_code_for
from quartier.reach.actions.attribution import record_conversion
from quartier.reach.models import CascadeNode, Conversion, ReferralCode
from quartier.tests.personal_data.common import Factory, People, count_rows


def _referral_code(supporter: Supporter, people: People) -> None:
    referral_code_for(supporter)


def _referral_attribution(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        record_conversion(
            kind=Conversion.Kind.RSVP if number == 1 else Conversion.Kind.SIGNUP,
            source_key=people.marker("referral_attribution", number),
            converter=supporter,
            credited_to=people.organiser,
        )


FACTORIES: dict[str, Factory] = {
    "referral_code": Factory(
        _referral_code,
        owned=lambda s: {ReferralCode: ReferralCode.objects.filter(supporter=s)},
        exported=lambda data: {ReferralCode: count_rows(data)},
    ),
    "referral_attribution": Factory(
        _referral_attribution,
        owned=lambda s: {
            CascadeNode: CascadeNode.objects.filter(supporter=s),
            Conversion: Conversion.objects.filter(converter=s),
        },
        exported=lambda data: {
            CascadeNode: count_rows(data["my_place"]),
            Conversion: count_rows(data["my_conversions"]),
        },
    ),
}
