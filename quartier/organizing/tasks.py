"""Celery tasks: thin wrappers that load rows and send the emails actions asked for."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.urls import reverse

from quartier.accounts.models import Supporter
from quartier.lib.urls import absolute_url
from quartier.organizing.calendars import cancellation_ics, event_ics
from quartier.organizing.emails import send_notice
from quartier.organizing.models import Event, Membership, PendingRsvp, Rsvp, Shift
from quartier.organizing.queries.events import cancel_token


def _rsvp_context(rsvp: Rsvp) -> dict:
    event = rsvp.shift.event
    return {
        "rsvp": rsvp,
        "shift": rsvp.shift,
        "event": event,
        "event_url": absolute_url(event.get_absolute_url()),
        "cancel_url": absolute_url(reverse("organizing:rsvp_cancel_by_link", args=[cancel_token(rsvp)])),
        "ics": event_ics(event, shifts=[rsvp.shift]),
    }


@shared_task
def send_rsvp_confirmation(rsvp_id: int) -> None:
    rsvp = Rsvp.objects.select_related("shift__event", "supporter").filter(pk=rsvp_id).first()
    if rsvp is None or rsvp.status == Rsvp.Status.CANCELLED:
        return
    context = _rsvp_context(rsvp)
    attachments = (
        [("event.ics", context["ics"], "text/calendar")] if rsvp.status == Rsvp.Status.CONFIRMED else []
    )
    send_notice(rsvp.supporter, "rsvp_confirmation", context, attachments=attachments)


@shared_task
def send_waitlist_promotion(rsvp_id: int) -> None:
    rsvp = Rsvp.objects.select_related("shift__event", "supporter").filter(pk=rsvp_id).first()
    if rsvp is None or rsvp.status != Rsvp.Status.CONFIRMED:
        return
    context = _rsvp_context(rsvp)
    send_notice(
        rsvp.supporter,
        "waitlist_promotion",
        context,
        attachments=[("event.ics", context["ics"], "text/calendar")],
    )


@shared_task
def send_reminder(rsvp_id: int, hours_before: int) -> None:
    rsvp = Rsvp.objects.select_related("shift__event", "supporter").filter(pk=rsvp_id).first()
    if rsvp is None or rsvp.status != Rsvp.Status.CONFIRMED:
        return
    if rsvp.shift.event.status != Event.Status.PUBLISHED:  # cancelled between the claim and the send
        return
    send_notice(rsvp.supporter, "reminder", {**_rsvp_context(rsvp), "hours_before": hours_before})


@shared_task
def send_event_cancelled(event_id: int, rsvp_ids: list[int], message: str = "") -> None:
    """One email per person, with the host's message and an iCalendar CANCEL for each of their shifts."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return
    shifts_of: dict[int, list[Shift]] = {}
    supporters: dict[int, Supporter] = {}
    for rsvp in (
        Rsvp.objects.select_related("supporter", "shift").filter(pk__in=rsvp_ids).order_by("shift__starts_at")
    ):
        supporters[rsvp.supporter_id] = rsvp.supporter
        shifts_of.setdefault(rsvp.supporter_id, []).append(rsvp.shift)
    for supporter_id, shifts in shifts_of.items():
        supporter = supporters[supporter_id]
        ics = cancellation_ics(event, shifts, attendee_email=supporter.email)
        send_notice(
            supporter, "event_cancelled",
            {"event": event, "shifts": shifts, "host_message": message, "events_url": absolute_url(reverse("organizing:events"))},
            attachments=[("cancel.ics", ics, "text/calendar; method=CANCEL")],
        )  # fmt: skip


@shared_task
def send_event_submitted(event_id: int) -> None:
    event = Event.objects.select_related("host").filter(pk=event_id).first()
    if event is None:
        return
    send_notice(
        event.host, "event_submitted", {"event": event, "event_url": absolute_url(event.get_absolute_url())}
    )


@shared_task
def send_event_reviewed(event_id: int, note: str = "") -> None:
    """The decision for the host, with what the reviewer wrote (a note on approval, the reason on rejection)."""
    event = Event.objects.select_related("host").filter(pk=event_id).first()
    if event is None:
        return
    send_notice(
        event.host, "event_reviewed",
        {"event": event, "note": note or event.rejection_reason, "event_url": absolute_url(event.get_absolute_url())},
    )  # fmt: skip


@shared_task
def send_membership_approved(membership_id: int) -> None:
    membership = Membership.objects.select_related("group", "supporter").filter(pk=membership_id).first()
    if membership is None:
        return
    send_notice(
        membership.supporter,
        "membership_approved",
        {"group": membership.group, "group_url": absolute_url(membership.group.get_absolute_url())},
    )


@shared_task
def send_rsvp_request(pending_id: int, token: str) -> None:
    """Ask an address's owner to confirm an RSVP (or walk-in) someone asked for in their name.

    Sent to the address, in its account's language when it has one (greeted by the account's name,
    never by the name the visitor typed), else in the visitor's language.
    """
    pending = PendingRsvp.objects.select_related("event").filter(pk=pending_id).first()
    if pending is None or pending.confirmed_at is not None:
        return
    owner = Supporter.objects.filter(email__iexact=pending.email).first()
    if owner is None:
        owner = Supporter(email=pending.email, language=pending.language, is_active=True)
    context = {
        "pending": pending,
        "event": pending.event,
        "shifts": list(pending.shifts.order_by("starts_at")),
        "confirm_url": absolute_url(reverse("organizing:rsvp_confirm", args=[token])),
        "event_url": absolute_url(pending.event.get_absolute_url()),
        "is_walk_in": pending.kind == PendingRsvp.Kind.WALK_IN,
    }
    send_notice(owner, "rsvp_request", context)


@shared_task
def send_due_reminders() -> int:
    """Periodic (celery beat): reminders 24 h and 2 h before each shift, or as EVENT_REMINDER_HOURS says."""
    from quartier.organizing.actions.events import send_due_reminders as send

    return send(hours_before=settings.EVENT_REMINDER_HOURS)
