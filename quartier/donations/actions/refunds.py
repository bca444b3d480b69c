"""Refund requests and refunds, staff decisions on flagged gifts, details completed after the fact."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.donations.actions.checkout import idempotency_key_for
from quartier.donations.actions.gifts import apply_refunded_total
from quartier.donations.models import (
    Donation,
    RefundRequest,
)


class RefundNotAllowed(Exception):
    pass


@transaction.atomic
def request_refund(*, donation: Donation, supporter: Supporter, reason: str) -> RefundRequest:
    locked = Donation.objects.select_for_update().get(pk=donation.pk)
    if locked.status != Donation.Status.SUCCEEDED or locked.refunded_minor >= locked.amount_minor:
        raise RefundNotAllowed
    pending = RefundRequest.objects.filter(donation=locked, status=RefundRequest.Status.PENDING).first()
    if pending is not None:
        return pending
    return RefundRequest.objects.create(donation=locked, requested_by=supporter, reason=reason.strip())


def refund(*, donation: Donation, by: Supporter, amount_minor: int | None = None) -> Donation | None:
    """Refund the rest of a gift (or part) at the processor, then record it; retries reuse the key."""
    from quartier.donations.gateways import gateway_for

    donation.refresh_from_db()
    if donation.status != Donation.Status.SUCCEEDED:
        raise RefundNotAllowed
    remaining = donation.amount_minor - donation.refunded_minor
    amount = remaining if amount_minor is None else min(amount_minor, remaining)
    if amount <= 0:
        raise RefundNotAllowed
    key = idempotency_key_for(f"refund:{donation.pk}:{donation.refunded_minor + amount}")
    refunded_total = gateway_for(donation.gateway).refund(donation, amount, idempotency_key=key)
    with transaction.atomic():
        result = apply_refunded_total(donation_id=donation.pk, refunded_total_minor=refunded_total)
        RefundRequest.objects.filter(donation=donation, status=RefundRequest.Status.PENDING).update(
            status=RefundRequest.Status.APPROVED, decided_by=by, decided_at=timezone.now()
        )
        Donation.objects.filter(pk=donation.pk, flag=Donation.Flag.OVER_LIMIT).update(
            resolved_at=timezone.now()
        )
    return result


@transaction.atomic
def decline_refund(*, refund_request: RefundRequest, by: Supporter) -> None:
    RefundRequest.objects.filter(pk=refund_request.pk, status=RefundRequest.Status.PENDING).update(
        status=RefundRequest.Status.DECLINED, decided_by=by, decided_at=timezone.now()
    )


@transaction.atomic
def resolve_flag(*, donation: Donation) -> None:
    Donation.objects.filter(pk=donation.pk).exclude(flag="").update(resolved_at=timezone.now())


@transaction.atomic
def complete_details(*, donation: Donation, employer: str, occupation: str) -> None:
    Donation.objects.filter(pk=donation.pk).update(employer=employer.strip(), occupation=occupation.strip())
    Donation.objects.filter(pk=donation.pk, flag=Donation.Flag.MISSING_DETAILS).update(
        resolved_at=timezone.now()
    )
