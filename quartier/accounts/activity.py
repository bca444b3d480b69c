"""The activity journal: every app records the countable things supporters do here.

    record_activity("organizing.rsvp", supporter=person, key=f"rsvp:{rsvp.pk}", group_id=event.group_id)

Kinds are "<app>.<verb>" and each app documents its own (the dashboards know them by name, so no app
has to import the dashboards). Recording is idempotent on (kind, key): a retried request, a replayed
webhook or a re-run backfill records once. Call it inside the transaction of the change it records so
that both land or neither does. A reversal is its own kind with a negative `count` or `amount`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from quartier.accounts.models import Activity, Supporter

REGION_LENGTH = 3  # the postal prefix kept: a Canadian FSA, a US 3-digit ZIP prefix, a French département + 1


def region_of(supporter: Supporter | None) -> str:
    """The coarse area a supporter's figures count towards: `COUNTRY:PREFIX` (`CA:H2X`, `US:100`,
    `FR:750`), the country and the first characters of the postal code ("" when unknown)."""
    return "" if supporter is None else region_from(supporter.country, supporter.postal_code)


def region_from(country: str | None, postal_code: str | None) -> str:
    code = (postal_code or "").replace(" ", "").upper()[:REGION_LENGTH]
    return f"{country}:{code}" if country and code else ""


def record_activity(
    kind: str,
    *,
    supporter: Supporter | None,
    key: str,
    occurred_at: datetime | None = None,
    count: int = 1,
    amount: int = 0,
    currency: str = "",
    credited_to: Supporter | None = None,
    group_id: int | None = None,
    detail: dict[str, Any] | None = None,
) -> None:
    """Record one action in the journal, once per (kind, key) however often it is called."""
    if "." not in kind or len(kind) > 40:
        raise ValueError(f"An activity kind is '<app>.<verb>' of at most 40 characters, not {kind!r}")
    if not key or len(key) > 120:
        raise ValueError("An activity needs a key of 1 to 120 characters")
    if isinstance(amount, float) or isinstance(count, float):
        raise TypeError("Counts and amounts are integers (minor units for money), never floats")
    values = {
        "supporter": supporter,
        "credited_to": credited_to,
        "occurred_at": occurred_at or timezone.now(),
        "count": count,
        "amount": amount,
        "currency": currency.upper(),
        "group_id": group_id,
        "region": region_of(supporter),
        "detail": detail or {},
    }
    if Activity.objects.filter(kind=kind, key=key).exists():
        return
    try:
        # A savepoint, so that losing a race to the same key leaves the caller's transaction usable.
        with transaction.atomic():
            Activity.objects.create(kind=kind, key=key, **values)
    except IntegrityError:
        if not Activity.objects.filter(kind=kind, key=key).exists():
            raise
