"""Election-law rules as data: one jurisdiction profile per campaign (setting DONATIONS_JURISDICTION).

Every figure here is documented with its source in `docs/compliance.md`. Amounts are minor units.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Attestation:
    code: str
    text: object  # a lazy translation: stored in the donor's language with the gift


@dataclass(frozen=True)
class Jurisdiction:
    code: str
    name: object
    currency: str
    # The most one donor may give in one period (None: no legal limit).
    limit_minor: int | None
    # "election" (each election of the cycle separately), "calendar_year", or "" (no period).
    period_kind: str
    # Added to the limit in an election year (Québec).
    election_year_extra_minor: int = 0
    # Above this aggregate in the period, employer and occupation are required (US: itemisation).
    details_threshold_minor: int | None = None
    # Only donors living here (a country, or "CA-QC" for a province).
    domicile: str = ""
    minimum_age: int = 0
    attestations: tuple[Attestation, ...] = field(default=())
    # Days to refund or redesignate a gift over the limit that slipped through.
    excess_resolution_days: int = 60
    best_efforts_wording: object = ""
    legal_mention: object = ""


CITIZEN_US = Attestation(
    "citizen_us",
    _("I am a United States citizen or a lawfully admitted permanent resident (green card holder)."),
)
OWN_FUNDS = Attestation(
    "own_funds",
    _(
        "This contribution is made from my own funds, not those of another person, and will not be reimbursed."
    ),
)
NOT_CONTRACTOR = Attestation("not_contractor", _("I am not a federal government contractor."))
NOT_CORPORATION = Attestation(
    "not_corporation",
    _(
        "I am making this contribution as an individual, not on behalf of a corporation, union or other entity."
    ),
)
ADULT = Attestation("adult", _("I am at least 18 years old."))
QC_ELECTOR = Attestation(
    "qc_elector",
    _(
        "I am a Canadian citizen, at least 18 years old, and have been domiciled in Québec for at least six months."
    ),
)
QC_VOLUNTARY = Attestation(
    "qc_voluntary",
    _(
        "I make this contribution myself, out of my own property, voluntarily, without compensation or "
        "consideration, and it will not be reimbursed in any way."
    ),
)
CA_CITIZEN = Attestation("ca_citizen", _("I am a Canadian citizen or a permanent resident of Canada."))

JURISDICTIONS: dict[str, Jurisdiction] = {
    "us_federal": Jurisdiction(
        code="us_federal",
        name=_("United States, federal candidate (2025–2026 cycle)"),
        currency="USD",
        limit_minor=350_000,
        period_kind="election",
        details_threshold_minor=20_000,
        domicile="",
        attestations=(CITIZEN_US, OWN_FUNDS, NOT_CONTRACTOR, NOT_CORPORATION, ADULT),
        excess_resolution_days=60,
        best_efforts_wording=_(
            "Federal law requires us to use our best efforts to collect and report the name, mailing address, "
            "occupation and name of employer of individuals whose contributions exceed $200 in an election cycle."
        ),
        legal_mention=_(
            "Contributions to a federal candidate are not deductible as charitable contributions for federal "
            "income tax purposes."
        ),
    ),
    "qc_provincial": Jurisdiction(
        code="qc_provincial",
        name=_("Québec, provincial party"),
        currency="CAD",
        limit_minor=10_000,
        period_kind="calendar_year",
        election_year_extra_minor=10_000,
        domicile="CA-QC",
        minimum_age=18,
        attestations=(QC_ELECTOR, QC_VOLUNTARY),
        legal_mention=_(
            "Under Québec's Election Act, your name, postal code, municipality and the amount of your "
            "contribution are public information."
        ),
    ),
    "ca_federal": Jurisdiction(
        code="ca_federal",
        name=_("Canada, federal party"),
        currency="CAD",
        limit_minor=177_500,
        period_kind="calendar_year",
        attestations=(CA_CITIZEN, OWN_FUNDS, NOT_CORPORATION),
        legal_mention=_(
            "Only Canadian citizens and permanent residents may contribute, from their own funds; corporations "
            "and unions may not."
        ),
    ),
    "none": Jurisdiction(
        code="none",
        name=_("No legal limit (a cause or an association)"),
        currency="",
        limit_minor=None,
        period_kind="",
    ),
}

CURRENCIES = ("USD", "CAD", "EUR")


def jurisdiction() -> Jurisdiction:
    return JURISDICTIONS[settings.DONATIONS_JURISDICTION]


def campaign_currency() -> str:
    return settings.DONATIONS_CURRENCY or jurisdiction().currency or "CAD"


def period_for(moment: datetime | None = None, *, rules: Jurisdiction | None = None) -> str:
    """The period a gift made at `moment` counts in: "2026-primary", "2026", or ""."""
    rules = rules or jurisdiction()
    local = timezone.localtime(moment or timezone.now())
    if rules.period_kind == "election":
        return f"{settings.DONATIONS_ELECTION_CYCLE}-{settings.DONATIONS_ELECTION}"
    if rules.period_kind == "calendar_year":
        return str(local.year)
    return ""


def limit_for(period: str, *, rules: Jurisdiction | None = None) -> int | None:
    rules = rules or jurisdiction()
    if rules.limit_minor is None:
        return None
    extra = rules.election_year_extra_minor if period == str(settings.DONATIONS_ELECTION_YEAR) else 0
    return rules.limit_minor + extra


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if char.isalnum())


def identity_key(*, first_name: str, last_name: str, postal_code: str, country: str) -> str:
    """Who a donor is for the law, whatever account or email they used: name and postal code.

    Accents, case, spaces and punctuation are ignored ("Élise  Roy-Côté" is "elise roycote"), so the
    same person giving from two accounts, or signed out, adds up to one aggregate.
    """
    parts = [_fold(first_name), _fold(last_name), _fold(postal_code), country.upper()]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


def age_on(birth_date: date, today: date) -> int:
    return today.year - birth_date.year - ((today.month, today.day) < (birth_date.month, birth_date.day))
