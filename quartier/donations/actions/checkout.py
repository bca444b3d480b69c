"""Starting a gift: the donor's draft checked and reserved, the processor's checkout attached, stale checkouts expired."""

from __future__ import annotations

import hashlib
import logging
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from quartier.accounts.models import Supporter
from quartier.donations import compliance
from quartier.donations.actions.gifts import mark_failed
from quartier.donations.actions.limits import check_for_session, given_minor, reservation_cutoff, reserve
from quartier.donations.models import (
    Donation,
    Frequency,
    FundraisingPage,
    GatewayCall,
)

logger = logging.getLogger(__name__)


class DetailsRequired(Exception):
    """Above the threshold the law asks for employer and occupation."""


@dataclass(frozen=True)
class DonationDraft:
    first_name: str
    last_name: str
    email: str
    amount_minor: int
    currency: str
    frequency: str = Frequency.ONCE
    address_line: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = "CA"
    employer: str = ""
    occupation: str = ""
    attestation: str = ""
    language: str = "en"
    supporter: Supporter | None = None
    page: FundraisingPage | None = None
    credited_to: Supporter | None = None
    refcode: str = ""
    show_name: bool = False

    @property
    def identity_key(self) -> str:
        return compliance.identity_key(
            first_name=self.first_name, last_name=self.last_name, postal_code=self.postal_code,
            country=self.country,
        )  # fmt: skip


def _trusted(supporter: Supporter | None) -> bool:
    return bool(supporter is not None and supporter.is_authenticated and supporter.is_verified)


def session_hash(session_key: str | None) -> str:
    """What a checkout keeps of the browser session that started it (a random one when there is none)."""
    return hashlib.sha256((session_key or secrets.token_hex(16)).encode()).hexdigest()


@transaction.atomic
def start_donation(
    *, draft: DonationDraft, gateway: str, express: bool = False, session_key: str | None = None
) -> Donation:
    """A pending gift with its share of the limit held; the caller then sends the donor to pay.

    A signed-in verified donor's checkout reserves its share for everyone (until it is paid, fails or
    expires after `DONATIONS_RESERVATION_MINUTES`); any other checkout is checked against the limit
    for its own session only, so nobody can use up someone else's limit with checkouts never paid.
    """
    rules = compliance.jurisdiction()
    period = compliance.period_for(rules=rules)
    key = draft.identity_key
    missing_details = not (draft.employer.strip() and draft.occupation.strip())
    threshold = rules.details_threshold_minor
    if (
        threshold is not None
        and missing_details
        and given_minor(identity_key=key, period=period) + draft.amount_minor > threshold
    ):
        raise DetailsRequired
    release_expired(identity_key=key, period=period)
    limit = compliance.limit_for(period, rules=rules)
    session = "" if _trusted(draft.supporter) else session_hash(session_key)
    if session:
        check_for_session(
            identity_key=key,
            period=period,
            amount_minor=draft.amount_minor,
            limit_minor=limit,
            session=session,
        )
        held = False
    else:
        held = reserve(identity_key=key, period=period, amount_minor=draft.amount_minor, limit_minor=limit)
    return Donation.objects.create(
        supporter=draft.supporter if draft.supporter and draft.supporter.is_authenticated else None,
        identity_key=key, first_name=draft.first_name.strip(), last_name=draft.last_name.strip(),
        email=draft.email.strip().lower(), address_line=draft.address_line.strip(), city=draft.city.strip(),
        region=draft.region.strip(), postal_code=draft.postal_code.strip().upper(), country=draft.country,
        employer=draft.employer.strip(), occupation=draft.occupation.strip(), attestation=draft.attestation,
        language=draft.language, amount_minor=draft.amount_minor, currency=draft.currency,
        frequency=draft.frequency, gateway=gateway, express=express, page=draft.page,
        credited_to=draft.credited_to, refcode=draft.refcode, show_name=draft.show_name, period=period,
        reservation_held=held, checkout_session=session,
    )  # fmt: skip


def idempotency_key_for(purpose: str) -> str:
    """The key of one API call, stored the first time and reused by every retry of it."""
    call, _created = GatewayCall.objects.get_or_create(
        purpose=purpose, defaults={"idempotency_key": str(uuid.uuid4())}
    )
    return call.idempotency_key


@transaction.atomic
def attach_checkout(*, donation: Donation, checkout_reference: str) -> None:
    Donation.objects.filter(pk=donation.pk, checkout_reference__isnull=True).update(
        checkout_reference=checkout_reference
    )
    donation.checkout_reference = checkout_reference


@transaction.atomic
def attach_payment_reference(
    *, donation_id: int, payment_reference: str, invoice_reference: str = ""
) -> None:
    """Remember the payment's id and its invoice (so a refund can find the gift), whatever arrives first.

    A reference already held by another gift is left alone (logged): one payment is one gift.
    """
    for field, value in (("payment_reference", payment_reference), ("invoice_reference", invoice_reference)):
        if not value:
            continue
        try:
            with transaction.atomic():
                Donation.objects.filter(pk=donation_id, **{f"{field}__isnull": True}).update(**{field: value})
        except IntegrityError:
            logger.warning("%s %s already belongs to another gift than %s", field, value, donation_id)


def release_expired(*, identity_key: str, period: str) -> None:
    """A donor's held reservations older than the reservation time go back (before a new checkout)."""
    stale = Donation.objects.filter(
        identity_key=identity_key, period=period, status=Donation.Status.PENDING, reservation_held=True,
        created_at__lt=reservation_cutoff(),
    ).values_list("pk", flat=True)  # fmt: skip
    for donation_id in list(stale[:100]):
        mark_failed(donation_id=donation_id)


def expire_stale_checkouts(*, now: datetime | None = None) -> int:
    """Checkouts nobody paid within the reservation time (the processor's page expires then too)."""
    cutoff = reservation_cutoff(now)
    stale = Donation.objects.filter(status=Donation.Status.PENDING, created_at__lt=cutoff).values_list(
        "pk", flat=True
    )
    expired = 0
    for donation_id in list(stale[:10_000]):
        donation = mark_failed(donation_id=donation_id)
        expired += int(donation is not None and donation.status == Donation.Status.FAILED)
    return expired


def sandbox_reference(prefix: str) -> str:
    return f"{prefix}_{secrets.token_urlsafe(18)}"


def default_gateway() -> str:
    return settings.DONATIONS_GATEWAY
