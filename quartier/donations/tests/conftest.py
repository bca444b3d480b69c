"""Fixtures for the donations tests: a jurisdiction per test, pages, gifts made through the sandbox."""

from __future__ import annotations

import pytest

from quartier.donations import inbox, sandbox, tasks
from quartier.donations.actions import checkout as checkout_actions
from quartier.donations.actions import pages as pages_actions
from quartier.donations.models import Donation, FundraisingPage


@pytest.fixture(autouse=True)
def _sandbox_in_canada(settings):
    settings.DONATIONS_GATEWAY = "sandbox"
    settings.DONATIONS_JURISDICTION = "none"
    settings.DONATIONS_CURRENCY = "CAD"
    settings.DONATIONS_ELECTION_YEAR = 0


@pytest.fixture
def us_federal(settings):
    settings.DONATIONS_JURISDICTION = "us_federal"
    settings.DONATIONS_CURRENCY = "USD"


@pytest.fixture
def quebec(settings):
    settings.DONATIONS_JURISDICTION = "qc_provincial"
    settings.DONATIONS_CURRENCY = "CAD"


@pytest.fixture
def canada(settings):
    settings.DONATIONS_JURISDICTION = "ca_federal"
    settings.DONATIONS_CURRENCY = "CAD"


def draft(amount_minor: int = 2500, **overrides) -> checkout_actions.DonationDraft:
    from quartier.donations import compliance

    values = {
        "first_name": "Élise", "last_name": "Roy", "email": "elise@example.org", "amount_minor": amount_minor,
        "currency": compliance.campaign_currency(), "address_line": "1 rue Saint-Denis", "city": "Montréal",
        "region": "QC", "postal_code": "H2X 1Y4", "country": "CA", "employer": "", "occupation": "",
    }  # fmt: skip
    values.update(overrides)
    return checkout_actions.DonationDraft(**values)


def committed():
    """Run what the code asked to do after commit (mail, tasks) as a real commit would."""
    from django.test import TestCase

    return TestCase.captureOnCommitCallbacks(execute=True)


def give(amount_minor: int = 2500, **overrides) -> Donation:
    """A gift started and paid through the sandbox, as a donor clicking through would."""
    donation = checkout_actions.start_donation(draft=draft(amount_minor, **overrides), gateway="sandbox")
    with committed():
        sandbox.complete(donation=donation, card=sandbox.SUCCEEDS)
    donation.refresh_from_db()
    return donation


@pytest.fixture
def page(supporter) -> FundraisingPage:
    return pages_actions.create_page(
        owner=supporter,
        draft=pages_actions.PageDraft(
            title="Marie's walk for the campaign", story="**Why** I give", goal_minor=100_000
        ),
    )


SECRETS = ["whsec_current_secret", "whsec_rolled_in_secret"]


@pytest.fixture
def fake_stripe(settings):
    from quartier.donations.tests.fake_stripe import FakeStripe

    server = FakeStripe().start()
    settings.DONATIONS_GATEWAY = "stripe"
    settings.STRIPE_SECRET_KEY = "sk_test_quartier"
    settings.STRIPE_API_BASE = server.url
    settings.STRIPE_WEBHOOK_SECRETS = SECRETS
    yield server
    server.stop()


def post_event(client, event: dict, *, secret: str = SECRETS[0], timestamp: int | None = None):
    """A signed delivery, committed: the inbox's batch runs on commit as in eager mode (no broker)."""
    from quartier.donations.tests.fake_stripe import sign

    body, header = sign(event, secret, timestamp=timestamp)
    with committed():
        return client.post(
            "/donate/webhooks/stripe/", body, content_type="application/json", HTTP_STRIPE_SIGNATURE=header
        )


def outcome(event: dict) -> str:
    """What the inbox made of a delivered event: "applied", "duplicate", "parked", "error"; "" if not stored."""
    from quartier.donations.models import InboxEvent

    row = InboxEvent.objects.filter(event_id=event["id"]).first()
    return row.outcome if row is not None else ""


def deliver(client, event: dict) -> str:
    """Post the event and say what the inbox made of it."""
    response = post_event(client, event)
    assert response.status_code == 200, response.content
    return outcome(event)


def start_stripe_gift(amount_minor: int = 2500, **overrides):
    """A gift started at Stripe's hosted checkout, as the donation page does."""
    from quartier.donations.gateways import gateway_for, return_urls

    donation = checkout_actions.start_donation(draft=draft(amount_minor, **overrides), gateway="stripe")
    success, cancel = return_urls(donation)
    checkout = gateway_for("stripe").start_checkout(donation, success_url=success, cancel_url=cancel)
    donation.refresh_from_db()
    return donation, checkout


@pytest.fixture
def broker(settings, monkeypatch):
    """Not eager: a delivery only asks for a task; the calls are recorded instead of queued."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    asked: list[dict] = []
    monkeypatch.setattr(tasks.apply_inbox, "apply_async", lambda **options: asked.append(options))
    monkeypatch.setattr(inbox, "_asked_until", [0.0])  # no ask left over from an earlier test
    return asked
