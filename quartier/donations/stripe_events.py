"""Stripe's events applied to Quartier's records: each event once, in any order, none lost.

`apply_event` inserts the event's id (unique) in the same transaction as the state change it causes,
so a duplicate delivery, a retry after a crash, or the reconcile command replaying it changes nothing.
Every handler is order-independent (see `actions`): a refund before the success, an invoice before
the checkout session, a payment intent before either.

An event whose gift is not recorded yet (a renewal's refund before its `invoice.paid`) is never
marked applied: it is parked with its payload (`ParkedEvent`) and applied as soon as an event naming
the same payment, invoice, subscription or gift is applied, or by `reconcile_stripe`, which lists
those that stay unmatched. References are read in the pinned API version's shapes (`stripe_refs`).
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import stripe
from django.db import DatabaseError, IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from quartier.donations.actions import checkout as checkout_actions
from quartier.donations.actions import gifts as gifts_actions
from quartier.donations.actions import recurring as recurring_actions
from quartier.donations.actions import totals
from quartier.donations.models import Donation, Gateway, ParkedEvent, RecurringGift, WebhookEvent
from quartier.donations.stripe_refs import (
    MalformedEvent,
    Refs,
    as_amount,
    as_id,
    asks_stripe,
    created_at,
    find_donation,
    local_refs,
    remote_refs,
)

logger = logging.getLogger(__name__)

__all__ = ["HANDLED", "MalformedEvent", "apply_event", "apply_parked", "parse", "unmatched"]

HANDLED = {
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "checkout.session.expired",
    "checkout.session.async_payment_failed",
    "payment_intent.succeeded",
    "payment_intent.payment_failed",
    "charge.refunded",
    "invoice.paid",
    "customer.subscription.deleted",
}


class _NotYet(Exception):
    """The event's gift is not recorded yet: roll its transaction back and park it."""


def parse(event: Any) -> tuple[str, str, dict[str, Any], datetime | None]:
    if not isinstance(event, dict):
        raise MalformedEvent("the event is not an object")
    try:
        event_id, event_type, obj = event["id"], event["type"], event["data"]["object"]
    except (KeyError, TypeError) as error:
        raise MalformedEvent(repr(error)) from error
    if (
        not isinstance(event_id, str)
        or not event_id
        or len(event_id) > 120
        or not isinstance(event_type, str)
    ):
        raise MalformedEvent("id and type are strings")
    if not isinstance(obj, dict):
        raise MalformedEvent("data.object is not an object")
    return event_id, event_type[:80], obj, created_at(event)


def apply_event(event: Any, *, ask_stripe: bool = True) -> str:
    """ "applied", "duplicate", "ignored" (a type we do not use) or "parked" (no gift of ours yet).

    With `ask_stripe=False` (inside the inbox's batch transaction, where no call to Stripe may wait),
    an event that only Stripe can match to a gift is left alone: "ask_stripe"."""
    event_id, event_type, obj, at = parse(event)
    if event_type not in HANDLED:
        logger.info("stripe event %s of type %s ignored", event_id, event_type)
        return "ignored"
    if WebhookEvent.objects.filter(gateway=Gateway.STRIPE, event_id=event_id).exists():
        return "duplicate"
    refs = local_refs(event_type, obj)
    if find_donation(event_type, refs) is None:
        if not ask_stripe and asks_stripe(event_type, refs):
            return "ask_stripe"
        refs = remote_refs(event_type, refs)  # may ask Stripe: outside any transaction
    outcome = _apply_once(event_id, event_type, obj, refs, at)
    if outcome == "parked":
        _park(event, event_id, event_type, refs)
        # A gift recorded by a simultaneous delivery after our look-up: apply now rather than wait.
        if find_donation(event_type, refs) is not None or _recurring_known(refs):
            outcome = apply_parked(event_id)
    if outcome in {"applied", "duplicate"}:
        _apply_waiting(refs)
    return outcome


def _apply_once(event_id: str, event_type: str, obj: dict[str, Any], refs: Refs, at: datetime | None) -> str:
    try:
        with transaction.atomic(), totals.batch():
            if not gifts_actions.record_event_once(
                gateway=Gateway.STRIPE, event_id=event_id, event_type=event_type
            ):
                return "duplicate"
            if not _apply(event_type, obj, refs, at):
                raise _NotYet
    except _NotYet:
        return "parked"
    return "applied"


def _recurring_known(refs: Refs) -> bool:
    return (
        bool(refs.subscription)
        and RecurringGift.objects.filter(subscription_reference=refs.subscription).exists()
    )


@transaction.atomic
def _park(event: dict[str, Any], event_id: str, event_type: str, refs: Refs) -> None:
    values = {
        "type": event_type, "payload": event, "donation_id_hint": refs.donation_id,
        "payment_intent": refs.payment_intent, "invoice": refs.invoice, "subscription": refs.subscription,
    }  # fmt: skip
    if not ParkedEvent.objects.filter(gateway=Gateway.STRIPE, event_id=event_id).update(
        attempts=F("attempts") + 1, last_tried_at=timezone.now(), **values
    ):
        try:
            with transaction.atomic():
                ParkedEvent.objects.create(gateway=Gateway.STRIPE, event_id=event_id, **values)
        except IntegrityError:
            pass  # parked by a simultaneous delivery of the same event
    logger.warning(
        "stripe event %s (%s) matches no gift yet: parked (payment %s, invoice %s, subscription %s, gift %s)",
        event_id, event_type, refs.payment_intent or "-", refs.invoice or "-", refs.subscription or "-",
        refs.donation_id or "-",
    )  # fmt: skip


def _parked_refs(parked: ParkedEvent) -> Refs:
    return Refs(
        donation_id=parked.donation_id_hint, payment_intent=parked.payment_intent, invoice=parked.invoice,
        subscription=parked.subscription,
    )  # fmt: skip


def apply_parked(event_id: str, *, ask_stripe: bool = False) -> str:
    """Try a parked event again: "applied" (or "duplicate") and unparked, or "parked" still."""
    parked = ParkedEvent.objects.filter(gateway=Gateway.STRIPE, event_id=event_id).first()
    if parked is None:
        return "duplicate"
    _event_id, event_type, obj, at = parse(parked.payload)
    refs = _parked_refs(parked)
    if ask_stripe and find_donation(event_type, refs) is None:
        refs = remote_refs(event_type, refs)
    with transaction.atomic():
        if ParkedEvent.objects.select_for_update().filter(pk=parked.pk).first() is None:
            return "duplicate"  # applied by a simultaneous attempt
        outcome = _apply_once(event_id, event_type, obj, refs, at)
        if outcome == "parked":
            ParkedEvent.objects.filter(pk=parked.pk).update(
                attempts=F("attempts") + 1, last_tried_at=timezone.now(), payment_intent=refs.payment_intent,
                invoice=refs.invoice, donation_id_hint=refs.donation_id,
            )  # fmt: skip
            return outcome
        ParkedEvent.objects.filter(pk=parked.pk).delete()
    logger.info("parked stripe event %s (%s) applied", event_id, event_type)
    return outcome


def _apply_waiting(refs: Refs) -> None:
    """Apply the parked events that wait for what this event just recorded."""
    match = Q(pk__in=[])
    for field, value in (("payment_intent", refs.payment_intent), ("invoice", refs.invoice),
                         ("subscription", refs.subscription), ("donation_id_hint", refs.donation_id)):  # fmt: skip
        if value:
            match |= Q(**{field: value})
    waiting = ParkedEvent.objects.filter(match, gateway=Gateway.STRIPE).order_by("parked_at", "pk")
    for event_id in list(waiting.values_list("event_id", flat=True)[:100]):
        try:
            apply_parked(event_id)
        except (DatabaseError, MalformedEvent):
            logger.exception("parked stripe event %s not applied; reconcile_stripe will retry", event_id)


def retry_parked(*, ask_stripe: bool = True) -> dict[str, int]:
    """Every parked event tried again (the reconcile command), oldest first."""
    counts: dict[str, int] = {}
    for event_id in list(ParkedEvent.objects.order_by("parked_at", "pk").values_list("event_id", flat=True)):
        try:
            outcome = apply_parked(event_id, ask_stripe=ask_stripe)
        except MalformedEvent:
            outcome = "malformed"
        counts[outcome] = counts.get(outcome, 0) + 1
    return counts


def unmatched() -> list[ParkedEvent]:
    """What stays parked: the alert of `reconcile_stripe` and of the staff's admin list."""
    return list(ParkedEvent.objects.filter(gateway=Gateway.STRIPE).order_by("parked_at", "pk"))


def _apply(event_type: str, obj: dict[str, Any], refs: Refs, at: datetime | None) -> bool:
    donation_id = find_donation(event_type, refs)
    if event_type == "customer.subscription.deleted":
        recurring = RecurringGift.objects.filter(subscription_reference=refs.subscription).first()
        if recurring is None and donation_id is not None and refs.subscription:
            recurring = recurring_actions.activate_recurring(
                donation_id=donation_id, subscription_reference=refs.subscription
            )
        if recurring is None:
            return False
        recurring_actions.mark_recurring_cancelled(recurring_id=recurring.pk, at=at)
        return True
    if event_type == "invoice.paid":
        return _invoice_paid(obj, refs, at)
    if donation_id is None:
        return False
    if event_type.startswith("checkout.session."):
        if event_type in {"checkout.session.expired", "checkout.session.async_payment_failed"}:
            gifts_actions.mark_failed(donation_id=donation_id)
            return True
        if obj.get("mode") == "subscription" and refs.subscription:
            recurring_actions.activate_recurring(
                donation_id=donation_id, subscription_reference=refs.subscription, at=at
            )
        checkout_actions.attach_payment_reference(
            donation_id=donation_id, payment_reference=refs.payment_intent, invoice_reference=refs.invoice
        )
        if obj.get("payment_status") == "paid":
            gifts_actions.mark_succeeded(
                donation_id=donation_id, payment_reference=refs.payment_intent, at=at
            )
        return True
    if event_type == "payment_intent.succeeded":
        donation = gifts_actions.mark_succeeded(
            donation_id=donation_id, payment_reference=refs.payment_intent, at=at
        )
        customer, method = as_id(obj.get("customer")), as_id(obj.get("payment_method"))
        if donation is not None and customer and method:
            recurring_actions.remember_payment_method(
                supporter=donation.supporter, gateway=Gateway.STRIPE, customer_reference=customer,
                method_reference=method, label="Stripe",
            )  # fmt: skip
        return True
    if event_type == "payment_intent.payment_failed":
        if Donation.objects.filter(pk=donation_id, express=True).exists():
            gifts_actions.mark_failed(donation_id=donation_id)
        return True
    if event_type == "charge.refunded":
        checkout_actions.attach_payment_reference(
            donation_id=donation_id, payment_reference=refs.payment_intent, invoice_reference=refs.invoice
        )
        gifts_actions.apply_refunded_total(
            donation_id=donation_id, refunded_total_minor=as_amount(obj.get("amount_refunded")), at=at
        )
        return True
    return False


def _invoice_paid(obj: dict[str, Any], refs: Refs, at: datetime | None) -> bool:
    """A monthly charge: the first one (the gift itself) or a renewal, known by its invoice."""
    if not refs.subscription or not refs.invoice:
        return False
    known = refs.donation_id and Donation.objects.filter(pk=refs.donation_id).exists()
    first = refs.donation_id if known else None
    if obj.get("billing_reason") == "subscription_create":
        if first is None:
            first = find_donation("charge.refunded", Refs(invoice=refs.invoice))
        if first is None:
            return False
        recurring_actions.activate_recurring(
            donation_id=first, subscription_reference=refs.subscription, at=at
        )
        checkout_actions.attach_payment_reference(
            donation_id=first, payment_reference=refs.payment_intent, invoice_reference=refs.invoice
        )
        gifts_actions.mark_succeeded(donation_id=first, payment_reference=refs.payment_intent, at=at)
        return True
    recurring = RecurringGift.objects.filter(subscription_reference=refs.subscription).first()
    if recurring is None and first is not None:
        recurring = recurring_actions.activate_recurring(
            donation_id=first, subscription_reference=refs.subscription, at=at
        )
    if recurring is None:
        return False
    return (
        recurring_actions.record_renewal(
            recurring=recurring, invoice_reference=refs.invoice, payment_reference=refs.payment_intent, at=at
        )
        is not None
    )


def verify(payload: bytes, header: str | None, secrets: list[str], tolerance: int = 300) -> None:
    """Accept a payload signed with any of the current secrets (several while one is being rolled)."""
    last_error: Exception | None = None
    for secret in secrets:
        try:
            stripe.WebhookSignature.verify_header(payload, header, secret, tolerance)
            return
        except stripe.SignatureVerificationError as error:
            last_error = error
    raise last_error or stripe.SignatureVerificationError("no webhook secret is configured", header, payload)
