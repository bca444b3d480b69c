"""Events and shifts: create, edit, duplicate, review, cancel, message attendees, reminders."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from quartier.accounts.activity import record_activity
from quartier.accounts.models import Supporter
from quartier.lib.text import render_markdown
from quartier.organizing import tasks
from quartier.organizing.actions.common import (
    OrganizingError,
    event_audience,
    event_changed,
    may_act_for_group,
)
from quartier.organizing.actions.rsvps import _promote_waitlist
from quartier.organizing.models import (
    Event,
    EventTypePolicy,
    Group,
    Rsvp,
    SentReminder,
    Shift,
)
from quartier.organizing.queries.events import event_recipients
from quartier.outreach.actions import campaign_send as outreach_campaign_send


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
    event_changed(event)
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
    old_group_id = locked.group_id
    _apply_draft(locked, draft)
    locked.save()
    event_changed(locked, old_group_id=old_group_id)
    return locked


@transaction.atomic
def cancel_event(*, event: Event, message: str = "") -> Event:
    """Cancel the event; everyone still RSVPed gets an email with the host's message and a calendar cancel."""
    locked = Event.objects.select_for_update().get(pk=event.pk)
    if locked.status == Event.Status.CANCELLED:
        return locked
    locked.status = Event.Status.CANCELLED
    locked.save(update_fields=["status", "updated_at"])
    event_changed(locked)
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
    event_changed(copy)
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
    event_changed(locked)
    note = reason.strip()
    transaction.on_commit(lambda: tasks.send_event_reviewed.delay(locked.pk, note))
    return locked


def message_attendees(*, sender: Supporter, event: Event, subject: str, body: str):
    return outreach_campaign_send.send_message(
        sender=sender,
        audience=event_audience(event),
        audience_label=event.title,
        recipients=event_recipients(event),
        subject=subject,
        body=body,
    )


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
