"""Contribution limits: each donor's aggregates, reserved atomically before payment and released when it fails."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from quartier.donations.models import (
    Donation,
    DonorAggregate,
)


class LimitExceeded(Exception):
    """The gift would take the donor past the legal limit; `remaining_minor` is what they may still give."""

    def __init__(self, remaining_minor: int) -> None:
        super().__init__(remaining_minor)
        self.remaining_minor = max(0, remaining_minor)


def _aggregate_row(identity_key: str, period: str) -> None:
    try:
        with transaction.atomic():
            DonorAggregate.objects.get_or_create(identity_key=identity_key, period=period)
    except IntegrityError:
        pass  # made by a simultaneous gift: it is there now


def reserve(*, identity_key: str, period: str, amount_minor: int, limit_minor: int | None) -> bool:
    """Hold `amount_minor` of the donor's limit for a checkout; raises `LimitExceeded` if it does not fit.

    One conditional UPDATE checks and writes: PostgreSQL re-checks the condition on the locked row,
    SQLite serialises writers, so two simultaneous gifts cannot together pass the limit.
    """
    if limit_minor is None:
        return False
    _aggregate_row(identity_key, period)
    updated = (
        DonorAggregate.objects.filter(identity_key=identity_key, period=period)
        .alias(committed=F("total_minor") + F("reserved_minor"))
        .filter(committed__lte=limit_minor - amount_minor)
        .update(reserved_minor=F("reserved_minor") + amount_minor)
    )
    if not updated:
        raise LimitExceeded(limit_minor - committed_minor(identity_key=identity_key, period=period))
    return True


def reservation_cutoff(now: datetime | None = None) -> datetime:
    """Checkouts started before this no longer hold any of a donor's limit (short: a stranger's
    unpaid checkout cannot keep someone's limit for long)."""
    return (now or timezone.now()) - timedelta(minutes=settings.DONATIONS_RESERVATION_MINUTES)


def check_for_session(
    *, identity_key: str, period: str, amount_minor: int, limit_minor: int | None, session: str
) -> None:
    """A signed-out or unverified checkout reserves nothing for others: its hold counts for its own
    browser session only (what was given, verified holds, and this session's own open checkouts).

    The aggregate row is locked, so one session's simultaneous checkouts are checked one at a time.
    Raises `LimitExceeded`; the payment is checked against the limit again when it arrives.
    """
    if limit_minor is None:
        return
    _aggregate_row(identity_key, period)
    row = DonorAggregate.objects.select_for_update().get(identity_key=identity_key, period=period)
    own = Donation.objects.filter(
        identity_key=identity_key, period=period, status=Donation.Status.PENDING, reservation_held=False,
        checkout_session=session, created_at__gte=reservation_cutoff(),
    ).aggregate(total=Sum("amount_minor"))["total"]  # fmt: skip
    committed = row.total_minor + row.reserved_minor + (own or 0)
    if committed + amount_minor > limit_minor:
        raise LimitExceeded(limit_minor - committed)


def committed_minor(*, identity_key: str, period: str) -> int:
    row = DonorAggregate.objects.filter(identity_key=identity_key, period=period).first()
    return 0 if row is None else row.total_minor + row.reserved_minor


def given_minor(*, identity_key: str, period: str) -> int:
    row = DonorAggregate.objects.filter(identity_key=identity_key, period=period).first()
    return 0 if row is None else row.total_minor
