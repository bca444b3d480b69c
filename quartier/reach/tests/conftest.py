from __future__ import annotations

import itertools
from collections.abc import Callable

import pytest

from quartier.accounts import actions as accounts_actions
from quartier.accounts.models import Supporter

_numbers = itertools.count(1)


@pytest.fixture
def join(db) -> Callable[..., Supporter]:
    """Sign someone up the way the sign-up form does, brought by `referred_by` when given."""

    def make(name: str, referred_by: Supporter | None = None, refcode: str = "") -> Supporter:
        supporter = Supporter(email=f"joiner{next(_numbers)}@example.org")
        supporter.set_password("x")
        return accounts_actions.complete_signup(
            supporter=supporter, display_name=name, country="CA", postal_code="H2X 1Y4", language="fr",
            news_consent=False, consent_wording="Non merci", ip_address="127.0.0.1", referred_by=referred_by,
            refcode=refcode,
        )  # fmt: skip

    return make
