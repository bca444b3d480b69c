"""The suppression list and what providers tell us (bounces, complaints)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from quartier.outreach.models import (
    ADDRESS_MAX_LENGTH,
    SOURCE_MAX_LENGTH,
    Delivery,
    Suppression,
)
from quartier.outreach.queries import normalize_address


def suppress_address(*, address: str, reason: str, source: str) -> bool:
    """Put an address on the global suppression list; return whether it was not there yet.

    Safe to call twice or at the same time (the address is unique): the first reason is kept, except
    that a complaint or a bounce replaces a mere unsubscription (it says more about the address).
    """
    address = normalize_address(address)
    if not address or len(address) > ADDRESS_MAX_LENGTH:
        raise ValueError(f"not an address: {address!r}")
    if reason not in Suppression.Reason.values:
        raise ValueError(f"not a suppression reason: {reason!r}")
    with transaction.atomic():
        _row, created = Suppression.objects.get_or_create(
            address=address, defaults={"reason": reason, "source": source[:SOURCE_MAX_LENGTH]}
        )
    if not created and reason != Suppression.Reason.UNSUBSCRIBED:
        Suppression.objects.filter(address=address, reason=Suppression.Reason.UNSUBSCRIBED).update(
            reason=reason, source=source[:SOURCE_MAX_LENGTH]
        )
    return created


def lift_suppression(*, address: str) -> bool:
    """Take an address off the suppression list after its owner opted in again; bounces and
    complaints stay (only a new, verified address clears those)."""
    deleted, _by_model = Suppression.objects.filter(
        address=normalize_address(address), reason=Suppression.Reason.UNSUBSCRIBED
    ).delete()
    return bool(deleted)


def record_feedback(
    *, event_type: str, recipient: str, delivery_id: str | None, esp: str, event_id: str
) -> None:
    """A delivered, bounced, complained or unsubscribed event (anymail's normalised types).

    Idempotent (a webhook delivered twice changes nothing more): dates are set only when empty, and
    the suppression list keeps one row per address.
    """
    now = timezone.now()
    deliveries = Delivery.objects.none()
    if delivery_id and str(delivery_id).isdigit():
        deliveries = Delivery.objects.filter(pk=int(delivery_id))
    if event_type == "delivered":
        deliveries.filter(delivered_at__isnull=True).update(delivered_at=now)
    elif event_type == "bounced":
        deliveries.filter(bounced_at__isnull=True).update(bounced_at=now)
        if recipient:
            suppress_address(address=recipient, reason=Suppression.Reason.BOUNCED, source=f"{esp}:{event_id}")
    elif event_type == "complained":
        deliveries.filter(complained_at__isnull=True).update(complained_at=now)
        if recipient:
            suppress_address(
                address=recipient, reason=Suppression.Reason.COMPLAINED, source=f"{esp}:{event_id}"
            )
    elif event_type == "unsubscribed":
        deliveries.filter(unsubscribed_at__isnull=True).update(unsubscribed_at=now)
        if recipient:
            suppress_address(
                address=recipient, reason=Suppression.Reason.UNSUBSCRIBED, source=f"{esp}:{event_id}"
            )
