"""RSVPs of signed-in supporters: places and waiting lists under a shift lock, cancelling, check-in and walk-ins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from quartier.accounts import verification
from quartier.accounts.activity import record_activity
from quartier.accounts.models import Activity, Supporter
from quartier.lib.page_cache import bump, stamp
from quartier.organizing import tasks
from quartier.organizing.actions.common import OrganizingError
from quartier.organizing.models import (
    Event,
    Rsvp,
    Shift,
)


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
    bump(stamp("event", locked.event_id))  # places left
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


@transaction.atomic
def cancel_rsvp(*, rsvp_record: Rsvp) -> Rsvp:
    """Cancel an RSVP (confirmed or waitlisted); freed places go to the waiting list in order."""
    locked_shift = Shift.objects.select_for_update().get(pk=rsvp_record.shift_id)
    bump(stamp("event", locked_shift.event_id))  # places left
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
        bump(stamp("event", shift.event_id))
        Shift.objects.filter(pk=shift.pk).update(confirmed_count=shift.capacity - free)
        shift.confirmed_count = shift.capacity - free
        for pk in promoted:
            transaction.on_commit(lambda pk=pk: tasks.send_waitlist_promotion.delay(pk))
    return promoted


@transaction.atomic
def check_in(*, rsvp_record: Rsvp, attended: bool, checked_in_by: Supporter | None = None) -> None:
    """The host marks someone as come (or not); a host's check-in is the "met in person" badge."""
    locked = (
        Rsvp.objects.select_for_update().select_related("shift__event", "supporter").get(pk=rsvp_record.pk)
    )
    if locked.attended == attended:
        return
    Rsvp.objects.filter(pk=locked.pk).update(attended=attended, updated_at=timezone.now())
    _record_attendance(locked, attended=attended)
    event_id = locked.shift.event_id
    if attended and checked_in_by is not None:
        verification.record_met_in_person(supporter=locked.supporter, host=checked_in_by, event_id=event_id)
    elif not attended:
        verification.withdraw_met_in_person(supporter=locked.supporter, event_id=event_id)


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
    bump(stamp("event", shift.event_id))
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
