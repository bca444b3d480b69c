"""RSVPs: sign up for shifts (signed in, or as a guest confirmed by email), confirmation, cancellation."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from quartier.accounts import actions as accounts_actions
from quartier.accounts.adapter import client_ip
from quartier.accounts.forms import NEWS_CONSENT_WORDING
from quartier.organizing import access
from quartier.organizing.actions import common as common_actions
from quartier.organizing.actions import guest_rsvps as guest_rsvps_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.forms.fields import HOST_CONSENT_WORDING
from quartier.organizing.forms.rsvps import GuestRsvpForm, RsvpForm
from quartier.organizing.models import Event, Rsvp
from quartier.organizing.queries import events as events_queries
from quartier.organizing.views.common import language, rule_message
from quartier.organizing.views.events import event_context
from quartier.reach.queries import referrer_from, share_url

LAST_RSVPS = "organizing.last_rsvps"


@require_POST
def event_rsvp(request: HttpRequest, event_id: int) -> HttpResponse:
    """RSVP to one or more shifts as a signed-in supporter, or ask for it as a guest.

    A guest's RSVP touches no account: it waits for the address's owner to follow the link we email
    them, and the visitor sees the same "check your email" page whether the address has an account.
    """
    event = access.get_visible_event(request.user, event_id)
    form_class = RsvpForm if request.user.is_authenticated else GuestRsvpForm
    form = form_class(request.POST, max_guests=event.max_guests_per_rsvp)
    if not form.is_valid():
        return _event_detail_with_form(request, event, form)
    shifts = [access.get_open_shift(request.user, event, shift_id) for shift_id in form.cleaned_data["shift"]]
    data = form.cleaned_data
    try:
        if not request.user.is_authenticated:
            guest_rsvps_actions.request_rsvp(
                event=event, shifts=shifts,
                request=guest_rsvps_actions.RsvpRequest(
                    email=data["email"], name=data["name"], country=data["country"], postal_code=data["postal_code"],
                    language=language(), guests=data["guests"], phone=data["phone"],
                    shares_contact=data["shares_contact"], accepts_messages=data["accepts_messages"],
                    news_consent=data["news_consent"], referrer=referrer_from(request), ip_address=client_ip(request),
                ),
            )  # fmt: skip
            return redirect("organizing:rsvp_requested")
        outcomes = rsvps_actions.rsvp_to_shifts(
            supporter=request.user, shifts=shifts, guests=data["guests"], phone=data["phone"],
            shares_contact=data["shares_contact"], referrer=referrer_from(request),
        )  # fmt: skip
    except common_actions.OrganizingError as error:
        form.add_error(None, rule_message(error.code))
        return _event_detail_with_form(request, event, form)
    if data["accepts_messages"]:  # the person themselves, ticking the box: a yes; unticked records nothing
        accounts_actions.record_consent(
            supporter=request.user, audience=common_actions.event_audience(event), granted=True,
            wording=str(HOST_CONSENT_WORDING), language=language(), source="join", ip_address=client_ip(request),
        )  # fmt: skip
    return _done(request, outcomes)


def _done(request: HttpRequest, outcomes: list[rsvps_actions.ShiftOutcome]) -> HttpResponse:
    for outcome in outcomes:
        if outcome.rsvp is None:
            messages.warning(request, rule_message(outcome.refused))
    records = [outcome.rsvp for outcome in outcomes if outcome.rsvp is not None]
    request.session[LAST_RSVPS] = [record.pk for record in records]
    return redirect("organizing:rsvp_done", rsvp_id=records[0].pk)


def _event_detail_with_form(request: HttpRequest, event: Event, form) -> HttpResponse:
    """The event page again, with the submitted RSVP form, its data and its errors."""
    return render(request, "organizing/event_detail.html", event_context(request, event, form), status=400)


def rsvp_requested(request: HttpRequest) -> HttpResponse:
    """What a guest sees after asking for an RSVP, whatever the address: check your email."""
    return render(request, "organizing/rsvp_requested.html")


@require_http_methods(["GET", "POST"])
def rsvp_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link emailed to an address's owner: GET shows what they confirm (mail scanners follow
    links), POST creates the RSVPs and records the consents, once."""
    pending = guest_rsvps_actions.pending_rsvp_from_token(token)
    if pending is None:
        raise Http404
    if pending.confirmed_at is None and pending.is_expired:
        return render(request, "organizing/link_expired.html", {"event": pending.event}, status=410)
    if request.method == "POST" or pending.confirmed_at is not None:
        try:
            confirmation = guest_rsvps_actions.confirm_rsvp_request(
                token=token, host_consent_wording=str(HOST_CONSENT_WORDING),
                news_consent_wording=str(NEWS_CONSENT_WORDING), ip_address=client_ip(request),
            )  # fmt: skip
        except common_actions.OrganizingError as error:
            if error.code == "link_expired":
                return render(request, "organizing/link_expired.html", {"event": pending.event}, status=410)
            raise Http404 from None
        if confirmation.already_confirmed:
            messages.info(request, _("You already confirmed this RSVP."))
        if not confirmation.rsvps:
            for outcome in confirmation.outcomes:
                messages.error(request, rule_message(outcome.refused))
            return redirect(pending.event)
        return _done(request, confirmation.outcomes)
    return render(
        request, "organizing/rsvp_confirm.html",
        {"pending": pending, "event": pending.event, "shifts": list(pending.shifts.order_by("starts_at"))},
    )  # fmt: skip


def rsvp_done(request: HttpRequest, rsvp_id: int) -> HttpResponse:
    """After an RSVP: what happens next for each shift of that submission, share, add to calendar.

    Only for the session that made it, or the supporter it belongs to.
    """
    submitted = request.session.get(LAST_RSVPS) or []
    if rsvp_id in submitted:
        ids = submitted
    elif request.user.is_authenticated and Rsvp.objects.filter(pk=rsvp_id, supporter=request.user).exists():
        ids = [rsvp_id]
    else:
        raise Http404
    records = list(
        Rsvp.objects.select_related("shift__event", "supporter")
        .filter(pk__in=ids)
        .order_by("shift__starts_at")
    )
    if not records:  # erased since (the account was deleted)
        raise Http404
    event = records[0].shift.event
    ics_url = reverse("organizing:rsvp_ics", args=[records[0].pk])
    return render(
        request, "organizing/rsvp_done.html",
        {"rsvps": records, "rsvp": records[0], "event": event, "ics_url": ics_url,
         "share_link": share_url(event.get_absolute_url(), records[0].supporter),
         "all_confirmed": all(record.status == Rsvp.Status.CONFIRMED for record in records)},
    )  # fmt: skip


@require_POST
@login_required
def rsvp_cancel(request: HttpRequest, rsvp_id: int) -> HttpResponse:
    record = access.get_own_rsvp(request.user, rsvp_id)
    rsvps_actions.cancel_rsvp(rsvp_record=record)
    messages.success(request, _("Your RSVP is cancelled."))
    return redirect(record.shift.event)


@require_http_methods(["GET", "POST"])
def rsvp_cancel_by_link(request: HttpRequest, token: str) -> HttpResponse:
    """Guests cancel from the link in their confirmation email (GET asks, POST cancels).

    The link is bound to that RSVP (a later RSVP to the same shift gets a new one) and stops working
    when the shift ends: an old link shows "this link has expired" and changes nothing.
    """
    found = events_queries.rsvp_from_cancel_token(token)
    if found is None:
        raise Http404
    record, current = found
    if not current:
        return render(request, "organizing/link_expired.html", {"event": record.shift.event}, status=410)
    if request.method == "POST":
        rsvps_actions.cancel_rsvp(rsvp_record=record)
        messages.success(request, _("Your RSVP is cancelled."))
        return redirect(record.shift.event)
    return render(request, "organizing/rsvp_cancel.html", {"rsvp": record, "event": record.shift.event})
