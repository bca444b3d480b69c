"""RSVPs by email without an account: a request mailed to the address, confirmed once by its link."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from quartier.accounts import actions as account_actions
from quartier.accounts.models import CAMPAIGN_NEWS, ConsentRecord, Supporter
from quartier.organizing import tasks
from quartier.organizing.actions.common import OrganizingError, event_audience
from quartier.organizing.actions.rsvps import ShiftOutcome, add_walk_in, rsvp_to_shifts
from quartier.organizing.models import (
    Event,
    PendingRsvp,
    Rsvp,
    Shift,
)


@dataclass
class Guest:
    name: str
    email: str
    country: str
    postal_code: str
    language: str


def guest_supporter(
    *,
    guest: Guest,
    news_consent: bool,
    consent_wording: str,
    ip_address: str | None,
    referred_by: Supporter | None = None,
) -> Supporter:
    """The supporter behind a confirmed guest RSVP: matched by email, or created without a password.

    Only call it once the address's owner has confirmed (see `confirm_rsvp_request`): it never acts
    on an address's account for someone who merely typed the address.
    """
    email = guest.email.strip().lower()
    found = Supporter.objects.filter(email__iexact=email).first()
    if found is not None:
        return found
    supporter = Supporter(email=email)
    supporter.set_unusable_password()
    try:
        with transaction.atomic():
            return account_actions.complete_signup(
                supporter=supporter, display_name=guest.name, country=guest.country,
                postal_code=guest.postal_code, language=guest.language, news_consent=news_consent,
                consent_wording=consent_wording, ip_address=ip_address, referred_by=referred_by,
            )  # fmt: skip
    except (account_actions.EmailTaken, IntegrityError):
        return Supporter.objects.get(email__iexact=email)  # another request created it a moment ago


# A link to confirm an RSVP asked for someone's address works once, for this long.
RSVP_REQUEST_MAX_AGE = timedelta(days=7)

# At most this many unconfirmed requests mailed to one address per window (no mail bombing by form).
RSVP_REQUESTS_PER_WINDOW = 3

RSVP_REQUESTS_WINDOW = timedelta(hours=1)


def request_token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass
class RsvpRequest:
    """What a visitor typed for an address that may not be theirs; applied only once its owner confirms."""

    email: str
    name: str = ""
    country: str = ""
    postal_code: str = ""
    language: str = "en"
    guests: int = 0
    phone: str = ""
    shares_contact: bool = False
    accepts_messages: bool = False
    news_consent: bool = False
    referrer: Supporter | None = None
    ip_address: str | None = None


@transaction.atomic
def request_rsvp(
    *, event: Event, shifts: list[Shift], request: RsvpRequest, kind: str = PendingRsvp.Kind.GUEST
) -> PendingRsvp:
    """Store an RSVP (or a walk-in) asked for an email address and email its owner a link to confirm it.

    Nothing is written on the account behind the address, whether it exists or not: no RSVP, no
    consent. The caller shows the same "check your email" answer either way.
    """
    if not shifts:
        raise OrganizingError("no_shift_chosen")
    if event.status == Event.Status.CANCELLED:
        raise OrganizingError("event_cancelled")
    if not event.is_published:
        raise OrganizingError("event_not_published")
    now = timezone.now()
    if kind == PendingRsvp.Kind.GUEST:
        if all(shift.starts_at <= now for shift in shifts):
            raise OrganizingError("shift_started")
        if request.guests < 0 or request.guests > event.max_guests_per_rsvp:
            raise OrganizingError("too_many_guests")
    email = request.email.strip().lower()
    recent = PendingRsvp.objects.filter(
        email=email, confirmed_at__isnull=True, created_at__gt=now - RSVP_REQUESTS_WINDOW
    ).order_by("-created_at")
    if len(recent[:RSVP_REQUESTS_PER_WINDOW]) >= RSVP_REQUESTS_PER_WINDOW:
        return recent[0]  # enough mail to that address for now: the visitor sees the same page
    token = secrets.token_urlsafe(32)
    pending = PendingRsvp.objects.create(
        event=event, kind=kind, email=email, supporter=Supporter.objects.filter(email__iexact=email).first(),
        name=request.name.strip(), country=request.country, postal_code=request.postal_code,
        language=request.language, guests=request.guests if kind == PendingRsvp.Kind.GUEST else 0,
        phone=request.phone, shares_contact=request.shares_contact, accepts_messages=request.accepts_messages,
        news_consent=request.news_consent, referrer=request.referrer, ip_address=request.ip_address,
        token_hash=request_token_hash(token), created_at=now, expires_at=now + RSVP_REQUEST_MAX_AGE,
    )  # fmt: skip
    pending.shifts.set(shifts)
    transaction.on_commit(lambda: tasks.send_rsvp_request.delay(pending.pk, token))
    return pending


@dataclass
class Confirmation:
    pending: PendingRsvp
    outcomes: list[ShiftOutcome]
    already_confirmed: bool = False

    @property
    def rsvps(self) -> list[Rsvp]:
        return [outcome.rsvp for outcome in self.outcomes if outcome.rsvp is not None]


def pending_rsvp_from_token(token: str) -> PendingRsvp | None:
    return PendingRsvp.objects.select_related("event").filter(token_hash=request_token_hash(token)).first()


@transaction.atomic
def confirm_rsvp_request(
    *, token: str, host_consent_wording: str, news_consent_wording: str, ip_address: str | None
) -> Confirmation:
    """The address's owner followed the link: create the RSVPs and record the consents, once.

    A second use returns what the first one did (`already_confirmed`); an expired or unknown link
    raises `OrganizingError` and changes nothing.
    """
    pending = PendingRsvp.objects.select_for_update().filter(token_hash=request_token_hash(token)).first()
    if pending is None:
        raise OrganizingError("bad_link")
    if pending.confirmed_at is not None:
        rsvps = list(pending.confirmed_rsvps.select_related("shift").order_by("shift__starts_at", "pk"))
        return Confirmation(
            pending=pending,
            outcomes=[ShiftOutcome(shift=r.shift, rsvp=r) for r in rsvps],
            already_confirmed=True,
        )
    if pending.is_expired:
        raise OrganizingError("link_expired")
    owner = Supporter.objects.filter(email__iexact=pending.email).first()
    if owner is not None and not owner.is_active:
        raise OrganizingError("bad_link")
    if owner is None:
        owner = guest_supporter(
            guest=Guest(name=pending.name or pending.email.split("@")[0], email=pending.email,
                        country=pending.country or pending.event.country,
                        postal_code=pending.postal_code, language=pending.language),
            news_consent=pending.news_consent, consent_wording=news_consent_wording, ip_address=ip_address,
            referred_by=pending.referrer,
        )  # fmt: skip
    elif pending.news_consent:
        account_actions.record_consent(
            supporter=owner, audience=CAMPAIGN_NEWS, granted=True, wording=news_consent_wording,
            language=pending.language, source=ConsentRecord.Source.RSVP, ip_address=ip_address,
        )  # fmt: skip
    shifts = list(pending.shifts.all())
    if pending.kind == PendingRsvp.Kind.WALK_IN:
        outcomes = [
            ShiftOutcome(shift=shift, rsvp=add_walk_in(shift=shift, supporter=owner, phone=pending.phone))
            for shift in shifts
        ]
    else:
        try:
            outcomes = rsvp_to_shifts(
                supporter=owner, shifts=shifts, guests=pending.guests, phone=pending.phone,
                shares_contact=pending.shares_contact, referrer=pending.referrer,
            )  # fmt: skip
        except OrganizingError as error:
            outcomes = [ShiftOutcome(shift=shift, refused=error.code) for shift in shifts]
    confirmation = Confirmation(pending=pending, outcomes=outcomes)
    if pending.accepts_messages and confirmation.rsvps:
        account_actions.record_consent(
            supporter=owner, audience=event_audience(pending.event), granted=True, wording=host_consent_wording,
            language=pending.language, source="join", ip_address=ip_address,
        )  # fmt: skip
    pending.supporter = owner
    pending.confirmed_at = timezone.now()
    pending.save(update_fields=["supporter", "confirmed_at"])
    pending.confirmed_rsvps.set(confirmation.rsvps)
    return confirmation
