"""What a payment became: a gift marked succeeded or failed once, refunded totals, daily totals, the journal."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from quartier.accounts import verification
from quartier.accounts.activity import record_activity
from quartier.donations import compliance
from quartier.donations.actions import totals
from quartier.donations.actions.limits import _aggregate_row, given_minor
from quartier.donations.models import (
    Donation,
    DonorAggregate,
    WebhookEvent,
)

DAILY_SHARDS = 8

UNDER_50_MINOR = 5_000

UNDER_200_MINOR = 20_000


def record_event_once(*, gateway: str, event_id: str, event_type: str) -> bool:
    """Insert the event's id; False when it was already applied. Call inside the state change's transaction."""
    try:
        with transaction.atomic():
            WebhookEvent.objects.create(gateway=gateway, event_id=event_id, type=event_type)
    except IntegrityError:
        return False
    return True


def _shard(donation: Donation) -> int:
    return donation.pk % DAILY_SHARDS


def _add_to_daily(*, day, currency: str, shard: int, **changes: int) -> None:
    """A change to the organisers' daily figures, written with the transaction's other totals (`totals`)."""
    with totals.batch():
        totals.add_to_daily(day=day, currency=currency, shard=shard, **changes)


def _gift_activity_detail(donation: Donation) -> dict[str, object]:
    return {
        "page": donation.page_id,
        "recurring": donation.recurring_id is not None,
        "refcode": donation.refcode,
    }


def mark_succeeded(
    *, donation_id: int, payment_reference: str = "", at: datetime | None = None
) -> Donation | None:
    """The gift is paid. Counts it once in every total; a refund that arrived first is applied too."""
    with totals.batch():
        return _mark_succeeded(donation_id=donation_id, payment_reference=payment_reference, at=at)


def _mark_succeeded(*, donation_id: int, payment_reference: str, at: datetime | None) -> Donation | None:
    donation = Donation.objects.select_for_update().filter(pk=donation_id).first()
    if donation is None:
        return None
    if payment_reference and not donation.payment_reference:
        donation.payment_reference = payment_reference
    if donation.status == Donation.Status.SUCCEEDED:
        donation.save(update_fields=["payment_reference"])
        return donation
    at = at or timezone.now()
    rules = compliance.jurisdiction()
    donation.status = Donation.Status.SUCCEEDED
    donation.succeeded_at = at
    changed = [
        "status",
        "succeeded_at",
        "payment_reference",
        "reservation_held",
        "flag",
        "flagged_at",
        "resolve_by",
    ]
    limit = (
        compliance.limit_for(donation.period, rules=rules) if donation.period or rules.limit_minor else None
    )
    if donation.reservation_held:
        totals.add_to_aggregate(
            identity_key=donation.identity_key, period=donation.period,
            reserved_minor=-donation.amount_minor, total_minor=donation.net_minor,
        )  # fmt: skip
        donation.reservation_held = False
    elif limit is not None:
        # Paid without a reservation (a checkout that expired and was paid anyway, a monthly renewal):
        # the money is in; if it takes the donor past the limit, staff refund or redesignate it.
        _aggregate_row(donation.identity_key, donation.period)
        aggregate = DonorAggregate.objects.select_for_update().get(
            identity_key=donation.identity_key, period=donation.period
        )
        committed = sum(
            getattr(aggregate, name)
            + totals.pending_in_aggregate(
                identity_key=donation.identity_key, period=donation.period, name=name
            )
            for name in ("total_minor", "reserved_minor")
        )  # what this batch already added for the donor counts too (it is written when the batch ends)
        totals.add_to_aggregate(
            identity_key=donation.identity_key, period=donation.period, total_minor=donation.net_minor
        )
        if committed + donation.amount_minor > limit:
            donation.flag = Donation.Flag.OVER_LIMIT
            donation.flagged_at = at
            donation.resolve_by = at + timedelta(days=rules.excess_resolution_days)
    if (
        not donation.flag
        and rules.details_threshold_minor is not None
        and not (donation.employer and donation.occupation)
        and given_minor(identity_key=donation.identity_key, period=donation.period)
        + totals.pending_in_aggregate(
            identity_key=donation.identity_key, period=donation.period, name="total_minor"
        )
        > rules.details_threshold_minor
    ):
        donation.flag = Donation.Flag.MISSING_DETAILS
        donation.flagged_at = at
    donation.save(update_fields=changed)

    totals.add_to_page(page_id=donation.page_id, total_minor=donation.net_minor, gift_count=1)
    monthly = donation.recurring_id is not None
    _add_to_daily(
        day=timezone.localdate(at), currency=donation.currency, shard=_shard(donation), gift_count=1,
        amount_minor=donation.amount_minor, under_50_count=int(donation.amount_minor < UNDER_50_MINOR),
        under_200_count=int(donation.amount_minor < UNDER_200_MINOR), recurring_count=int(monthly),
        recurring_minor=donation.amount_minor if monthly else 0,
        refund_count=int(donation.refunded_minor > 0), refund_minor=donation.refunded_minor,
    )  # fmt: skip
    record_activity(
        "donations.gift", supporter=donation.supporter, key=f"donation:{donation.pk}", occurred_at=at,
        amount=donation.amount_minor, currency=donation.currency, credited_to=donation.credited_to,
        detail=_gift_activity_detail(donation),
    )  # fmt: skip
    if donation.refunded_minor:
        _refund_activity(donation, donation.refunded_minor, at)
    elif donation.supporter_id is not None:  # the donor badge, when the billing name and code match
        verification.record_gift(
            supporter=donation.supporter, gift_id=donation.pk, first_name=donation.first_name,
            last_name=donation.last_name, postal_code=donation.postal_code, country=donation.country,
        )  # fmt: skip
    from quartier.donations import tasks

    transaction.on_commit(lambda: tasks.send_receipt.delay(donation.pk))
    if donation.flag == Donation.Flag.MISSING_DETAILS:
        transaction.on_commit(lambda: tasks.send_details_follow_up.delay(donation.pk))
    return donation


def _refund_activity(donation: Donation, refunded_minor: int, at: datetime) -> None:
    record_activity(
        "donations.refund", supporter=donation.supporter, key=f"refund:{donation.pk}:{donation.refunded_minor}",
        occurred_at=at, amount=-refunded_minor, currency=donation.currency, credited_to=donation.credited_to,
        detail=_gift_activity_detail(donation),
    )  # fmt: skip


def mark_failed(*, donation_id: int) -> Donation | None:
    """Declined, abandoned or expired: the reservation goes back to the donor's limit."""
    with totals.batch():
        return _mark_failed(donation_id=donation_id)


def _mark_failed(*, donation_id: int) -> Donation | None:
    donation = Donation.objects.select_for_update().filter(pk=donation_id).first()
    if donation is None or donation.status != Donation.Status.PENDING:
        return donation
    if donation.reservation_held:
        totals.add_to_aggregate(
            identity_key=donation.identity_key, period=donation.period, reserved_minor=-donation.amount_minor
        )
        donation.reservation_held = False
    donation.status = Donation.Status.FAILED
    donation.save(update_fields=["status", "reservation_held"])
    return donation


def apply_refunded_total(
    *, donation_id: int, refunded_total_minor: int, at: datetime | None = None
) -> Donation | None:
    """The processor says this much of the gift is refunded in all: apply what is new (never twice)."""
    with totals.batch():
        return _apply_refunded_total(
            donation_id=donation_id, refunded_total_minor=refunded_total_minor, at=at
        )


def _apply_refunded_total(
    *, donation_id: int, refunded_total_minor: int, at: datetime | None
) -> Donation | None:
    donation = Donation.objects.select_for_update().filter(pk=donation_id).first()
    if donation is None:
        return None
    new_total = min(refunded_total_minor, donation.amount_minor)
    delta = new_total - donation.refunded_minor
    if delta <= 0:
        return donation
    at = at or timezone.now()
    donation.refunded_minor = new_total
    donation.save(update_fields=["refunded_minor"])
    if donation.status != Donation.Status.SUCCEEDED:
        return donation  # counted when (if) the success arrives
    totals.add_to_aggregate(identity_key=donation.identity_key, period=donation.period, total_minor=-delta)
    totals.add_to_page(page_id=donation.page_id, total_minor=-delta)
    _add_to_daily(
        day=timezone.localdate(at), currency=donation.currency, shard=_shard(donation), refund_count=1,
        refund_minor=delta,
    )  # fmt: skip
    _refund_activity(donation, delta, at)
    if new_total >= donation.amount_minor and donation.supporter_id is not None:
        verification.withdraw_gift(supporter=donation.supporter, gift_id=donation.pk)
    return donation
