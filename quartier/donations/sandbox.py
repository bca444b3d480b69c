"""The sandbox processor's hosted page: test card numbers decide what happens, as Stripe's do.

4242 4242 4242 4242 pays, 4000 0000 0000 0002 is declined, 4000 0025 0000 3155 asks for an extra
authentication step first. Nothing leaves the machine; monthly gifts renew with `renew_due_sandbox_gifts`.
"""

from __future__ import annotations

from django.db import transaction

from quartier.donations.actions import gifts as gifts_actions
from quartier.donations.actions import recurring as recurring_actions
from quartier.donations.models import Donation, Frequency, Gateway

SUCCEEDS = "4242424242424242"
DECLINED = "4000000000000002"
AUTHENTICATE = "4000002500003155"
TEST_CARDS = (SUCCEEDS, DECLINED, AUTHENTICATE)


def outcome_of(card: str) -> str:
    digits = "".join(char for char in card if char.isdigit())
    return {SUCCEEDS: "success", DECLINED: "decline", AUTHENTICATE: "authenticate"}.get(digits, "invalid")


@transaction.atomic
def complete(*, donation: Donation, card: str) -> bool:
    """The donor paid (or a saved card was charged): what the processor's success event does."""
    reference = f"sbx_pi_{donation.pk}"
    if donation.frequency == Frequency.MONTHLY:
        recurring_actions.activate_recurring(
            donation_id=donation.pk, subscription_reference=f"sbx_sub_{donation.pk}"
        )
    result = gifts_actions.mark_succeeded(donation_id=donation.pk, payment_reference=reference)
    if result is None or result.status != Donation.Status.SUCCEEDED:
        return False
    digits = "".join(char for char in card if char.isdigit())
    recurring_actions.remember_payment_method(
        supporter=donation.supporter, gateway=Gateway.SANDBOX, customer_reference=f"sbx_cus_{donation.identity_key[:12]}",
        method_reference=digits, label=f"Sandbox card •••• {digits[-4:]}",
    )  # fmt: skip
    return True


def decline(*, donation: Donation) -> None:
    gifts_actions.mark_failed(donation_id=donation.pk)
