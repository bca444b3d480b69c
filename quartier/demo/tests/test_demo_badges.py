"""The demo shows the verification badges: the named accounts are vouched for by the organiser, and
generated supporters who confirmed their email carry the email badge."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from quartier.accounts.badges import Badge
from quartier.accounts.models import Supporter
from quartier.demo.demo_people import DEMO_ACCOUNTS, ORGANISER_EMAIL

pytestmark = pytest.mark.django_db


def test_the_named_demo_accounts_show_their_badges():
    call_command("load_demo", "--supporters", "20", stdout=StringIO())
    for account in DEMO_ACCOUNTS:
        badges = Supporter.objects.get(email=account.email).shown_badges
        assert badges & Badge.EMAIL
        assert bool(badges & Badge.VOUCHED) == (account.email != ORGANISER_EMAIL)
    generated = Supporter.objects.exclude(email__in=[account.email for account in DEMO_ACCOUNTS])
    assert generated.exists()
    for supporter in generated:
        assert bool(supporter.shown_badges & Badge.EMAIL) == (supporter.email_verified_at is not None)
