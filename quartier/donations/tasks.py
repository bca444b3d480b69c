"""Celery tasks: thin wrappers that load rows and call `emails` or `actions`."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction
from django.utils import timezone

from quartier.donations import emails
from quartier.donations.actions import checkout as checkout_actions
from quartier.donations.actions import recurring as recurring_actions
from quartier.donations.models import Donation, RecurringGift


@shared_task
def apply_inbox() -> dict[str, int]:
    """Stored webhook events applied in batches: after a delivery (debounced) and by the beat's sweep."""
    from quartier.donations import inbox

    return dict(inbox.drain())


@shared_task
def send_receipt(donation_id: int) -> None:
    """Sent once: the row is claimed with a conditional UPDATE before the mail goes."""
    with transaction.atomic():
        claimed = Donation.objects.filter(
            pk=donation_id, status=Donation.Status.SUCCEEDED, receipt_sent_at__isnull=True
        ).update(receipt_sent_at=timezone.now())
    if claimed:
        emails.send_receipt(Donation.objects.select_related("page").get(pk=donation_id))


@shared_task
def send_details_follow_up(donation_id: int) -> None:
    """The one follow-up request the FEC's best efforts rule asks for, never a second."""
    donation = Donation.objects.filter(pk=donation_id).first()
    if donation is None:
        return
    with transaction.atomic():
        asked_before = Donation.objects.filter(
            identity_key=donation.identity_key, period=donation.period, follow_up_sent_at__isnull=False
        ).exists()
        claimed = not asked_before and Donation.objects.filter(
            pk=donation_id, flag=Donation.Flag.MISSING_DETAILS, follow_up_sent_at__isnull=True
        ).update(follow_up_sent_at=timezone.now())
    if claimed:
        emails.send_details_follow_up(Donation.objects.get(pk=donation_id))


@shared_task
def send_monthly_cancelled(recurring_id: int) -> None:
    """Queued once, on commit of the change that stopped the gift (the row is locked for it)."""
    recurring = RecurringGift.objects.select_related("supporter").filter(pk=recurring_id).first()
    first = recurring_actions.first_donation(recurring) if recurring else None
    if recurring is not None and recurring.status == RecurringGift.Status.CANCELLED and first is not None:
        emails.send_monthly_cancelled(recurring, first)


@shared_task
def renew_due_sandbox_gifts() -> int:
    """The sandbox's clock, and the expiry of checkouts left unpaid (both hourly, with celery beat)."""
    checkout_actions.expire_stale_checkouts()
    return recurring_actions.renew_due_sandbox_gifts()
