"""A factory for every registered personal-data source (see `quartier/accounts/privacy.py`).

`FACTORIES[name]` fills source `name` for a supporter with at least two rows in each of its models
where the model allows more than one (a profile, a calendar feed or a referral code is one per
supporter), each row carrying a marker text where it has a text field, so that the export and
erasure tests can find every row. `owned(supporter)` says which rows are the supporter's.

A newly registered source needs an entry in its app's module here: `test_every_registered_source_has_a_factory` fails
until it has one.
"""

from __future__ import annotations

from django.db.models import Model

from quartier.accounts.models import (
    Profile,
    Supporter,
)
from quartier.api.models import PersonDetails
from quartier.dashboard.models import LastActive, Referral
from quartier.integrity.models import TrustScore
from quartier.organizing.models import CalendarFeed
from quartier.outreach.models import (
    Suppression,
)
from quartier.reach.models import CascadeNode, LendingConsent, ReferralCode
from quartier.social import models as social
from quartier.tests.personal_data import (
    accounts,
    api,
    api_exchange,
    dashboard,
    donations,
    fieldwork,
    integrity,
    organizing,
    outreach,
    reach,
)
from quartier.tests.personal_data import social as social_factories
from quartier.tests.personal_data.common import Factory, People

FACTORIES: dict[str, Factory] = (
    accounts.FACTORIES
    | organizing.FACTORIES
    | outreach.FACTORIES
    | donations.FACTORIES
    | reach.FACTORIES
    | social_factories.FACTORIES
    | dashboard.FACTORIES
    | fieldwork.FACTORIES
    | api.FACTORIES
    | integrity.FACTORIES
    | api_exchange.FACTORIES
)

# Models that hold one row per supporter at most: the factories make one of each.
ONE_PER_SUPPORTER = {Supporter, Profile, CalendarFeed, ReferralCode, Suppression, social.SocialSettings}
ONE_PER_SUPPORTER |= {social.MergedAuthor}  # social: the mark of a very followed account
ONE_PER_SUPPORTER |= {LastActive, Referral}  # dashboard
ONE_PER_SUPPORTER |= {PersonDetails}  # api: what OSDI clients wrote about a person
ONE_PER_SUPPORTER |= {TrustScore}  # integrity
ONE_PER_SUPPORTER |= {CascadeNode}  # reach: one place in the who-brought-whom trees
ONE_PER_SUPPORTER |= {LendingConsent}  # reach: lend your status


def fill_every_source(supporter: Supporter, people: People) -> None:
    for factory in FACTORIES.values():
        factory.make(supporter, people)


def every_owned_row(supporter: Supporter) -> dict[str, dict[type[Model], list[int]]]:
    """The primary keys of the supporter's rows, by source and model."""
    return {
        name: {
            model: sorted(rows.values_list("pk", flat=True))
            for model, rows in factory.owned(supporter).items()
        }
        for name, factory in FACTORIES.items()
    }
