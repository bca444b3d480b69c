"""The `PaymentGateway` interface and its two implementations: the offline sandbox and Stripe.

A gateway only talks to the processor; what the processor says is recorded by `actions`, the same
way whichever gateway said it. Card data never reaches Quartier: both send the donor to a hosted page.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Protocol

import stripe
from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from quartier.accounts import branding
from quartier.donations.actions import checkout as checkout_actions
from quartier.donations.actions import gifts as gifts_actions
from quartier.donations.models import Donation, Frequency, Gateway, RecurringGift, SavedPaymentMethod
from quartier.lib.urls import absolute_url


class GatewayError(Exception):
    """The processor could not be reached or refused the call; nothing was charged."""


@dataclass(frozen=True)
class CheckoutStart:
    url: str
    reference: str


class PaymentGateway(Protocol):
    name: str

    def start_checkout(self, donation: Donation, *, success_url: str, cancel_url: str) -> CheckoutStart: ...

    def charge_saved(self, donation: Donation, method: SavedPaymentMethod) -> bool: ...

    def refund(self, donation: Donation, amount_minor: int, *, idempotency_key: str) -> int: ...

    def cancel_recurring(self, recurring: RecurringGift) -> None: ...

    def change_recurring_amount(self, recurring: RecurringGift, amount_minor: int) -> None: ...


class SandboxGateway:
    """Behaves like a hosted payment page, offline: `/donate/sandbox/<reference>/` (see `sandbox.py`)."""

    name = Gateway.SANDBOX

    def start_checkout(self, donation: Donation, *, success_url: str, cancel_url: str) -> CheckoutStart:
        reference = donation.checkout_reference or checkout_actions.sandbox_reference("sbx_cs")
        checkout_actions.attach_checkout(donation=donation, checkout_reference=reference)
        return CheckoutStart(url=reverse("donations:sandbox_checkout", args=[reference]), reference=reference)

    def charge_saved(self, donation: Donation, method: SavedPaymentMethod) -> bool:
        from quartier.donations import sandbox

        return sandbox.complete(donation=donation, card=method.method_reference)

    def refund(self, donation: Donation, amount_minor: int, *, idempotency_key: str) -> int:
        return donation.refunded_minor + amount_minor

    def cancel_recurring(self, recurring: RecurringGift) -> None:
        return None

    def change_recurring_amount(self, recurring: RecurringGift, amount_minor: int) -> None:
        return None


def stripe_client() -> stripe.StripeClient:
    base = {"api": settings.STRIPE_API_BASE} if settings.STRIPE_API_BASE else None
    return stripe.StripeClient(settings.STRIPE_SECRET_KEY, base_addresses=base, max_network_retries=2)


class StripeGateway:
    """Stripe Checkout (hosted; PCI SAQ-A), subscriptions for monthly gifts, refunds.

    Each call carries an idempotency key stored in `GatewayCall`, so a retry never charges twice.
    """

    name = Gateway.STRIPE

    def _options(self, purpose: str) -> dict[str, str]:
        return {"idempotency_key": checkout_actions.idempotency_key_for(purpose)}

    def start_checkout(self, donation: Donation, *, success_url: str, cancel_url: str) -> CheckoutStart:
        monthly = donation.frequency == Frequency.MONTHLY
        metadata = {"donation_id": str(donation.pk)}
        price_data: dict[str, object] = {
            "currency": donation.currency.lower(),
            "unit_amount": donation.amount_minor,
            "product_data": {"name": gettext("Donation to %(site)s") % {"site": branding.current().name}},
        }
        params: dict[str, object] = {
            "mode": "subscription" if monthly else "payment",
            "success_url": f"{success_url}?session_id={{CHECKOUT_SESSION_ID}}",
            "cancel_url": cancel_url,
            "customer_email": donation.email,
            "client_reference_id": str(donation.pk),
            "metadata": metadata,
            "locale": donation.language if donation.language in {"en", "fr"} else "auto",
            # The page closes when the checkout's hold on the donor's limit ends (Stripe: 30 min to 24 h).
            "expires_at": int(time.time())
            + min(max(settings.DONATIONS_RESERVATION_MINUTES, 30), 24 * 60) * 60,
        }
        if monthly:
            price_data["recurring"] = {"interval": "month"}
            params["subscription_data"] = {"metadata": metadata}
        else:
            params["payment_intent_data"] = {"metadata": metadata, "setup_future_usage": "off_session"}
            params["customer_creation"] = "always"
        params["line_items"] = [{"quantity": 1, "price_data": price_data}]
        try:
            session = stripe_client().v1.checkout.sessions.create(
                params, options=self._options(f"checkout:{donation.pk}")
            )
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        checkout_actions.attach_checkout(donation=donation, checkout_reference=session.id)
        return CheckoutStart(url=session.url, reference=session.id)

    def charge_saved(self, donation: Donation, method: SavedPaymentMethod) -> bool:
        try:
            intent = stripe_client().v1.payment_intents.create(
                {
                    "amount": donation.amount_minor, "currency": donation.currency.lower(),
                    "customer": method.customer_reference, "payment_method": method.method_reference,
                    "off_session": True, "confirm": True, "metadata": {"donation_id": str(donation.pk)},
                },
                options=self._options(f"express:{donation.pk}"),
            )  # fmt: skip
        except stripe.CardError:
            gifts_actions.mark_failed(donation_id=donation.pk)
            return False
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        if intent.status == "succeeded":
            gifts_actions.mark_succeeded(donation_id=donation.pk, payment_reference=intent.id)
            return True
        gifts_actions.mark_failed(donation_id=donation.pk)
        return False

    def refund(self, donation: Donation, amount_minor: int, *, idempotency_key: str) -> int:
        try:
            refund = stripe_client().v1.refunds.create(
                {"payment_intent": donation.payment_reference, "amount": amount_minor},
                options={"idempotency_key": idempotency_key},
            )
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error
        return donation.refunded_minor + int(refund.amount)

    def cancel_recurring(self, recurring: RecurringGift) -> None:
        try:
            stripe_client().v1.subscriptions.cancel(
                recurring.subscription_reference, options=self._options(f"cancel:{recurring.pk}")
            )
        except stripe.InvalidRequestError:
            return  # already cancelled at Stripe
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error

    def change_recurring_amount(self, recurring: RecurringGift, amount_minor: int) -> None:
        client = stripe_client()
        try:
            subscription = client.v1.subscriptions.retrieve(recurring.subscription_reference)
            item = subscription["items"]["data"][0]
            client.v1.subscriptions.update(
                recurring.subscription_reference,
                {
                    "items": [{
                        "id": item["id"],
                        "price_data": {
                            "currency": recurring.currency.lower(), "unit_amount": amount_minor,
                            "recurring": {"interval": "month"}, "product": item["price"]["product"],
                        },
                    }],
                    "proration_behavior": "none",
                },
                # One key per change: the number of changes already made names this attempt, so a
                # retry of it reuses its key and A→B→A makes three calls, not a replay of the first.
                options=self._options(f"change:{recurring.pk}:{recurring.amount_changes}:{amount_minor}"),
            )  # fmt: skip
        except stripe.StripeError as error:
            raise GatewayError(str(error)) from error


GATEWAYS: dict[str, PaymentGateway] = {Gateway.SANDBOX: SandboxGateway(), Gateway.STRIPE: StripeGateway()}


def gateway_for(name: str) -> PaymentGateway:
    return GATEWAYS[name]


def return_urls(donation: Donation) -> tuple[str, str]:
    """Where the processor sends the donor back: the site's public address (SITE_URL)."""
    return (
        absolute_url(reverse("donations:thanks", args=[donation.pk])),
        absolute_url(reverse("donations:cancelled", args=[donation.pk])),
    )
