"""Monthly gifts: activation, renewals, amount changes, cancelling, saved payment methods, sandbox renewals."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from quartier.accounts.activity import record_activity
from quartier.accounts.models import Supporter
from quartier.donations import compliance
from quartier.donations.actions import totals
from quartier.donations.actions.gifts import (
    DAILY_SHARDS,
    _add_to_daily,
    _gift_activity_detail,
    mark_succeeded,
)
from quartier.donations.models import (
    Donation,
    Frequency,
    RecurringGift,
    SavedPaymentMethod,
)


@transaction.atomic
def activate_recurring(
    *, donation_id: int, subscription_reference: str, at: datetime | None = None
) -> RecurringGift | None:
    """The first gift of a monthly gift started a subscription: record it once."""
    donation = Donation.objects.select_for_update().filter(pk=donation_id).first()
    if donation is None or donation.frequency != Frequency.MONTHLY:
        return None
    at = at or timezone.now()
    recurring, created = RecurringGift.objects.get_or_create(
        subscription_reference=subscription_reference,
        defaults={
            "supporter": donation.supporter, "gateway": donation.gateway, "amount_minor": donation.amount_minor,
            "currency": donation.currency, "status": RecurringGift.Status.ACTIVE, "charges": 1,
            "next_charge_at": at + timedelta(days=30),
        },
    )  # fmt: skip
    if donation.recurring_id is None:
        donation.recurring = recurring
        donation.save(update_fields=["recurring"])
    if created:
        _add_to_daily(
            day=timezone.localdate(at), currency=recurring.currency, shard=recurring.pk % DAILY_SHARDS,
            monthly_change_minor=recurring.amount_minor, monthly_change_count=1,
        )  # fmt: skip
        record_activity(
            "donations.recurring_started", supporter=donation.supporter, key=f"recurring:{recurring.pk}",
            occurred_at=at, amount=recurring.amount_minor, currency=recurring.currency,
            credited_to=donation.credited_to, detail=_gift_activity_detail(donation),
        )  # fmt: skip
    return recurring


def first_donation(recurring: RecurringGift) -> Donation | None:
    return recurring.donations.order_by("created_at", "pk").first()


@transaction.atomic
def record_renewal(
    *,
    recurring: RecurringGift,
    invoice_reference: str,
    payment_reference: str = "",
    at: datetime | None = None,
) -> Donation | None:
    """One month's charge of a monthly gift, recorded once per invoice (its payment, when known, too)."""
    with totals.batch():
        return _record_renewal(
            recurring=recurring,
            invoice_reference=invoice_reference,
            payment_reference=payment_reference,
            at=at,
        )


def _record_renewal(
    *, recurring: RecurringGift, invoice_reference: str, payment_reference: str, at: datetime | None
) -> Donation | None:
    existing = Donation.objects.filter(invoice_reference=invoice_reference).first()
    if existing is None and payment_reference:
        existing = Donation.objects.filter(payment_reference=payment_reference).first()
    if existing is not None:
        return existing
    template = first_donation(recurring)
    if template is None:
        return None
    at = at or timezone.now()
    fields = {
        name: getattr(template, name)
        for name in (
            "supporter_id", "identity_key", "first_name", "last_name", "email", "address_line", "city", "region",
            "postal_code", "country", "employer", "occupation", "attestation", "language", "currency", "gateway",
            "page_id", "credited_to_id", "refcode", "show_name",
        )
    }  # fmt: skip
    try:
        with transaction.atomic():
            donation = Donation.objects.create(
                **fields, amount_minor=recurring.amount_minor, frequency=Frequency.MONTHLY, recurring=recurring,
                invoice_reference=invoice_reference, payment_reference=payment_reference or None,
                period=compliance.period_for(at), created_at=at,
            )  # fmt: skip
    except IntegrityError:
        return Donation.objects.filter(invoice_reference=invoice_reference).first()
    RecurringGift.objects.filter(pk=recurring.pk).update(
        charges=F("charges") + 1, next_charge_at=at + timedelta(days=30)
    )
    return mark_succeeded(donation_id=donation.pk, at=at)


@transaction.atomic
def mark_recurring_cancelled(*, recurring_id: int, at: datetime | None = None) -> RecurringGift | None:
    recurring = RecurringGift.objects.select_for_update().filter(pk=recurring_id).first()
    if recurring is None or recurring.status == RecurringGift.Status.CANCELLED:
        return recurring
    at = at or timezone.now()
    was_active = recurring.status == RecurringGift.Status.ACTIVE
    recurring.status = RecurringGift.Status.CANCELLED
    recurring.cancelled_at = at
    recurring.save(update_fields=["status", "cancelled_at"])
    if was_active:
        _add_to_daily(
            day=timezone.localdate(at), currency=recurring.currency, shard=recurring.pk % DAILY_SHARDS,
            monthly_change_minor=-recurring.amount_minor, monthly_change_count=-1,
        )  # fmt: skip
        template = first_donation(recurring)
        record_activity(
            "donations.recurring_cancelled", supporter=recurring.supporter, key=f"recurring-cancel:{recurring.pk}",
            occurred_at=at, count=-1, amount=-recurring.amount_minor, currency=recurring.currency,
            credited_to=template.credited_to if template else None,
        )  # fmt: skip
        from quartier.donations import tasks

        transaction.on_commit(lambda: tasks.send_monthly_cancelled.delay(recurring.pk))
    return recurring


@transaction.atomic
def change_recurring_amount(*, recurring: RecurringGift, amount_minor: int) -> RecurringGift:
    locked = RecurringGift.objects.select_for_update().get(pk=recurring.pk)
    if locked.status != RecurringGift.Status.ACTIVE or amount_minor == locked.amount_minor:
        return locked
    _add_to_daily(
        day=timezone.localdate(), currency=locked.currency, shard=locked.pk % DAILY_SHARDS,
        monthly_change_minor=amount_minor - locked.amount_minor,
    )  # fmt: skip
    locked.amount_minor = amount_minor
    locked.amount_changes += 1  # the next change is another attempt, with its own idempotency key
    locked.save(update_fields=["amount_minor", "amount_changes"])
    return locked


def cancel_recurring(*, recurring: RecurringGift) -> RecurringGift | None:
    """Stop a monthly gift at the processor, then here (the processor's event, if any, changes nothing)."""
    from quartier.donations.gateways import gateway_for

    gateway_for(recurring.gateway).cancel_recurring(recurring)
    return mark_recurring_cancelled(recurring_id=recurring.pk)


def update_recurring_amount(*, recurring: RecurringGift, amount_minor: int) -> RecurringGift:
    from quartier.donations.gateways import gateway_for

    recurring.refresh_from_db()  # the number of changes made names this attempt's idempotency key
    gateway_for(recurring.gateway).change_recurring_amount(recurring, amount_minor)
    return change_recurring_amount(recurring=recurring, amount_minor=amount_minor)


@transaction.atomic
def remember_payment_method(
    *, supporter: Supporter | None, gateway: str, customer_reference: str, method_reference: str, label: str
) -> None:
    if supporter is None or not customer_reference or not method_reference:
        return
    SavedPaymentMethod.objects.update_or_create(
        supporter=supporter, gateway=gateway,
        defaults={"customer_reference": customer_reference, "method_reference": method_reference, "label": label},
    )  # fmt: skip


def renew_due_sandbox_gifts(*, now: datetime | None = None) -> int:
    """Charge every sandbox monthly gift that is due (the sandbox's stand-in for the processor's clock)."""
    now = now or timezone.now()
    renewed = 0
    due = RecurringGift.objects.filter(
        gateway="sandbox", status=RecurringGift.Status.ACTIVE, next_charge_at__lte=now
    ).order_by("next_charge_at")
    for recurring in due.iterator():
        while recurring.next_charge_at and recurring.next_charge_at <= now:
            reference = f"sbx_inv_{recurring.pk}_{recurring.charges + 1}"
            record_renewal(
                recurring=recurring, invoice_reference=reference, payment_reference=reference.replace("_inv_", "_pi_"),
                at=recurring.next_charge_at,
            )  # fmt: skip
            recurring.refresh_from_db()
            renewed += 1
    return renewed
