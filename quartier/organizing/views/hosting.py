"""Hosts' tools: attendees, check-in, walk-ins, CSV, email to attendees."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from quartier.accounts.access import verified_supporter_required
from quartier.organizing import access
from quartier.organizing.actions import common as common_actions
from quartier.organizing.actions import events as events_actions
from quartier.organizing.actions import guest_rsvps as guest_rsvps_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.forms.rsvps import WalkInForm
from quartier.organizing.models import PendingRsvp, Rsvp
from quartier.organizing.queries import events as events_queries
from quartier.organizing.views.common import csv_response, int_or_404, language, message_page


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def event_attendees(request: HttpRequest, event_id: int) -> HttpResponse:
    """The host's page: attendees, check-in at the door, walk-ins."""
    event = access.get_event_for_host(request.user, event_id)
    walk_in_form = WalkInForm()
    if request.method == "POST":
        if "rsvp" in request.POST:
            record = access.get_rsvp_for_host(request.user, event, int_or_404(request.POST.get("rsvp")))
            rsvps_actions.check_in(
                rsvp_record=record, attended=request.POST.get("attended") == "yes", checked_in_by=request.user
            )
            if request.headers.get("HX-Request"):
                record.refresh_from_db()
                return render(
                    request, "organizing/_attendee_row.html",
                    {"record": record, "event": event, "oob": True, **_attendance(events_queries.attendees(event))},
                )  # fmt: skip
            return redirect("organizing:event_attendees", event_id=event.pk)
        walk_in_form = WalkInForm(request.POST)
        if walk_in_form.is_valid():
            data = walk_in_form.cleaned_data
            shift = access.get_open_shift(request.user, event, data["shift"])
            # Never attach an account on a host's word: the address's owner confirms from their mail.
            guest_rsvps_actions.request_rsvp(
                event=event, shifts=[shift], kind=PendingRsvp.Kind.WALK_IN,
                request=guest_rsvps_actions.RsvpRequest(email=data["email"], name=data["name"], country=event.country,
                                            language=language(), phone=data["phone"]),
            )  # fmt: skip
            messages.success(
                request,
                _("We emailed %(email)s a link: %(name)s is on the list once they confirm.")
                % {"email": data["email"], "name": data["name"]},
            )
            return redirect("organizing:event_attendees", event_id=event.pk)
    records = events_queries.attendees(event)
    return render(
        request, "organizing/event_attendees.html",
        {"event": event, "records": records, "walk_in_form": walk_in_form, **_attendance(records)},
        status=400 if walk_in_form.errors else 200,
    )  # fmt: skip


def _attendance(records: list[Rsvp]) -> dict[str, int]:
    """Places booked ahead (walk-ins take none), and the people who came: checked in with their guests,
    walk-ins included, since attendance is who was there."""
    return {
        "confirmed": sum(r.places for r in records if r.status == Rsvp.Status.CONFIRMED and not r.is_walk_in),
        "came": sum(r.places for r in records if r.attended),
        "walk_ins": sum(r.places for r in records if r.attended and r.is_walk_in),
    }


@verified_supporter_required
def event_attendees_csv(request: HttpRequest, event_id: int) -> HttpResponse:
    event = access.get_event_for_host(request.user, event_id)
    rows = [
        [_("name"), _("email"), _("phone"), _("shift"), _("status"), _("guests"), _("attended"), _("walk-in")]
    ]
    for r in events_queries.attendees(event):
        rows.append([
            r.supporter.display_name, r.supporter.email if r.shares_contact else "", r.phone if r.shares_contact else "",
            timezone.localtime(r.shift.starts_at).strftime("%Y-%m-%d %H:%M"), r.get_status_display(), r.guests,
            {True: _("yes"), False: _("no"), None: ""}[r.attended], _("yes") if r.is_walk_in else "",
        ])  # fmt: skip
    return csv_response(f"event-{event.pk}-attendees.csv", rows)


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def event_message(request: HttpRequest, event_id: int) -> HttpResponse:
    event = access.get_event_for_host(request.user, event_id)
    return message_page(
        request, target=event, recipients=events_queries.event_recipients(event), audience=common_actions.event_audience(event),
        send=events_actions.message_attendees, target_name="event",
        done_url=reverse("organizing:event_attendees", args=[event.pk]),
    )  # fmt: skip
