"""RSVPs: sign up for a shift (signed in or as a guest), confirmation, cancellation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from quartier.accounts.adapter import client_ip
from quartier.accounts.forms import NEWS_CONSENT_WORDING
from quartier.organizing import access, actions, queries
from quartier.organizing.forms import (
    HOST_CONSENT_WORDING,
    GuestRsvpForm,
    RsvpForm,
)
from quartier.organizing.models import Event, Rsvp
from quartier.organizing.views.common import language, rule_message
from quartier.organizing.views.events import event_context
from quartier.outreach import actions as outreach_actions
from quartier.reach.queries import referrer_from, share_url


@require_POST
def event_rsvp(request: HttpRequest, event_id: int) -> HttpResponse:
    """RSVP as a signed-in supporter, or as a guest (matched by email or created, consent recorded)."""
    event = access.get_visible_event(request.user, event_id)
    form_class = RsvpForm if request.user.is_authenticated else GuestRsvpForm
    form = form_class(request.POST, max_guests=event.max_guests_per_rsvp)
    if not form.is_valid():
        return _event_detail_with_form(request, event, form)
    shift = access.get_open_shift(request.user, event, form.cleaned_data["shift"])
    data = form.cleaned_data
    try:
        with transaction.atomic():
            if request.user.is_authenticated:
                supporter = request.user
            else:
                supporter = actions.guest_supporter(
                    guest=actions.Guest(name=data["name"], email=data["email"], country=data["country"],
                                        postal_code=data["postal_code"], language=language()),
                    news_consent=data["news_consent"], consent_wording=str(NEWS_CONSENT_WORDING),
                    ip_address=client_ip(request),
                )  # fmt: skip
            record = actions.rsvp(
                supporter=supporter, shift=shift, guests=data["guests"], phone=data["phone"],
                shares_contact=data["shares_contact"], referrer=referrer_from(request),
            )  # fmt: skip
            outreach_actions.record_consent(
                supporter=supporter, audience=actions.event_audience(event), granted=data["accepts_messages"],
                wording=str(HOST_CONSENT_WORDING), language=language(), source="join", ip_address=client_ip(request),
            )  # fmt: skip
    except actions.OrganizingError as error:
        form.add_error(None, rule_message(error.code))
        return _event_detail_with_form(request, event, form)
    request.session["organizing.last_rsvp"] = record.pk
    return redirect("organizing:rsvp_done", rsvp_id=record.pk)


def _event_detail_with_form(request: HttpRequest, event: Event, form) -> HttpResponse:
    """The event page again, with the submitted RSVP form, its data and its errors."""
    return render(request, "organizing/event_detail.html", event_context(request, event, form), status=400)


def rsvp_done(request: HttpRequest, rsvp_id: int) -> HttpResponse:
    """After an RSVP: what happens next, share, add to calendar. Only for the session that made it."""
    if request.session.get("organizing.last_rsvp") != rsvp_id and not (
        request.user.is_authenticated and Rsvp.objects.filter(pk=rsvp_id, supporter=request.user).exists()
    ):
        raise Http404
    record = Rsvp.objects.select_related("shift__event", "supporter").get(pk=rsvp_id)
    event = record.shift.event
    return render(
        request, "organizing/rsvp_done.html",
        {"rsvp": record, "event": event, "share_link": share_url(request, event.get_absolute_url(), record.supporter),
         "ics_url": reverse("organizing:rsvp_ics", args=[record.pk])},
    )  # fmt: skip


@require_POST
@login_required
def rsvp_cancel(request: HttpRequest, rsvp_id: int) -> HttpResponse:
    record = access.get_own_rsvp(request.user, rsvp_id)
    actions.cancel_rsvp(rsvp_record=record)
    messages.success(request, _("Your RSVP is cancelled."))
    return redirect(record.shift.event)


@require_http_methods(["GET", "POST"])
def rsvp_cancel_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """Guests cancel from the link in their confirmation email (GET asks, POST cancels)."""
    record = queries.rsvp_from_cancel_token(token)
    if record is None:
        raise Http404
    if request.method == "POST":
        actions.cancel_rsvp(rsvp_record=record)
        messages.success(request, _("Your RSVP is cancelled."))
        return redirect(record.shift.event)
    return render(request, "organizing/rsvp_cancel.html", {"rsvp": record, "event": record.shift.event})
