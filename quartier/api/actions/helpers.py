"""OSDI's attendance and donation helpers: a person signed up or merged, then organizing's or donations'
own actions do the rest, with their rules (capacity, limits, compliance)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.donations.actions import checkout as donation_checkout
from quartier.donations.actions import gifts as donation_gifts
from quartier.donations.actions.limits import LimitExceeded
from quartier.donations.models import Donation, Gateway
from quartier.organizing.actions import rsvps as organizing_rsvps
from quartier.organizing.actions.common import OrganizingError
from quartier.organizing.models import Event, Rsvp, Shift


class HelperRefused(Exception):
    """The domain's rules said no; `code` names which."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def next_shift(event: Event, *, now: datetime | None = None) -> Shift | None:
    return (
        Shift.objects.filter(event=event, starts_at__gt=now or timezone.now())
        .order_by("starts_at", "pk")
        .first()
    )


def record_attendance(*, event: Event, supporter: Supporter) -> Rsvp:
    """An RSVP to the event's next shift (organizing's `rsvp`: confirmed while places remain, else
    waitlisted; twice changes nothing)."""
    shift = next_shift(event)
    if shift is None:
        raise HelperRefused("no_upcoming_shift")
    try:
        return organizing_rsvps.rsvp(supporter=supporter, shift=shift)
    except OrganizingError as error:
        raise HelperRefused(error.code) from None


def set_attendance(*, rsvp_record: Rsvp, status: str | None, attended: bool | None) -> None:
    if status == "declined":
        organizing_rsvps.cancel_rsvp(rsvp_record=rsvp_record)
    elif status == "accepted" and rsvp_record.status == Rsvp.Status.CANCELLED:
        try:
            organizing_rsvps.rsvp(supporter=rsvp_record.supporter, shift=rsvp_record.shift)
        except OrganizingError as error:
            raise HelperRefused(error.code) from None
    if attended is not None:
        organizing_rsvps.check_in(rsvp_record=rsvp_record, attended=attended)


@dataclass(frozen=True)
class RecordedGift:
    donation: Donation
    created: bool


def record_donation(
    *,
    supporter: Supporter,
    draft: donation_checkout.DonationDraft,
    reference: str,
    gateway: str,
) -> RecordedGift:
    """A gift recorded from an OSDI client, through donations' own path: the donor's limit and the
    details the law asks for are checked by `start_donation`, then the gift is marked paid under the
    client's `reference` (unique: the same reference twice records one gift).

    Only with the sandbox gateway: a gift recorded as paid with Stripe would be money Stripe never
    saw, so production (Stripe) refuses until donations has offline gifts of its own.
    """
    existing = Donation.objects.filter(payment_reference=reference).first()
    if existing is not None:
        return RecordedGift(donation=existing, created=False)
    if gateway != Gateway.SANDBOX:
        raise HelperRefused("offline_gifts_unsupported")
    try:
        with transaction.atomic():
            donation = donation_checkout.start_donation(draft=draft, gateway=gateway)
            paid = donation_gifts.mark_succeeded(donation_id=donation.pk, payment_reference=reference)
    except donation_checkout.DetailsRequired:
        raise HelperRefused("details_required") from None
    except LimitExceeded:
        raise HelperRefused("over_limit") from None
    except IntegrityError:  # the same reference recorded by a concurrent call
        return RecordedGift(donation=Donation.objects.get(payment_reference=reference), created=False)
    return RecordedGift(donation=paid or donation, created=True)
