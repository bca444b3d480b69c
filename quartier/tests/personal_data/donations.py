"""Factories for the personal data sources of `donations` (see `registry.py`)."""

from __future__ import annotations

from quartier.accounts.models import (
    Supporter,
)
from quartier.donations import sandbox
from quartier.donations.actions import checkout as donations_checkout
from quartier.donations.actions import pages as donations_pages
from quartier.donations.actions import recurring as donations_recurring
from quartier.donations.actions import refunds as donations_refunds
from quartier.donations.models import (
    Donation,
    FundraisingPage,
    RecurringGift,
    RefundRequest,
    SavedPaymentMethod,
    Team,
)
from quartier.tests.personal_data.common import Factory, People, count_rows


def _gift(supporter: Supporter, marker: str, *, frequency: str = "once") -> Donation:
    draft = donations_checkout.DonationDraft(
        first_name="Gift", last_name=marker, email=supporter.email, amount_minor=2500, currency="CAD",
        frequency=frequency, postal_code=supporter.postal_code, occupation=marker, supporter=supporter,
    )  # fmt: skip
    donation = donations_checkout.start_donation(draft=draft, gateway="sandbox")
    sandbox.complete(donation=donation, card=sandbox.SUCCEEDS)
    return Donation.objects.get(pk=donation.pk)


def _donations(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        _gift(supporter, people.marker("donations", number))


def _monthly_gifts(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        _gift(supporter, people.marker("monthly_gifts", number), frequency="monthly")


def _refund_requests(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        gift = _gift(supporter, f"refund-{number}")
        donations_refunds.request_refund(
            donation=gift, supporter=supporter, reason=people.marker("refund_requests", number)
        )


def _saved_payment_methods(supporter: Supporter, people: People) -> None:
    for gateway in ("sandbox", "stripe"):
        donations_recurring.remember_payment_method(
            supporter=supporter, gateway=gateway, customer_reference="cus_1", method_reference="pm_1",
            label=people.marker("saved_payment_methods", 1)[:60],
        )  # fmt: skip


def _fundraising_pages(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        donations_pages.create_page(
            owner=supporter,
            draft=donations_pages.PageDraft(
                title=people.marker("fundraising_pages", number), story="", goal_minor=10_000
            ),
        )


def _fundraising_teams(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        donations_pages.create_team(captain=supporter, name=people.marker("fundraising_teams", number))


FACTORIES: dict[str, Factory] = {
    "donations": Factory(
        _donations,
        owned=lambda s: {Donation: Donation.objects.filter(supporter=s)},
        exported=lambda data: {Donation: count_rows(data)},
    ),
    "monthly_gifts": Factory(
        _monthly_gifts,
        owned=lambda s: {RecurringGift: RecurringGift.objects.filter(supporter=s)},
        exported=lambda data: {RecurringGift: count_rows(data)},
    ),
    "refund_requests": Factory(
        _refund_requests,
        owned=lambda s: {RefundRequest: RefundRequest.objects.filter(requested_by=s)},
        exported=lambda data: {RefundRequest: count_rows(data)},
    ),
    "saved_payment_methods": Factory(
        _saved_payment_methods,
        owned=lambda s: {SavedPaymentMethod: SavedPaymentMethod.objects.filter(supporter=s)},
        exported=lambda data: {SavedPaymentMethod: count_rows(data)},
    ),
    "fundraising_pages": Factory(
        _fundraising_pages,
        owned=lambda s: {FundraisingPage: FundraisingPage.objects.filter(owner=s)},
        exported=lambda data: {FundraisingPage: count_rows(data)},
    ),
    "fundraising_teams": Factory(
        _fundraising_teams,
        owned=lambda s: {Team: Team.objects.filter(captain=s)},
        exported=lambda data: {Team: count_rows(data)},
    ),
}
