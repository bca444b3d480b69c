"""Stripe's events applied to Quartier's records: each event once, in any order.

`apply_event` inserts the event's id (unique) in the same transaction as the state change it causes,
so a duplicate delivery, a retry after a crash, or the reconcile command replaying it changes nothing.
Every handler is order-independent (see `actions`): a refund before the success, an invoice before
the checkout session, a payment intent before either.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

import stripe
from django.db import transaction

from quartier.donations.actions import checkout as checkout_actions
from quartier.donations.actions import gifts as gifts_actions
from quartier.donations.actions import recurring as recurring_actions
from quartier.donations.models import Donation, Gateway, RecurringGift

logger = logging.getLogger(__name__)

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


class MalformedEvent(ValueError):
    pass


def _metadata_id(obj: dict[str, Any]) -> int | None:
    raw = (obj.get("metadata") or {}).get("donation_id") or obj.get("client_reference_id")
    try:
        return int(raw) if raw is not None else None
    except (TypeError, ValueError):
        return None


def _invoice_subscription(obj: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """(subscription id, its metadata) in the current shape (`parent`) or the older one."""
    details = ((obj.get("parent") or {}).get("subscription_details")) or obj.get("subscription_details") or {}
    subscription = details.get("subscription") or obj.get("subscription") or ""
    if isinstance(subscription, dict):
        subscription = subscription.get("id", "")
    return str(subscription), details.get("metadata") or {}


def _existing(donation_id: int | None) -> int | None:
    if donation_id is None:
        return None
    return donation_id if Donation.objects.filter(pk=donation_id).exists() else None


def resolve_donation(event_type: str, obj: dict[str, Any]) -> int | None:
    """Which gift an event is about; may ask Stripe (a refund that arrived before anything else)."""
    if event_type == "charge.refunded":
        intent = obj.get("payment_intent") or ""
        known = Donation.objects.filter(payment_reference=intent).values_list("pk", flat=True).first()
        if known or not intent:
            return known
        if _metadata_id(obj):
            return _existing(_metadata_id(obj))
        from quartier.donations.gateways import stripe_client

        payment_intent = stripe_client().v1.payment_intents.retrieve(intent)
        return _existing(_metadata_id(payment_intent.to_dict()))
    if event_type == "invoice.paid":
        _subscription, metadata = _invoice_subscription(obj)
        return _existing(_metadata_id({"metadata": metadata}))
    if event_type == "customer.subscription.deleted":
        return _existing(_metadata_id(obj))
    return _existing(_metadata_id(obj))


def apply_event(event: dict[str, Any]) -> str:
    """ "applied", "duplicate", "ignored" (a type we do not use) or "unmatched" (no gift of ours)."""
    try:
        event_id, event_type, obj = str(event["id"]), str(event["type"]), event["data"]["object"]
    except (KeyError, TypeError) as error:
        raise MalformedEvent(repr(error)) from error
    if not isinstance(obj, dict):
        raise MalformedEvent("data.object is not an object")
    if event_type not in HANDLED:
        logger.info("stripe event %s of type %s ignored", event_id, event_type)
        return "ignored"
    donation_id = resolve_donation(event_type, obj)
    at = datetime.fromtimestamp(int(event.get("created") or 0), tz=UTC) if event.get("created") else None
    with transaction.atomic():
        if not gifts_actions.record_event_once(
            gateway=Gateway.STRIPE, event_id=event_id, event_type=event_type
        ):
            return "duplicate"
        if not _apply(event_type, obj, donation_id, at):
            logger.warning("stripe event %s (%s) matches no gift", event_id, event_type)
            return "unmatched"
    return "applied"


def _apply(event_type: str, obj: dict[str, Any], donation_id: int | None, at: datetime | None) -> bool:
    if event_type == "customer.subscription.deleted":
        recurring = RecurringGift.objects.filter(subscription_reference=obj.get("id")).first()
        if recurring is None and donation_id is not None:
            recurring = recurring_actions.activate_recurring(
                donation_id=donation_id, subscription_reference=str(obj.get("id"))
            )
        if recurring is None:
            return False
        recurring_actions.mark_recurring_cancelled(recurring_id=recurring.pk, at=at)
        return True
    if event_type == "invoice.paid":
        return _invoice_paid(obj, donation_id, at)
    if donation_id is None:
        return False
    if event_type.startswith("checkout.session."):
        if event_type in {"checkout.session.expired", "checkout.session.async_payment_failed"}:
            gifts_actions.mark_failed(donation_id=donation_id)
            return True
        if obj.get("mode") == "subscription" and obj.get("subscription"):
            recurring_actions.activate_recurring(
                donation_id=donation_id, subscription_reference=str(obj["subscription"]), at=at
            )
        checkout_actions.attach_payment_reference(
            donation_id=donation_id, payment_reference=obj.get("payment_intent") or ""
        )
        if obj.get("payment_status") == "paid":
            gifts_actions.mark_succeeded(
                donation_id=donation_id, payment_reference=obj.get("payment_intent") or "", at=at
            )
        return True
    if event_type == "payment_intent.succeeded":
        donation = gifts_actions.mark_succeeded(
            donation_id=donation_id, payment_reference=str(obj.get("id")), at=at
        )
        if donation is not None and obj.get("customer") and obj.get("payment_method"):
            recurring_actions.remember_payment_method(
                supporter=donation.supporter, gateway=Gateway.STRIPE, customer_reference=str(obj["customer"]),
                method_reference=str(obj["payment_method"]), label="Stripe",
            )  # fmt: skip
        return True
    if event_type == "payment_intent.payment_failed":
        if Donation.objects.filter(pk=donation_id, express=True).exists():
            gifts_actions.mark_failed(donation_id=donation_id)
        return True
    if event_type == "charge.refunded":
        checkout_actions.attach_payment_reference(
            donation_id=donation_id, payment_reference=obj.get("payment_intent") or ""
        )
        gifts_actions.apply_refunded_total(
            donation_id=donation_id, refunded_total_minor=int(obj.get("amount_refunded") or 0), at=at
        )
        return True
    return False


def _invoice_paid(obj: dict[str, Any], donation_id: int | None, at: datetime | None) -> bool:
    subscription, _metadata = _invoice_subscription(obj)
    if not subscription:
        return False
    reference = str(obj.get("payment_intent") or obj.get("id"))
    if obj.get("billing_reason") == "subscription_create":
        if donation_id is None:
            return False
        recurring_actions.activate_recurring(
            donation_id=donation_id, subscription_reference=subscription, at=at
        )
        gifts_actions.mark_succeeded(donation_id=donation_id, payment_reference=reference, at=at)
        return True
    recurring = RecurringGift.objects.filter(subscription_reference=subscription).first()
    if recurring is None and donation_id is not None:
        recurring = recurring_actions.activate_recurring(
            donation_id=donation_id, subscription_reference=subscription, at=at
        )
    if recurring is None:
        return False
    recurring_actions.record_renewal(recurring=recurring, payment_reference=reference, at=at)
    return True


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
