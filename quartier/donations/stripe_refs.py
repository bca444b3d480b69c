"""What a Stripe event refers to, read in the shapes of the API version the stripe library pins.

Since `2025-03-31.basil` (the installed library pins a later version: `stripe.api_version`) an invoice
no longer has `payment_intent` nor a charge `invoice`: an invoice's subscription is under
`parent.subscription_details`, and its payments are `InvoicePayment` objects (`invoice.payments`
when included, or `GET /v1/invoice_payments?payment[payment_intent]=…`). A monthly charge's payment
intent carries no metadata of ours, so a refund of it is traced to its invoice through its invoice
payment. The fields of older versions are read too, for events created before an upgrade.

Every field is read defensively: an event is signed by Stripe (or by someone holding our secret), but
any field may be missing, null or of another type; what cannot be read is `MalformedEvent` (400).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from django.utils import timezone

from quartier.donations.models import Donation

EARLIEST_EVENT = datetime(2011, 1, 1, tzinfo=UTC)
MAX_ID = 2**63 - 1


class MalformedEvent(ValueError):
    pass


@dataclass(frozen=True)
class Refs:
    """The references an event names: our gift's id (metadata), the payment intent, invoice, subscription."""

    donation_id: int | None = None
    payment_intent: str = ""
    invoice: str = ""
    subscription: str = ""

    def merged(self, other: Refs) -> Refs:
        return Refs(
            donation_id=self.donation_id or other.donation_id,
            payment_intent=self.payment_intent or other.payment_intent,
            invoice=self.invoice or other.invoice,
            subscription=self.subscription or other.subscription,
        )


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_id(value: Any) -> str:
    """An expandable field: the object's id, or the expanded object's `id`; "" for anything else."""
    if isinstance(value, dict):
        value = value.get("id")
    return value[:120] if isinstance(value, str) else ""


def as_amount(value: Any) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, int):
        raise MalformedEvent(f"an amount is not an integer: {type(value).__name__}")
    return max(0, min(value, MAX_ID))


def created_at(event: dict[str, Any]) -> datetime | None:
    """The event's `created`, or None; a value that is no plausible time is a malformed event."""
    raw = event.get("created")
    if raw is None:
        return None
    if isinstance(raw, bool) or not isinstance(raw, int | float):
        raise MalformedEvent("created is not a number")
    try:
        at = datetime.fromtimestamp(int(raw), tz=UTC)
    except (OverflowError, ValueError, OSError) as error:
        raise MalformedEvent(f"created is out of range: {error}") from error
    if not EARLIEST_EVENT <= at <= timezone.now() + timedelta(days=1):
        raise MalformedEvent("created is out of range")
    return at


def metadata_id(obj: dict[str, Any]) -> int | None:
    raw = as_dict(obj.get("metadata")).get("donation_id") or obj.get("client_reference_id")
    if isinstance(raw, bool) or not isinstance(raw, str | int):
        return None
    try:
        number = int(raw)
    except ValueError:
        return None
    return number if 0 < number <= MAX_ID else None


def invoice_refs(obj: dict[str, Any]) -> Refs:
    details = as_dict(as_dict(obj.get("parent")).get("subscription_details")) or as_dict(
        obj.get("subscription_details")
    )
    subscription = as_id(details.get("subscription")) or as_id(obj.get("subscription"))
    payment_intent = as_id(obj.get("payment_intent"))  # before 2025-03-31.basil
    payments = as_dict(obj.get("payments")).get("data")
    for payment in payments if isinstance(payments, list) else []:
        payment = as_dict(payment)
        if payment.get("status") in {None, "paid"}:
            payment_intent = payment_intent or as_id(as_dict(payment.get("payment")).get("payment_intent"))
    return Refs(
        donation_id=metadata_id({"metadata": details.get("metadata")}),
        payment_intent=payment_intent,
        invoice=as_id(obj.get("id")),
        subscription=subscription,
    )


def local_refs(event_type: str, obj: dict[str, Any]) -> Refs:
    """What the event itself says, without asking Stripe."""
    if event_type == "invoice.paid":
        return invoice_refs(obj)
    if event_type.startswith("checkout.session."):
        return Refs(
            donation_id=metadata_id(obj), payment_intent=as_id(obj.get("payment_intent")),
            invoice=as_id(obj.get("invoice")), subscription=as_id(obj.get("subscription")),
        )  # fmt: skip
    if event_type.startswith("payment_intent."):
        return Refs(donation_id=metadata_id(obj), payment_intent=as_id(obj.get("id")))
    if event_type == "charge.refunded":
        return Refs(
            donation_id=metadata_id(obj), payment_intent=as_id(obj.get("payment_intent")),
            invoice=as_id(obj.get("invoice")),  # before 2025-03-31.basil
        )  # fmt: skip
    if event_type == "customer.subscription.deleted":
        return Refs(donation_id=metadata_id(obj), subscription=as_id(obj.get("id")))
    return Refs(donation_id=metadata_id(obj))


def find_donation(event_type: str, refs: Refs) -> int | None:
    """Our gift the event is about, from what is recorded here (no call to Stripe)."""
    lookups = [("pk", refs.donation_id), ("payment_reference", refs.payment_intent),
               ("invoice_reference", refs.invoice)]  # fmt: skip
    if event_type == "charge.refunded":  # a refund names the payment; metadata is a last resort
        lookups = [*lookups[1:], lookups[0]]
    for field, value in lookups:
        found = _pk(**{field: value}) if value else None
        if found is not None:
            return found
    return None


def _pk(**lookup: object) -> int | None:
    return Donation.objects.filter(**lookup).values_list("pk", flat=True).first()


def asks_stripe(event_type: str, refs: Refs) -> bool:
    """Whether `remote_refs` would call Stripe for this event."""
    return event_type == "charge.refunded" and bool(refs.payment_intent)


def remote_refs(event_type: str, refs: Refs) -> Refs:
    """Ask Stripe what a refund's payment was for: a one-time gift (its metadata) or an invoice."""
    if not asks_stripe(event_type, refs):
        return refs
    import stripe

    from quartier.donations.gateways import stripe_client

    try:
        return _ask_stripe(stripe_client(), refs)
    except stripe.InvalidRequestError:  # a payment Stripe does not know: nothing more to learn
        return refs


def _ask_stripe(client, refs: Refs) -> Refs:
    if refs.donation_id is None:
        intent = client.v1.payment_intents.retrieve(refs.payment_intent).to_dict()
        refs = refs.merged(Refs(donation_id=metadata_id(intent)))
    if refs.donation_id is None and not refs.invoice:
        payments = client.v1.invoice_payments.list(
            {"payment": {"type": "payment_intent", "payment_intent": refs.payment_intent}, "limit": 3}
        )
        for payment in payments.data:
            payment = payment.to_dict()
            if payment.get("status") in {None, "paid"} and as_id(payment.get("invoice")):
                refs = refs.merged(Refs(invoice=as_id(payment.get("invoice"))))
                break
    return refs
