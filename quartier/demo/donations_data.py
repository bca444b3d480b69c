"""The demo campaign's money: fundraising pages around the demo accounts, a month of gifts (most
under $50), monthly donors, a team, a refund, all recorded through `donations.actions` as real gifts
through the sandbox are, so every total and figure agrees with the gifts."""

from __future__ import annotations

import random
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.donations import compliance
from quartier.donations.actions import checkout as checkout_actions
from quartier.donations.actions import gifts as gifts_actions
from quartier.donations.actions import pages as pages_actions
from quartier.donations.actions import recurring as recurring_actions
from quartier.donations.models import Donation, FundraisingPage
from quartier.donations.sandbox import SUCCEEDS

# As in 2008: about 95 % of gifts under $50.
AMOUNTS = [
    500,
    1000,
    1000,
    1500,
    2000,
    2500,
    2500,
    2500,
    2500,
    3000,
    500,
    1000,
    1500,
    2000,
    2500,
    3500,
    4000,
    2500,
    1000,
    10_000,
]


def _gift(rng: random.Random, donor: Supporter, *, page: FundraisingPage | None, when, monthly: bool = False,
          amount: int | None = None) -> Donation:  # fmt: skip
    first, _space, last = (donor.display_name or "Ami Anonyme").partition(" ")
    draft = checkout_actions.DonationDraft(
        first_name=first, last_name=last or "—", email=donor.email, amount_minor=amount or rng.choice(AMOUNTS),
        currency=compliance.campaign_currency(), frequency="monthly" if monthly else "once",
        address_line=f"{rng.randint(1, 9999)} rue Principale", city=donor.town or "Montréal", region="QC",
        postal_code=donor.postal_code or "H2X 1Y4", country=donor.country, employer="", occupation="",
        language=donor.language, supporter=donor, page=page, credited_to=page.owner if page else None,
        refcode=rng.choice(["", "", "email", "share", "fb_spring"]), show_name=rng.random() < 0.6,
    )  # fmt: skip
    donation = checkout_actions.start_donation(draft=draft, gateway="sandbox")
    # Demo gifts are history: their receipts count as sent, so loading the demo mails nobody.
    Donation.objects.filter(pk=donation.pk).update(created_at=when, receipt_sent_at=when)
    if monthly:
        recurring_actions.activate_recurring(
            donation_id=donation.pk, subscription_reference=f"sbx_sub_{donation.pk}", at=when
        )
    gifts_actions.mark_succeeded(donation_id=donation.pk, payment_reference=f"sbx_pi_{donation.pk}", at=when)
    return donation


@transaction.atomic
def create_demo_donations(accounts: dict[str, Supporter], *, gifts: int = 150, seed: int = 2008) -> int:
    """Pages for Marie and Sam (in one team), a month of gifts from generated supporters; once only."""
    marie, sam = accounts.get("marie@demo.quartier.test"), accounts.get("sam@demo.quartier.test")
    if marie is None or sam is None or FundraisingPage.objects.filter(owner=marie).exists():
        return 0
    rng = random.Random(seed)
    now = timezone.now()
    team = pages_actions.create_team(captain=marie, name="Équipe santé Montréal–Toronto")
    marie_page = pages_actions.create_page(owner=marie, draft=pages_actions.PageDraft(
        title="Marie court pour la santé publique", goal_minor=200_000, team=team,
        story="Je cours le **demi-marathon de Montréal** pour la campagne.\n\nChaque dollar aide à faire "
              "du porte-à-porte dans nos quartiers. Merci de m'encourager !",
    ))  # fmt: skip
    sam_page = pages_actions.create_page(owner=sam, draft=pages_actions.PageDraft(
        title="Sam's bake sale for better transit", goal_minor=100_000, team=team,
        story="I bake, you give, we win. Every **$25** pays for a volunteer's transit pass for a week of canvassing.",
    ))  # fmt: skip
    donors = list(
        Supporter.objects.filter(
            email__endswith="@example.org", is_active=True, email_verified_at__isnull=False
        ).order_by("pk")[:400]
    )
    made = 0
    for number in range(gifts if donors else 0):
        donor = rng.choice(donors)
        page = rng.choices([None, marie_page, sam_page], weights=[5, 3, 2])[0]
        when = now - timedelta(days=rng.uniform(0, 29), minutes=rng.randint(0, 600))
        _gift(rng, donor, page=page, when=when, monthly=number % 15 == 0)
        made += 1
    _gift(rng, marie, page=None, when=now - timedelta(days=20), monthly=True, amount=1000)
    refunded = _gift(rng, sam, page=marie_page, when=now - timedelta(days=3), amount=5000)
    gifts_actions.apply_refunded_total(donation_id=refunded.pk, refunded_total_minor=5000)
    recurring_actions.remember_payment_method(
        supporter=marie, gateway="sandbox", customer_reference="sbx_cus_marie", method_reference=SUCCEEDS,
        label="Sandbox card •••• 4242",
    )  # fmt: skip
    return made + 2


def demo_donation_links(port: str) -> list[str]:
    pages = FundraisingPage.objects.filter(owner__email__endswith="@demo.quartier.test").order_by("pk")
    if not pages:
        return []
    base = f"http://127.0.0.1:{port}"
    return [
        "",
        "Donations (sandbox: pay with 4242 4242 4242 4242; 4000 0000 0000 0002 is declined):",
        f"  {base}/donate/",
        *(f"  {base}{page.get_absolute_url()}" for page in pages),
        f"  {base}/staff/donations/  (organiser)",
    ]
