"""Promises of "Download my data" that deliberate bugs showed no test pinned (issue 19).

The download holds every monthly gift, stopped ones included; it never says who blocked the person
(a block against them is the other person's data). The classes (every status of every source; no
source exports someone else's rows) are in `test_export_every_row.py`.
"""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from quartier.donations import sandbox
from quartier.donations.actions import checkout as checkout_actions
from quartier.donations.actions import recurring as recurring_actions
from quartier.donations.models import RecurringGift
from quartier.social.actions import connections as connections_actions
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _sandbox(settings):
    settings.DONATIONS_GATEWAY = "sandbox"
    settings.DONATIONS_JURISDICTION = "none"
    settings.DONATIONS_CURRENCY = "CAD"


def _download(supporter) -> dict:
    response = client_for(supporter).get(reverse("accounts:export_data"))
    assert response.status_code == 200
    return json.loads(response.content)["data"]


def _monthly(supporter, amount_minor: int) -> RecurringGift:
    draft = checkout_actions.DonationDraft(
        first_name="Marie", last_name="Tremblay", email=supporter.email, amount_minor=amount_minor,
        currency="CAD", frequency="monthly", postal_code="H2X 1Y4", supporter=supporter,
    )  # fmt: skip
    donation = checkout_actions.start_donation(draft=draft, gateway="sandbox")
    sandbox.complete(donation=donation, card=sandbox.SUCCEEDS)
    return RecurringGift.objects.get(supporter=supporter, amount_minor=amount_minor)


def test_the_download_holds_every_monthly_gift_stopped_ones_included(supporter):
    running = _monthly(supporter, 1000)
    stopped = recurring_actions.cancel_recurring(recurring=_monthly(supporter, 2000))
    waiting = RecurringGift.objects.create(
        supporter=supporter, gateway="sandbox", amount_minor=3000, currency="CAD"
    )

    gifts = _download(supporter)["monthly_gifts"]

    assert sorted((gift["amount_minor"], gift["status"]) for gift in gifts) == [
        (running.amount_minor, "active"), (stopped.amount_minor, "cancelled"), (waiting.amount_minor, "pending"),
    ]  # fmt: skip
    assert len(_download(supporter)["donations"]) == 2  # each first charge, the stopped one's too


def test_the_download_never_says_who_blocked_the_person(make_supporter, supporter):
    blocker = make_supporter("Bertrand Blocker", email="bertrand.blocker@example.org")
    blocked_by_me = make_supporter("Mia Blocked")
    connections_actions.block(blocker=blocker, blocked=supporter)
    connections_actions.block(blocker=supporter, blocked=blocked_by_me)

    response = client_for(supporter).get(reverse("accounts:export_data"))
    text = response.content.decode()
    data = json.loads(text)["data"]

    assert [block["blocked__handle"] for block in data["blocks"]] == [blocked_by_me.handle]
    for trace in (blocker.handle, blocker.email, "Bertrand", "Blocker"):
        assert trace not in text, trace
    # The blocker's own download says whom they blocked.
    assert supporter.handle in json.dumps(_download(blocker)["blocks"])
