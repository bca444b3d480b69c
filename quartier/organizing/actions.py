"""Writes for local groups and events. Each runs in a transaction; emails leave after commit.

Activity journal kinds recorded here (see `quartier/accounts/activity.py`), each in the transaction of
its change: `organizing.group_created` (key `group:<pk>`), `organizing.group_joined` (an active membership, key `membership:<pk>`),
`organizing.event_hosted` (key `event:<pk>`), `organizing.rsvp` and `organizing.rsvp_cancelled`
(count -1; both keyed `rsvp:<pk>:<RSVP time>` so that RSVPing again after cancelling counts again),
`organizing.attended` (count +1 when checked in, -1 when the check is undone, key
`attended:<pk>:<n>`).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from quartier.accounts import actions as account_actions
from quartier.accounts.activity import record_activity
from quartier.accounts.models import Activity, EmailConsent, Supporter
from quartier.lib.text import render_markdown
from quartier.organizing import tasks
from quartier.organizing.models import (
    Event,
    EventTypePolicy,
    Group,
    Membership,
    PendingRsvp,
    Rsvp,
    SentReminder,
    Shift,
)
from quartier.organizing.queries import event_recipients, group_recipients
from quartier.outreach.actions import campaign_send as outreach_campaign_send
from quartier.outreach.actions import consent as outreach_consent


class OrganizingError(Exception):
    """A rule said no; `code` names which (the view turns it into a translated message)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def group_audience(group: Group) -> str:
    return f"group:{group.pk}"


def event_audience(event: Event) -> str:
    return f"event:{event.pk}"


# --- groups -------------------------------------------------------------------------------------


@dataclass
class GroupDraft:
    name: str
    description: str
    area: str
    country: str
    postal_code: str
    latitude: float
    longitude: float
    town: str
    join_policy: str


def _unique_slug(name: str) -> str:
    base = slugify(name)[:120] or "group"
    slug = base
    while Group.objects.filter(slug=slug).exists():
        slug = f"{base}-{secrets.token_hex(2)}"
    return slug


@transaction.atomic
def create_group(*, creator: Supporter, draft: GroupDraft) -> Group:
    group = Group.objects.create(
        name=draft.name,
        slug=_unique_slug(draft.name),
        description=draft.description,
        description_html=render_markdown(draft.description),
        area=draft.area,
        country=draft.country,
        postal_code=draft.postal_code,
        town=draft.town,
        latitude=draft.latitude,
        longitude=draft.longitude,
        join_policy=draft.join_policy,
        created_by=creator,
        member_count=1,
    )
    record_activity("organizing.group_created", supporter=creator, key=f"group:{group.pk}", group_id=group.pk)
    _record_joined(Membership.objects.create(group=group, supporter=creator, role=Membership.Role.LEADER))
    return group


@transaction.atomic
def update_group(*, group: Group, draft: GroupDraft) -> Group:
    for name in ("name", "description", "area", "country", "postal_code", "latitude", "longitude", "town"):
        setattr(group, name, getattr(draft, name))
    group.join_policy = draft.join_policy
    group.description_html = render_markdown(draft.description)
    group.save()
    return group


@transaction.atomic
def join_group(
    *,
    supporter: Supporter,
    group: Group,
    accepts_messages: bool,
    consent_wording: str,
    language: str,
    ip_address: str | None,
    referrer: Supporter | None = None,
    is_listed: bool = False,
) -> Membership:
    """Join (or ask to join) a group; joining twice changes nothing.

    A ticked box records a "yes" to the leaders' messages; an unticked one records nothing (it never
    withdraws a consent given before: unsubscribing does that).
    """
    locked = Group.objects.select_for_update().get(pk=group.pk)
    if not locked.is_active:
        raise OrganizingError("group_closed")
    status = (
        Membership.Status.PENDING
        if locked.join_policy == Group.JoinPolicy.APPROVAL
        else Membership.Status.ACTIVE
    )
    membership, created = Membership.objects.get_or_create(
        group=locked,
        supporter=supporter,
        defaults={"status": status, "referrer": referrer, "is_listed": is_listed},
    )
    if created:
        if status == Membership.Status.ACTIVE:
            Group.objects.filter(pk=locked.pk).update(member_count=F("member_count") + 1)
            _record_joined(membership)
        if accepts_messages:
            outreach_consent.record_consent(
                supporter=supporter,
                audience=group_audience(locked),
                granted=True,
                wording=consent_wording,
                language=language,
                source="join",
                ip_address=ip_address,
            )
    return membership


def _record_joined(membership: Membership) -> None:
    record_activity(
        "organizing.group_joined",
        supporter=membership.supporter,
        key=f"membership:{membership.pk}",
        credited_to=membership.referrer,
        group_id=membership.group_id,
    )


@transaction.atomic
def set_listed(*, membership: Membership, is_listed: bool) -> None:
    """The member chooses whether the group's member list shows them (leaders' tools always do)."""
    Membership.objects.filter(pk=membership.pk).update(is_listed=is_listed)
    membership.is_listed = is_listed


@transaction.atomic
def leave_group(*, supporter: Supporter, group: Group) -> None:
    locked = Group.objects.select_for_update().get(pk=group.pk)
    membership = Membership.objects.filter(group=locked, supporter=supporter).first()
    if membership is None:
        return
    if membership.role == Membership.Role.LEADER:
        other_leaders = Membership.objects.filter(
            group=locked, role=Membership.Role.LEADER, status=Membership.Status.ACTIVE
        ).exclude(pk=membership.pk)
        if not other_leaders.exists() and locked.member_count > 1:
            raise OrganizingError("last_leader")
    membership.delete()
    if membership.status == Membership.Status.ACTIVE:
        Group.objects.filter(pk=locked.pk).update(member_count=F("member_count") - 1)


@transaction.atomic
def approve_member(*, membership: Membership) -> Membership:
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if locked.status == Membership.Status.PENDING:
        locked.status = Membership.Status.ACTIVE
        locked.save(update_fields=["status"])
        Group.objects.filter(pk=locked.group_id).update(member_count=F("member_count") + 1)
        _record_joined(locked)
        transaction.on_commit(lambda: tasks.send_membership_approved.delay(locked.pk))
    return locked


@transaction.atomic
def decline_member(*, membership: Membership) -> None:
    Membership.objects.filter(pk=membership.pk, status=Membership.Status.PENDING).delete()


LEADING_ROLES = (Membership.Role.LEADER, Membership.Role.CO_LEADER)


def role_in(group_id: int, supporter: Supporter) -> str | None:
    """The supporter's role in the group if they are an active member, else None."""
    return (
        Membership.objects.filter(group_id=group_id, supporter=supporter, status=Membership.Status.ACTIVE)
        .values_list("role", flat=True)
        .first()
    )


def may_act_for_group(supporter: Supporter, group_id: int) -> bool:
    """Hosting in a group's name: its current leaders and co-leaders, and staff."""
    return supporter.is_staff or role_in(group_id, supporter) in LEADING_ROLES


@transaction.atomic
def set_member_role(*, actor: Supporter, membership: Membership, role: str) -> Membership:
    """Change a member's role. The rule (docs/decisions.md): only a leader (or staff) changes roles,
    so only a leader hands over leadership; co-leaders approve and decline requests; nobody demotes
    the last leader."""
    if role not in Membership.Role.values:
        raise OrganizingError("not_allowed")
    Group.objects.select_for_update().filter(pk=membership.group_id).first()  # serialises role changes
    locked = Membership.objects.select_for_update().get(pk=membership.pk)
    if not (actor.is_staff or role_in(locked.group_id, actor) == Membership.Role.LEADER):
        raise OrganizingError("only_leader_changes_roles")
    if locked.status != Membership.Status.ACTIVE:
        raise OrganizingError("not_a_member")
    if locked.role == role:
        return locked
    if locked.role == Membership.Role.LEADER:
        others = Membership.objects.filter(
            group_id=locked.group_id, role=Membership.Role.LEADER, status=Membership.Status.ACTIVE
        ).exclude(pk=locked.pk)
        if not others.exists():
            raise OrganizingError("last_leader")
    locked.role = role
    locked.save(update_fields=["role"])
    return locked


def message_group(*, sender: Supporter, group: Group, subject: str, body: str):
    """Email the members who accepted messages from this group's leaders (through outreach)."""
    return outreach_campaign_send.send_message(
        sender=sender,
        audience=group_audience(group),
        audience_label=group.name,
        recipients=group_recipients(group, sender),
        subject=subject,
        body=body,
    )


@transaction.atomic
def set_group_featured(*, group: Group, featured: bool) -> None:
    Group.objects.filter(pk=group.pk).update(is_featured=featured)


@transaction.atomic
def close_group(*, group: Group) -> None:
    Group.objects.filter(pk=group.pk).update(status=Group.Status.CLOSED, is_featured=False)


@transaction.atomic
def merge_groups(*, source: Group, target: Group) -> Group:
    """Move the source's members and events into the target; the source redirects to the target."""
    if source.pk == target.pk:
        raise OrganizingError("same_group")
    first, second = sorted([source.pk, target.pk])
    locked = {group.pk: group for group in Group.objects.select_for_update().filter(pk__in=[first, second])}
    source, target = locked[source.pk], locked[target.pk]
    if not target.is_active:
        raise OrganizingError("group_closed")
    already = set(Membership.objects.filter(group=target).values_list("supporter_id", flat=True))
    moving = Membership.objects.filter(group=source).exclude(supporter_id__in=already)
    for membership in moving:
        if membership.role == Membership.Role.LEADER:
            membership.role = Membership.Role.CO_LEADER
    Membership.objects.bulk_update(list(moving), ["role"])
    moving.update(group=target)
    Membership.objects.filter(group=source).delete()
    Event.objects.filter(group=source).update(group=target)
    active = Membership.objects.filter(group=target, status=Membership.Status.ACTIVE).count()
    Group.objects.filter(pk=target.pk).update(member_count=active)
    Group.objects.filter(pk=source.pk).update(
        status=Group.Status.MERGED, merged_into=target, member_count=0, is_featured=False
    )
    return target


# --- events -------------------------------------------------------------------------------------


@dataclass
class ShiftDraft:
    starts_at: datetime
    ends_at: datetime
    capacity: int
    pk: int | None = None


@dataclass
class EventDraft:
    title: str
    description: str
    event_type: str
    is_virtual: bool
    join_url: str
    venue: str
    address: str
    address_visibility: str
    country: str
    postal_code: str
    town: str
    latitude: float | None
    longitude: float | None
    time_zone: str
    max_guests_per_rsvp: int
    group: Group | None
    shifts: list[ShiftDraft] = field(default_factory=list)


def needs_approval(event_type: str, host: Supporter) -> bool:
    if host.is_staff:
        return False
    return EventTypePolicy.objects.filter(event_type=event_type, requires_approval=True).exists()


def _apply_draft(event: Event, draft: EventDraft) -> None:
    for name in (
        "title", "description", "event_type", "is_virtual", "join_url", "venue", "address",
        "address_visibility", "country", "postal_code", "town", "latitude", "longitude", "time_zone",
        "max_guests_per_rsvp", "group",
    ):  # fmt: skip
        setattr(event, name, getattr(draft, name))
    event.place_publicly()
    event.description_html = render_markdown(draft.description)
    event.starts_at = min(shift.starts_at for shift in draft.shifts)
    event.ends_at = max(shift.ends_at for shift in draft.shifts)


@transaction.atomic
def create_event(*, host: Supporter, draft: EventDraft) -> Event:
    if not draft.shifts:
        raise OrganizingError("no_shift")
    if draft.group is not None and not may_act_for_group(host, draft.group.pk):
        raise OrganizingError("not_group_leader")
    event = Event(host=host)
    _apply_draft(event, draft)
    event.status = Event.Status.PENDING if needs_approval(draft.event_type, host) else Event.Status.PUBLISHED
    event.save()
    Shift.objects.bulk_create(
        [
            Shift(event=event, starts_at=s.starts_at, ends_at=s.ends_at, capacity=s.capacity)
            for s in draft.shifts
        ]
    )
    record_activity(
        "organizing.event_hosted",
        supporter=host,
        key=f"event:{event.pk}",
        group_id=event.group_id,
        detail={"event": event.pk, "type": event.event_type},
    )
    if event.status == Event.Status.PENDING:
        transaction.on_commit(lambda: tasks.send_event_submitted.delay(event.pk))
    return event


@transaction.atomic
def update_event(*, event: Event, draft: EventDraft) -> Event:
    """Edit an event and its shifts. A shift with RSVPs keeps them; its capacity cannot drop below them."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.status == Event.Status.CANCELLED:
        raise OrganizingError("event_cancelled")
    if not draft.shifts:
        raise OrganizingError("no_shift")
    existing = {shift.pk: shift for shift in Shift.objects.select_for_update().filter(event=locked)}
    kept: set[int] = set()
    for shift_draft in draft.shifts:
        if shift_draft.pk and shift_draft.pk in existing:
            shift = existing[shift_draft.pk]
            if shift_draft.capacity < shift.confirmed_count:
                raise OrganizingError("capacity_below_rsvps")
            shift.starts_at, shift.ends_at, shift.capacity = (
                shift_draft.starts_at, shift_draft.ends_at, shift_draft.capacity,
            )  # fmt: skip
            shift.save(update_fields=["starts_at", "ends_at", "capacity"])
            kept.add(shift.pk)
            _promote_waitlist(shift)
        else:
            Shift.objects.create(
                event=locked, starts_at=shift_draft.starts_at, ends_at=shift_draft.ends_at,
                capacity=shift_draft.capacity,
            )  # fmt: skip
    for pk, shift in existing.items():
        if pk not in kept:
            if shift.rsvps.exclude(status=Rsvp.Status.CANCELLED).exists():
                raise OrganizingError("shift_has_rsvps")
            shift.delete()
    _apply_draft(locked, draft)
    locked.save()
    return locked


@transaction.atomic
def cancel_event(*, event: Event, message: str = "") -> Event:
    """Cancel the event; everyone still RSVPed gets an email with the host's message and a calendar cancel."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.status == Event.Status.CANCELLED:
        return locked
    locked.status = Event.Status.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    rsvp_ids = list(
        Rsvp.objects.filter(shift__event=locked)
        .exclude(status=Rsvp.Status.CANCELLED)
        .values_list("pk", flat=True)
    )
    message = message.strip()
    transaction.on_commit(lambda: tasks.send_event_cancelled.delay(locked.pk, rsvp_ids, message))
    return locked


@transaction.atomic
def duplicate_event(*, event: Event, host: Supporter, starts_at: datetime) -> Event:
    """A copy of the event (same text, place and shifts) moved to start at `starts_at`, with no RSVPs."""
    shift = starts_at - event.starts_at
    shifts = [
        ShiftDraft(starts_at=s.starts_at + shift, ends_at=s.ends_at + shift, capacity=s.capacity)
        for s in event.shifts.all()
    ]
    draft = EventDraft(
        title=event.title, description=event.description, event_type=event.event_type,
        is_virtual=event.is_virtual, join_url=event.join_url, venue=event.venue, address=event.address,
        address_visibility=event.address_visibility, country=event.country, postal_code=event.postal_code,
        town=event.town, latitude=event.latitude, longitude=event.longitude, time_zone=event.time_zone,
        max_guests_per_rsvp=event.max_guests_per_rsvp, group=event.group, shifts=shifts,
    )  # fmt: skip
    copy = create_event(host=host, draft=draft)
    Event.objects.filter(pk=copy.pk).update(duplicated_from=event)
    copy.duplicated_from = event
    return copy


@transaction.atomic
def review_event(*, event: Event, reviewer: Supporter, approve: bool, reason: str = "") -> Event:
    """Approve or reject a pending event; the host is emailed the decision and the reviewer's reason."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.status != Event.Status.PENDING:
        raise OrganizingError("not_pending")
    locked.status = Event.Status.PUBLISHED if approve else Event.Status.REJECTED
    locked.rejection_reason = "" if approve else reason
    locked.reviewed_by = reviewer
    locked.save(update_fields=["status", "rejection_reason", "reviewed_by", "updated_at"])
    note = reason.strip()
    transaction.on_commit(lambda: tasks.send_event_reviewed.delay(locked.pk, note))
    return locked


# --- RSVPs ----------------------------------------------------------------------------------------


@transaction.atomic
def rsvp(
    *,
    supporter: Supporter,
    shift: Shift,
    guests: int = 0,
    phone: str = "",
    shares_contact: bool = False,
    referrer: Supporter | None = None,
) -> Rsvp:
    """RSVP to a shift: confirmed while places remain, waitlisted after. RSVPing twice changes nothing."""
    locked = Shift.objects.select_for_update().select_related("event").get(pk=shift.pk)  # serialises places
    event = locked.event
    if event.status == Event.Status.CANCELLED:
        raise OrganizingError("event_cancelled")
    if not event.is_published:
        raise OrganizingError("event_not_published")
    if locked.starts_at <= timezone.now():
        raise OrganizingError("shift_started")
    if guests < 0 or guests > event.max_guests_per_rsvp:
        raise OrganizingError("too_many_guests")
    if referrer is not None and referrer.pk == supporter.pk:
        referrer = None
    existing = Rsvp.objects.select_for_update().filter(shift=locked, supporter=supporter).first()
    if existing is not None and existing.status != Rsvp.Status.CANCELLED:
        return existing
    places = 1 + guests
    status = (
        Rsvp.Status.CONFIRMED
        if locked.confirmed_count + places <= locked.capacity
        else Rsvp.Status.WAITLISTED
    )
    if existing is not None:
        existing.status, existing.guests, existing.phone = status, guests, phone
        existing.shares_contact, existing.created_at = shares_contact, timezone.now()
        existing.save(
            update_fields=["status", "guests", "phone", "shares_contact", "created_at", "updated_at"]
        )
        record = existing
    else:
        record = Rsvp.objects.create(
            shift=locked, supporter=supporter, status=status, guests=guests, phone=phone,
            shares_contact=shares_contact, referrer=referrer,
        )  # fmt: skip
    if status == Rsvp.Status.CONFIRMED:
        Shift.objects.filter(pk=locked.pk).update(confirmed_count=F("confirmed_count") + places)
    record_activity(
        "organizing.rsvp",
        supporter=supporter,
        key=rsvp_activity_key(record),
        occurred_at=record.created_at,
        credited_to=record.referrer,
        group_id=event.group_id,
        detail={"event": event.pk, "waitlisted": status == Rsvp.Status.WAITLISTED},
    )
    transaction.on_commit(lambda: tasks.send_rsvp_confirmation.delay(record.pk))
    return record


def rsvp_activity_key(record: Rsvp) -> str:
    """One journal key per RSVP made: RSVPing again after cancelling counts again, a retry does not."""
    return f"rsvp:{record.pk}:{record.created_at.astimezone(UTC):%Y%m%dT%H%M%S%f}"


@dataclass
class ShiftOutcome:
    """What one shift of a submission gave: an RSVP (confirmed or waitlisted), or the rule that said no."""

    shift: Shift
    rsvp: Rsvp | None = None
    refused: str = ""


def rsvp_to_shifts(
    *,
    supporter: Supporter,
    shifts: list[Shift],
    guests: int = 0,
    phone: str = "",
    shares_contact: bool = False,
    referrer: Supporter | None = None,
) -> list[ShiftOutcome]:
    """RSVP to several shifts at once: each is confirmed or waitlisted on its own, under its own lock."""
    if not shifts:
        raise OrganizingError("no_shift_chosen")
    outcomes: list[ShiftOutcome] = []
    with transaction.atomic():
        for shift in sorted(shifts, key=lambda s: (s.starts_at, s.pk)):
            try:
                with transaction.atomic():
                    record = rsvp(
                        supporter=supporter, shift=shift, guests=guests, phone=phone,
                        shares_contact=shares_contact, referrer=referrer,
                    )  # fmt: skip
            except OrganizingError as error:
                outcomes.append(ShiftOutcome(shift=shift, refused=error.code))
            else:
                outcomes.append(ShiftOutcome(shift=shift, rsvp=record))
    if all(outcome.rsvp is None for outcome in outcomes):
        raise OrganizingError(outcomes[0].refused)
    return outcomes


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
        account_actions.record_email_consent(
            supporter=owner, topic=EmailConsent.Topic.CAMPAIGN_NEWS, granted=True, wording=news_consent_wording,
            language=pending.language, source=EmailConsent.Source.RSVP, ip_address=ip_address,
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
        outreach_consent.record_consent(
            supporter=owner, audience=event_audience(pending.event), granted=True, wording=host_consent_wording,
            language=pending.language, source="join", ip_address=ip_address,
        )  # fmt: skip
    pending.supporter = owner
    pending.confirmed_at = timezone.now()
    pending.save(update_fields=["supporter", "confirmed_at"])
    pending.confirmed_rsvps.set(confirmation.rsvps)
    return confirmation


@transaction.atomic
def cancel_rsvp(*, rsvp_record: Rsvp) -> Rsvp:
    """Cancel an RSVP (confirmed or waitlisted); freed places go to the waiting list in order."""
    locked_shift = Shift.objects.select_for_update().get(pk=rsvp_record.shift_id)
    locked = Rsvp.objects.select_for_update().get(pk=rsvp_record.pk)
    if locked.status == Rsvp.Status.CANCELLED:
        return locked
    was_confirmed = locked.status == Rsvp.Status.CONFIRMED and not locked.is_walk_in
    locked.status = Rsvp.Status.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    if not locked.is_walk_in:
        record_activity(
            "organizing.rsvp_cancelled",
            supporter=locked.supporter,
            key=rsvp_activity_key(locked),
            count=-1,
            credited_to=locked.referrer,
            group_id=Event.objects.filter(pk=locked_shift.event_id)
            .values_list("group_id", flat=True)
            .first(),
            detail={"event": locked_shift.event_id},
        )
    if was_confirmed:
        Shift.objects.filter(pk=locked_shift.pk).update(confirmed_count=F("confirmed_count") - locked.places)
        locked_shift.refresh_from_db(fields=["confirmed_count"])
        # A cancelled event has no place to give: nobody on its waiting list is told "you're in".
        if not Event.objects.filter(pk=locked_shift.event_id, status=Event.Status.CANCELLED).exists():
            _promote_waitlist(locked_shift)
    return locked


def _promote_waitlist(shift: Shift) -> list[int]:
    """Confirm waitlisted RSVPs, oldest first, while their places fit. Call with the shift row locked."""
    promoted: list[int] = []
    free = shift.capacity - shift.confirmed_count
    for waiting in Rsvp.objects.select_for_update().filter(shift=shift, status=Rsvp.Status.WAITLISTED):
        if free <= 0:
            break
        if waiting.places <= free:
            waiting.status = Rsvp.Status.CONFIRMED
            waiting.save(update_fields=["status", "updated_at"])
            free -= waiting.places
            promoted.append(waiting.pk)
    if promoted:
        Shift.objects.filter(pk=shift.pk).update(confirmed_count=shift.capacity - free)
        shift.confirmed_count = shift.capacity - free
        for pk in promoted:
            transaction.on_commit(lambda pk=pk: tasks.send_waitlist_promotion.delay(pk))
    return promoted


@transaction.atomic
def check_in(*, rsvp_record: Rsvp, attended: bool) -> None:
    locked = Rsvp.objects.select_for_update().select_related("shift__event").get(pk=rsvp_record.pk)
    if locked.attended == attended:
        return
    Rsvp.objects.filter(pk=locked.pk).update(attended=attended, updated_at=timezone.now())
    _record_attendance(locked, attended=attended)


def _record_attendance(record: Rsvp, *, attended: bool) -> None:
    """Journal a check-in (+1) or its undoing (-1); the n-th change of one RSVP has its own key."""
    prefix = f"attended:{record.pk}:"
    changes = Activity.objects.filter(kind="organizing.attended", key__startswith=prefix).count()
    record_activity(
        "organizing.attended",
        supporter=record.supporter,
        key=f"{prefix}{changes}",
        count=1 if attended else -1,
        group_id=record.shift.event.group_id,
        detail={"event": record.shift.event_id},
    )


@transaction.atomic
def add_walk_in(*, shift: Shift, supporter: Supporter, phone: str = "") -> Rsvp:
    """Someone who came without an RSVP: recorded as attended; walk-ins never take a listed place."""
    record, created = Rsvp.objects.get_or_create(
        shift=shift,
        supporter=supporter,
        defaults={"status": Rsvp.Status.CONFIRMED, "attended": True, "is_walk_in": True, "phone": phone},
    )
    if created:
        _record_attendance(Rsvp.objects.select_related("shift__event").get(pk=record.pk), attended=True)
    if not created:
        if not record.attended:
            _record_attendance(Rsvp.objects.select_related("shift__event").get(pk=record.pk), attended=True)
        changes: dict[str, object] = {"attended": True}
        if record.status != Rsvp.Status.CONFIRMED:
            # Cancelled or still waiting, and here after all: they came as a walk-in, taking no listed place.
            changes.update(status=Rsvp.Status.CONFIRMED, is_walk_in=True)
        Rsvp.objects.filter(pk=record.pk).update(**changes)
        for name, value in changes.items():
            setattr(record, name, value)
    return record


def message_attendees(*, sender: Supporter, event: Event, subject: str, body: str):
    return outreach_campaign_send.send_message(
        sender=sender,
        audience=event_audience(event),
        audience_label=event.title,
        recipients=event_recipients(event),
        subject=subject,
        body=body,
    )


# --- reminders ----------------------------------------------------------------------------------


def send_due_reminders(*, hours_before: list[int], now: datetime | None = None) -> int:
    """Send each confirmed attendee each reminder once, whenever the job runs and however often."""
    now = now or timezone.now()
    sent = 0
    for hours in sorted(hours_before):
        due = (
            Rsvp.objects.filter(
                status=Rsvp.Status.CONFIRMED,
                is_walk_in=False,
                shift__event__status=Event.Status.PUBLISHED,
                shift__starts_at__gt=now,
                shift__starts_at__lte=now + timedelta(hours=hours),
            )
            .exclude(sent_reminders__hours_before__lte=hours)
            .values_list("pk", flat=True)
        )
        for rsvp_id in list(due):
            try:
                with transaction.atomic():
                    SentReminder.objects.create(rsvp_id=rsvp_id, hours_before=hours)
            except IntegrityError:
                continue  # another run claimed it first
            tasks.send_reminder.delay(rsvp_id, hours)
            sent += 1
    return sent
