"""Events: search, create, edit, the event page, cancel, duplicate, my events."""

from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from quartier.accounts.access import verified_supporter_required
from quartier.lib.page_cache import cached_anonymous_page, cached_fragment
from quartier.lib.urls import absolute_url
from quartier.lib.zones import viewer_time_zone
from quartier.organizing import access
from quartier.organizing.actions import common as common_actions
from quartier.organizing.actions import events as events_actions
from quartier.organizing.forms.events import (
    CancelEventForm,
    DuplicateForm,
    EventForm,
    ReviewForm,
    ShiftFormSet,
)
from quartier.organizing.forms.rsvps import GuestRsvpForm, RsvpForm
from quartier.organizing.forms.search import EventSearchForm
from quartier.organizing.models import CalendarFeed, Event, Rsvp, Shift
from quartier.organizing.queries import events as events_queries
from quartier.organizing.queries import search as search_queries
from quartier.organizing.templatetags.event_times import shown_time_zone
from quartier.organizing.views.common import (
    distance_unit,
    event_stamps,
    map_centre,
    near_from,
    next_change,
    page_number,
    page_share_url,
    rule_message,
    search_defaults,
    search_stamps,
    with_distances,
    with_paths,
)
from quartier.reach import actions as reach_actions


def event_search(request: HttpRequest) -> HttpResponse:
    form = EventSearchForm(search_defaults(request))
    near = near_from(request, form)
    unit = distance_unit(request, form)
    result_page = None
    if form.is_valid():
        data = form.cleaned_data
        zone = timezone.get_current_timezone()
        date_from = datetime.combine(data["date_from"], time.min, zone) if data.get("date_from") else None
        date_to = datetime.combine(data["date_to"], time.max, zone) if data.get("date_to") else None
        result_page = search_queries.search_events(
            near=near, event_type=data.get("type") or "", date_from=date_from, date_to=date_to,
            virtual=True if data.get("online") == "yes" else None, order=data.get("sort") or "",
            page=page_number(request),
        )  # fmt: skip
    results = with_distances(result_page.results, unit) if result_page else []
    with_paths(results, "organizing:event", "pk", sentinel=987654321)
    # Only the public point: exact for public addresses, a grid node for attendee-only ones.
    map_points = [
        {"lat": round(event.public_latitude, 5), "lon": round(event.public_longitude, 5), "title": event.title,
         "town": event.town, "url": event.path,
         "when": timezone.localtime(event.starts_at, ZoneInfo(event.time_zone)).strftime("%Y-%m-%d %H:%M")}
        for event, _distance in results
        if event.public_latitude is not None and not event.is_virtual
    ]  # fmt: skip
    return cached_anonymous_page(
        request,
        lambda: render(
            request, "organizing/event_search.html",
            {"form": form, "results": results, "page": result_page, "unit": unit, "map_points": map_points,
             "near": near, "map_centre": map_centre(form, near)},
        ),
        depends_on=lambda: search_stamps("events", results),
        fresh_until=lambda: next_change([event for event, _distance in results]),
    )  # fmt: skip


def _event_form_context(request, form, shifts, event=None, status=200):
    return render(
        request, "organizing/event_form.html", {"form": form, "shifts": shifts, "event": event},
        status=400 if (form.errors or shifts.errors or shifts.non_form_errors()) else status,
    )  # fmt: skip


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def event_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = EventForm(request.POST, host=request.user)
        shifts = ShiftFormSet(request.POST, prefix="shifts", time_zone=request.POST.get("time_zone") or "UTC")
        if form.is_valid() and shifts.is_valid():
            try:
                event = events_actions.create_event(host=request.user, draft=form.to_draft(shifts.drafts()))
            except common_actions.OrganizingError as error:
                messages.error(request, rule_message(error.code))
            else:
                if event.status == Event.Status.PENDING:
                    messages.info(
                        request, _("Thank you! The campaign reviews this type of event before it is listed.")
                    )
                else:
                    messages.success(request, _("Your event is listed. Share it with people near you."))
                return redirect(event)
    else:
        form = EventForm(
            host=request.user, browser_zone=viewer_time_zone(request),
            initial={"country": request.user.country, "postal_code": request.user.postal_code,
                     "group": request.GET.get("group")},
        )  # fmt: skip
        shifts = ShiftFormSet(prefix="shifts", initial=[{"capacity": 20}])
    return _event_form_context(request, form, shifts)


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def event_edit(request: HttpRequest, event_id: int) -> HttpResponse:
    event = access.get_event_for_host(request.user, event_id)
    if request.method == "POST":
        form = EventForm(request.POST, host=event.host)
        shifts = ShiftFormSet(
            request.POST, prefix="shifts", time_zone=request.POST.get("time_zone") or event.time_zone
        )
        if form.is_valid() and shifts.is_valid():
            try:
                events_actions.update_event(event=event, draft=form.to_draft(shifts.drafts()))
            except common_actions.OrganizingError as error:
                messages.error(request, rule_message(error.code))
            else:
                messages.success(request, _("The event is saved."))
                return redirect(event)
    else:
        zone = event.time_zone
        form = EventForm(
            host=event.host,
            initial={
                "title": event.title, "event_type": event.event_type, "description": event.description,
                "group": event.group_id, "is_virtual": event.is_virtual, "join_url": event.join_url,
                "venue": event.venue, "address": event.address, "address_visibility": event.address_visibility,
                "country": event.country, "postal_code": event.postal_code, "time_zone": zone,
                "max_guests_per_rsvp": event.max_guests_per_rsvp,
                "coordinates": "" if event.postal_code or event.latitude is None else f"{event.latitude}, {event.longitude}",
            },
        )  # fmt: skip
        shifts = ShiftFormSet(
            prefix="shifts", time_zone=zone,
            initial=[
                {"id": s.pk, "starts_at": s.starts_at.astimezone(ZoneInfo(zone)).replace(tzinfo=None),
                 "ends_at": s.ends_at.astimezone(ZoneInfo(zone)).replace(tzinfo=None), "capacity": s.capacity}
                for s in event.shifts.all()
            ],
        )  # fmt: skip
    return _event_form_context(request, form, shifts, event)


def guest_initial(request: HttpRequest) -> dict[str, object]:
    return {"country": settings.QUARTIER_COUNTRIES[0]} if not request.user.is_authenticated else {}


def event_context(
    request: HttpRequest, event: Event, rsvp_form=None, shifts: list[tuple[Shift, Rsvp | None]] | None = None
) -> dict[str, object]:
    """The event page: its shared part (`event_shared_part`, cached per audience) and the viewer's, read
    from `event` (the narrow row of `access.get_event_page` will do) and `shifts`, each with the viewer's
    RSVP (read here when not given)."""
    now = timezone.now()
    if shifts is None:
        shifts = events_queries.shifts_with_rsvps_of(request.user, event.pk)
    attending = any(mine is not None and mine.status == Rsvp.Status.CONFIRMED for _shift, mine in shifts)
    is_host = access.hosts(request.user, event)
    show_private = attending or is_host
    if rsvp_form is None:
        form_class = RsvpForm if request.user.is_authenticated else GuestRsvpForm
        rsvp_form = form_class(max_guests=event.max_guests_per_rsvp, initial=guest_initial(request))
    return {
        "event": event,
        "shared": event_shared_part(request, event, shift_count=len(shifts), show_private=show_private,
                                    audience=None if is_host else "attendee" if attending else "public"),
        "shifts": shifts,
        "open_shifts": [
            shift for shift, mine in shifts
            if shift.starts_at > now and (mine is None or mine.status == Rsvp.Status.CANCELLED)
        ],
        "show_join_url": show_private,
        "is_host": is_host,
        "can_rsvp": event.is_published and not event.is_past,
        "rsvp_form": rsvp_form,
        "share_link": page_share_url(request, event),
        "review_form": ReviewForm()
        if event.status == Event.Status.PENDING and access.is_staff(request.user)
        else None,
        "duplicate_form": DuplicateForm() if is_host else None,
    }  # fmt: skip


def event_shared_part(
    request: HttpRequest, event: Event, *, shift_count: int, show_private: bool, audience: str | None
) -> str:
    """The event's header, place, description and map: alike for every viewer of one audience (`public`:
    anyone not confirmed; `attendee`: confirmed, who see the address and join link), cached under it;
    rendered afresh for its hosts and staff (`audience` None), who see notices others never do."""

    def render_part() -> str:
        shown = events_queries.event_shown(event.pk)
        show_address = show_private or shown.address_visibility == Event.AddressVisibility.PUBLIC
        context = {
            "event": shown, "shift_count": shift_count, "show_address": show_address, "show_join_url": show_private,
            "map_points": [map_point(shown, exact=show_address)]
            if shown.latitude is not None and not shown.is_virtual else [],
        }  # fmt: skip
        return render_to_string("organizing/_event_shared.html", context, request=request)

    if audience is None:
        return mark_safe(render_part())  # noqa: S308 - the template escapes what it shows
    # The times shown are in the viewer's zone for online events (`event_times.shown_time_zone`).
    zone = shown_time_zone(request, event)
    return cached_fragment(
        request,
        f"event:{event.pk}:{audience}:{zone}",
        render_part,
        depends_on=lambda: event_stamps(event),
        fresh_until=lambda: (
            event.ends_at if event.ends_at > timezone.now() else None
        ),  # "This event is over."
    )


def map_point(event: Event, *, exact: bool) -> dict[str, object]:
    """Where to pin an event: exactly, or at its public point (a grid node) for people who may not see
    the address."""
    latitude, longitude = (
        (event.latitude, event.longitude) if exact else (event.public_latitude, event.public_longitude)
    )
    return {"lat": round(latitude, 5), "lon": round(longitude, 5), "title": event.title, "town": event.town}


def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event, shifts = access.get_event_page(request.user, event_id)
    reach_actions.remember_referral(request)
    return cached_anonymous_page(
        request,
        lambda: render(request, "organizing/event_detail.html", event_context(request, event, shifts=shifts)),
        depends_on=lambda: event_stamps(event),
        fresh_until=lambda: event_fresh_until(event, [shift for shift, _mine in shifts]),
    )


def event_fresh_until(event: Event, shifts: list[Shift]) -> datetime | None:
    """The next moment the clock alone changes an event's page: a shift starts (no more RSVPs to it), or
    the event ends."""
    now = timezone.now()
    moments = [shift.starts_at for shift in shifts if shift.starts_at > now]
    if event.ends_at > now:
        moments.append(event.ends_at)
    return min(moments, default=None)


@require_http_methods(["GET", "POST"])
@verified_supporter_required
def event_cancel(request: HttpRequest, event_id: int) -> HttpResponse:
    """GET says what cancelling does and asks for a message to attendees; POST cancels."""
    event = access.get_event_for_host(request.user, event_id)
    if event.status == Event.Status.CANCELLED:
        messages.info(request, _("This event is already cancelled."))
        return redirect(event)
    form = CancelEventForm(request.POST if request.method == "POST" else None)
    if form.is_valid():
        events_actions.cancel_event(event=event, message=form.cleaned_data["message"])
        messages.success(request, _("The event is cancelled; everyone who RSVPed is told by email."))
        return redirect(event)
    return render(
        request, "organizing/event_cancel.html",
        {"event": event, "form": form, "people_told": events_queries.people_to_tell_of_cancellation(event)},
        status=400 if form.errors else 200,
    )  # fmt: skip


@require_POST
@verified_supporter_required
def event_duplicate(request: HttpRequest, event_id: int) -> HttpResponse:
    event = access.get_event_for_host(request.user, event_id)
    form = DuplicateForm(request.POST)
    if not form.is_valid():
        reasons = [error.message % (error.params or {}) for error in form.errors.as_data().get("starts_at", [])
                   if error.code == "out_of_range"]  # fmt: skip
        messages.error(request, " ".join([_("Give a valid date and time for the copy."), *reasons]))
        return redirect(event)
    # Typed in the event's own zone, whatever zone Django read it in.
    starts_at = form.cleaned_data["starts_at"].replace(tzinfo=ZoneInfo(event.time_zone))
    if starts_at <= timezone.now():
        messages.error(request, _("This time has already passed."))
        return redirect(event)
    try:
        copy = events_actions.duplicate_event(event=event, host=request.user, starts_at=starts_at)
    except common_actions.OrganizingError as error:
        messages.error(request, rule_message(error.code))
        return redirect(event)
    messages.success(request, _("Here is the copy. Check it, then share it."))
    return redirect(copy)


@login_required
def my_events(request: HttpRequest) -> HttpResponse:
    feed, _created = CalendarFeed.objects.get_or_create(supporter=request.user)
    return render(
        request, "organizing/my_events.html",
        {**events_queries.my_events(request.user),
         "feed_url": absolute_url(reverse("organizing:calendar_feed", args=[feed.token]))},
    )  # fmt: skip
