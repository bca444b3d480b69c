"""Pages for local groups and events. Views validate, call `actions`, render."""

from __future__ import annotations

import csv
from datetime import datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from quartier.accounts.access import verified_supporter_required
from quartier.accounts.adapter import client_ip
from quartier.accounts.forms import NEWS_CONSENT_WORDING
from quartier.lib.geo import distance_unit_for, km_to_miles, miles_to_km
from quartier.organizing import access, actions, calendars, queries
from quartier.organizing.forms import (
    HOST_CONSENT_WORDING,
    LEADER_CONSENT_WORDING,
    DuplicateForm,
    EventForm,
    EventSearchForm,
    GroupForm,
    GuestRsvpForm,
    JoinGroupForm,
    MergeGroupForm,
    MessageForm,
    ReviewForm,
    RsvpForm,
    SearchForm,
    ShiftFormSet,
    WalkInForm,
)
from quartier.organizing.models import CalendarFeed, Event, Group, Membership, Rsvp, new_calendar_token
from quartier.outreach import actions as outreach_actions
from quartier.outreach.queries import consenting
from quartier.reach import actions as reach_actions
from quartier.reach.queries import referrer_from, share_url


def rule_message(code: str) -> str:
    return {
        "group_closed": _("This group is closed."),
        "last_leader": _("You are the only leader: name another leader before you leave."),
        "not_a_member": _("This person is not a member yet."),
        "same_group": _("A group cannot be merged into itself."),
        "no_shift": _("An event needs at least one shift."),
        "event_cancelled": _("This event is cancelled."),
        "event_not_published": _("This event is not open for RSVPs yet."),
        "shift_started": _("This shift has already started."),
        "too_many_guests": _("The host does not allow that many guests."),
        "capacity_below_rsvps": _("A shift cannot have fewer places than people already confirmed."),
        "shift_has_rsvps": _("A shift people have RSVPed to cannot be removed; cancel the event instead."),
        "not_pending": _("This event has already been reviewed."),
    }.get(code, _("This is not possible."))


def _language() -> str:
    return (get_language() or "en")[:2]


def _unit(request: HttpRequest) -> str:
    country = request.user.country if request.user.is_authenticated else None
    return distance_unit_for(
        request.LANGUAGE_CODE if hasattr(request, "LANGUAGE_CODE") else _language(), country
    )


def _near(request: HttpRequest, form: SearchForm) -> queries.Near | None:
    point = form.cleaned_data.get("point") if form.is_valid() else None
    if point is None:
        return None
    within = form.cleaned_data.get("within") or 25
    unit = _unit(request)
    return queries.Near(point[0], point[1], miles_to_km(within) if unit == "mi" else float(within))


def _distances(found: list[queries.Found], unit: str) -> list[tuple[object, float | None]]:
    return [
        (
            item.item,
            None
            if item.distance_km is None
            else (km_to_miles(item.distance_km) if unit == "mi" else item.distance_km),
        )
        for item in found
    ]


def _search_defaults(request: HttpRequest) -> dict[str, object]:
    data = request.GET.copy()
    data.setdefault("within", "25")
    if request.user.is_authenticated:
        data.setdefault("country", request.user.country)
        if "near" not in data and request.user.postal_code:
            data["near"] = request.user.postal_code
    return data


# --- groups ---------------------------------------------------------------------------------------


def group_search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(_search_defaults(request))
    near = _near(request, form)
    unit = _unit(request)
    results = _distances(queries.search_groups(near=near), unit) if not form.errors else []
    return render(
        request,
        "organizing/group_search.html",
        {
            "form": form,
            "results": results,
            "unit": unit,
            "near": near,
            "featured": [] if near else queries.featured_groups(),
        },
    )


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def group_create(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = GroupForm(request.POST)
        if form.is_valid():
            group = actions.create_group(creator=request.user, draft=form.to_draft())
            messages.success(request, _("Your group is ready. Invite people near you with its link."))
            return redirect(group)
    else:
        form = GroupForm(initial={"country": request.user.country, "postal_code": request.user.postal_code})
    return render(request, "organizing/group_form.html", {"form": form}, status=400 if form.errors else 200)


def group_detail(request: HttpRequest, slug: str) -> HttpResponse:
    group = access.get_visible_group(request.user, slug)
    if group.status == Group.Status.MERGED and group.merged_into_id:
        return redirect(group.merged_into)
    reach_actions.remember_referral(request)
    membership = queries.membership_of(request.user, group)
    is_leader = access.is_staff(request.user) or bool(membership and membership.leads)
    context = {
        "group": group,
        "membership": membership,
        "is_leader": is_leader,
        "members": queries.members(group),
        "events": queries.upcoming_group_events(group),
        "join_form": JoinGroupForm(),
        "share_link": share_url(request, group.get_absolute_url(), request.user),
        "viewer": request.user,
    }
    return render(request, "organizing/group_detail.html", context)


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def group_edit(request: HttpRequest, slug: str) -> HttpResponse:
    group = access.get_group_for_leader(request.user, slug)
    if request.method == "POST":
        form = GroupForm(request.POST)
        if form.is_valid():
            actions.update_group(group=group, draft=form.to_draft())
            messages.success(request, _("The group is saved."))
            return redirect(group)
    else:
        form = GroupForm(
            initial={
                "name": group.name, "area": group.area, "description": group.description, "country": group.country,
                "postal_code": group.postal_code, "join_policy": group.join_policy,
                "coordinates": "" if group.postal_code else f"{group.latitude}, {group.longitude}",
            }
        )  # fmt: skip
    return render(
        request,
        "organizing/group_form.html",
        {"form": form, "group": group},
        status=400 if form.errors else 200,
    )


@require_POST
@verified_supporter_required
def group_join(request: HttpRequest, slug: str) -> HttpResponse:
    group = access.get_visible_group(request.user, slug)
    form = JoinGroupForm(request.POST)
    form.is_valid()
    try:
        membership = actions.join_group(
            supporter=request.user,
            group=group,
            accepts_messages=bool(form.cleaned_data.get("accepts_messages")),
            consent_wording=str(LEADER_CONSENT_WORDING),
            language=_language(),
            ip_address=client_ip(request),
            referrer=referrer_from(request),
        )
    except actions.OrganizingError as error:
        messages.error(request, rule_message(error.code))
    else:
        if membership.status == Membership.Status.PENDING:
            messages.info(request, _("Your request is sent: a leader will approve it."))
        else:
            messages.success(request, _("Welcome to the group!"))
    return redirect(group)


@require_POST
@login_required
def group_leave(request: HttpRequest, slug: str) -> HttpResponse:
    group = access.get_visible_group(request.user, slug)
    try:
        actions.leave_group(supporter=request.user, group=group)
    except actions.OrganizingError as error:
        messages.error(request, rule_message(error.code))
    else:
        messages.success(request, _("You left the group."))
    return redirect(group)


@require_POST
@verified_supporter_required
def group_member(request: HttpRequest, slug: str, membership_id: int) -> HttpResponse:
    """Leaders approve or decline requests and change roles."""
    group = access.get_group_for_leader(request.user, slug)
    membership = access.get_membership_for_leader(request.user, group, membership_id)
    action = request.POST.get("action")
    try:
        if action == "approve":
            actions.approve_member(membership=membership)
        elif action == "decline":
            actions.decline_member(membership=membership)
        elif action in Membership.Role.values:
            actions.set_member_role(membership=membership, role=action)
        else:
            messages.error(request, _("Choose an action."))
            return redirect(group)
    except actions.OrganizingError as error:
        messages.error(request, rule_message(error.code))
    else:
        messages.success(request, _("Saved."))
    return redirect(group)


@verified_supporter_required
def group_members_csv(request: HttpRequest, slug: str) -> HttpResponse:
    group = access.get_group_for_leader(request.user, slug)
    rows = [[_("name"), _("email"), _("town"), _("role"), _("status"), _("joined")]]
    rows += [
        [m.supporter.display_name, m.supporter.email, m.supporter.town, m.get_role_display(), m.get_status_display(),
         timezone.localtime(m.joined_at).date().isoformat()]
        for m in queries.members(group)
    ]  # fmt: skip
    return _csv_response(f"{group.slug}-members.csv", rows)


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def group_message(request: HttpRequest, slug: str) -> HttpResponse:
    group = access.get_group_for_leader(request.user, slug)
    return _message_page(
        request, target=group, recipients=queries.group_recipients(group, request.user),
        audience=actions.group_audience(group), send=actions.message_group, target_name="group",
        done_url=group.get_absolute_url(),
    )  # fmt: skip


def _message_page(request, *, target, recipients, audience: str, send, target_name: str, done_url: str):
    """Write to a group's members or an event's attendees; only those who accepted receive it."""

    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            message = send(sender=request.user, subject=form.cleaned_data["subject"], body=form.cleaned_data["body"],
                           **{target_name: target})  # fmt: skip
            messages.success(
                request,
                _("Your message is on its way to %(count)s people.") % {"count": message.recipient_count},
            )
            return redirect(done_url)
    else:
        form = MessageForm()
    return render(
        request, "organizing/message_form.html",
        {"form": form, "target": target, "reachable": consenting(recipients, audience).count(),
         "total": recipients.count()},
        status=400 if form.errors else 200,
    )  # fmt: skip


@require_POST
def group_staff(request: HttpRequest, slug: str) -> HttpResponse:
    group = access.get_group_for_staff(request.user, slug)
    action = request.POST.get("action")
    if action == "feature":
        actions.set_group_featured(group=group, featured=True)
    elif action == "unfeature":
        actions.set_group_featured(group=group, featured=False)
    elif action == "close":
        actions.close_group(group=group)
    elif action == "merge":
        form = MergeGroupForm(request.POST)
        target = Group.objects.filter(slug=form.data.get("target", "")).first() if form.is_valid() else None
        if target is None:
            messages.error(request, _("There is no group at that address."))
            return redirect(group)
        try:
            actions.merge_groups(source=group, target=target)
        except actions.OrganizingError as error:
            messages.error(request, rule_message(error.code))
            return redirect(group)
        messages.success(request, _("The groups are merged."))
        return redirect(target)
    else:
        messages.error(request, _("Choose an action."))
        return redirect(group)
    messages.success(request, _("Saved."))
    return redirect(group)


# --- events ---------------------------------------------------------------------------------------


def event_search(request: HttpRequest) -> HttpResponse:
    form = EventSearchForm(_search_defaults(request))
    unit = _unit(request)
    results: list = []
    if form.is_valid():
        data = form.cleaned_data
        zone = timezone.get_current_timezone()
        date_from = datetime.combine(data["date_from"], time.min, zone) if data.get("date_from") else None
        date_to = datetime.combine(data["date_to"], time.max, zone) if data.get("date_to") else None
        results = _distances(
            queries.search_events(
                near=_near(request, form), event_type=data.get("type") or "", date_from=date_from, date_to=date_to,
                virtual=True if data.get("online") == "yes" else None,
            ),
            unit,
        )  # fmt: skip
    map_points = [
        {**_map_point(event, exact=event.address_visibility == Event.AddressVisibility.PUBLIC),
         "url": event.get_absolute_url(),
         "when": timezone.localtime(event.starts_at, ZoneInfo(event.time_zone)).strftime("%Y-%m-%d %H:%M")}
        for event, _distance in results
        if event.latitude is not None and not event.is_virtual
    ]  # fmt: skip
    return render(
        request, "organizing/event_search.html",
        {"form": form, "results": results, "unit": unit, "map_points": map_points},
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
                event = actions.create_event(host=request.user, draft=form.to_draft(shifts.drafts()))
            except actions.OrganizingError as error:
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
            host=request.user,
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
                actions.update_event(event=event, draft=form.to_draft(shifts.drafts()))
            except actions.OrganizingError as error:
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


def _event_context(request: HttpRequest, event: Event, rsvp_form=None) -> dict[str, object]:
    now = timezone.now()
    my_rsvps = queries.rsvps_of(request.user, event)
    attending = any(r.status == Rsvp.Status.CONFIRMED for r in my_rsvps.values())
    is_host = access.hosts(request.user, event)
    show_private = attending or is_host
    show_address = show_private or event.address_visibility == Event.AddressVisibility.PUBLIC
    if rsvp_form is None:
        form_class = RsvpForm if request.user.is_authenticated else GuestRsvpForm
        rsvp_form = form_class(max_guests=event.max_guests_per_rsvp, initial=_guest_initial(request))
    return {
        "event": event,
        "shifts": [(shift, my_rsvps.get(shift.pk)) for shift in event.shifts.all()],
        "open_shifts": [
            shift
            for shift in event.shifts.all()
            if shift.starts_at > now
            and (shift.pk not in my_rsvps or my_rsvps[shift.pk].status == Rsvp.Status.CANCELLED)
        ],
        "show_address": show_address,
        "show_join_url": show_private,
        "is_host": is_host,
        "is_staff": access.is_staff(request.user),
        "can_rsvp": event.is_published and not event.is_past,
        "rsvp_form": rsvp_form,
        "share_link": share_url(request, event.get_absolute_url(), request.user),
        "review_form": ReviewForm()
        if event.status == Event.Status.PENDING and access.is_staff(request.user)
        else None,
        "duplicate_form": DuplicateForm() if is_host else None,
        "map_points": [_map_point(event, exact=show_address)]
        if event.latitude is not None and not event.is_virtual
        else [],
    }


def _map_point(event: Event, *, exact: bool) -> dict[str, object]:
    """Where to pin an event: exactly, or within about a kilometre when the address is for attendees."""
    digits = 5 if exact else 2
    return {"lat": round(event.latitude, digits), "lon": round(event.longitude, digits), "title": event.title}


def event_detail(request: HttpRequest, event_id: int) -> HttpResponse:
    event = access.get_visible_event(request.user, event_id)
    reach_actions.remember_referral(request)
    return render(request, "organizing/event_detail.html", _event_context(request, event))


def _guest_initial(request: HttpRequest) -> dict[str, object]:
    return {"country": settings.QUARTIER_COUNTRIES[0]} if not request.user.is_authenticated else {}


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
                                        postal_code=data["postal_code"], language=_language()),
                    news_consent=data["news_consent"], consent_wording=str(NEWS_CONSENT_WORDING),
                    ip_address=client_ip(request),
                )  # fmt: skip
            record = actions.rsvp(
                supporter=supporter, shift=shift, guests=data["guests"], phone=data["phone"],
                shares_contact=data["shares_contact"], referrer=referrer_from(request),
            )  # fmt: skip
            outreach_actions.record_consent(
                supporter=supporter, audience=actions.event_audience(event), granted=data["accepts_messages"],
                wording=str(HOST_CONSENT_WORDING), language=_language(), source="join", ip_address=client_ip(request),
            )  # fmt: skip
    except actions.OrganizingError as error:
        form.add_error(None, rule_message(error.code))
        return _event_detail_with_form(request, event, form)
    request.session["organizing.last_rsvp"] = record.pk
    return redirect("organizing:rsvp_done", rsvp_id=record.pk)


def _event_detail_with_form(request: HttpRequest, event: Event, form) -> HttpResponse:
    """The event page again, with the submitted RSVP form, its data and its errors."""
    return render(request, "organizing/event_detail.html", _event_context(request, event, form), status=400)


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
         "ics_url": reverse("organizing:event_ics", args=[event.pk])},
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


@require_POST
@verified_supporter_required
def event_cancel(request: HttpRequest, event_id: int) -> HttpResponse:
    event = access.get_event_for_host(request.user, event_id)
    actions.cancel_event(event=event)
    messages.success(request, _("The event is cancelled; everyone who RSVPed is told by email."))
    return redirect(event)


@require_POST
@verified_supporter_required
def event_duplicate(request: HttpRequest, event_id: int) -> HttpResponse:
    event = access.get_event_for_host(request.user, event_id)
    form = DuplicateForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give a valid date and time for the copy."))
        return redirect(event)
    starts_at = form.cleaned_data["starts_at"]
    if timezone.is_naive(starts_at):
        starts_at = starts_at.replace(tzinfo=ZoneInfo(event.time_zone))
    if starts_at <= timezone.now():
        messages.error(request, _("This time has already passed."))
        return redirect(event)
    copy = actions.duplicate_event(event=event, host=request.user, starts_at=starts_at)
    messages.success(request, _("Here is the copy. Check it, then share it."))
    return redirect(copy)


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def event_attendees(request: HttpRequest, event_id: int) -> HttpResponse:
    """The host's page: attendees, check-in at the door, walk-ins."""
    event = access.get_event_for_host(request.user, event_id)
    walk_in_form = WalkInForm()
    if request.method == "POST":
        if "rsvp" in request.POST:
            record = access.get_rsvp_for_host(request.user, event, _int(request.POST.get("rsvp")))
            actions.check_in(rsvp_record=record, attended=request.POST.get("attended") == "yes")
            if request.headers.get("HX-Request"):
                record.refresh_from_db()
                return render(
                    request, "organizing/_attendee_row.html",
                    {"record": record, "event": event, "oob": True, **_attendance(queries.attendees(event))},
                )  # fmt: skip
            return redirect("organizing:event_attendees", event_id=event.pk)
        walk_in_form = WalkInForm(request.POST)
        if walk_in_form.is_valid():
            data = walk_in_form.cleaned_data
            shift = access.get_open_shift(request.user, event, data["shift"])
            supporter = actions.guest_supporter(
                guest=actions.Guest(name=data["name"], email=data["email"], country=event.country,
                                    postal_code=event.postal_code, language=_language()),
                news_consent=False, consent_wording=str(NEWS_CONSENT_WORDING), ip_address=None,
            )  # fmt: skip
            actions.add_walk_in(shift=shift, supporter=supporter, phone=data["phone"])
            messages.success(request, _("%(name)s is checked in.") % {"name": data["name"]})
            return redirect("organizing:event_attendees", event_id=event.pk)
    records = queries.attendees(event)
    return render(
        request, "organizing/event_attendees.html",
        {"event": event, "records": records, "walk_in_form": walk_in_form, **_attendance(records)},
        status=400 if walk_in_form.errors else 200,
    )  # fmt: skip


def _attendance(records: list[Rsvp]) -> dict[str, int]:
    return {
        "confirmed": sum(r.places for r in records if r.status == Rsvp.Status.CONFIRMED and not r.is_walk_in),
        "checked_in": sum(1 for r in records if r.attended),
    }


def _int(value: object) -> int:
    try:
        return int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise Http404 from None


@verified_supporter_required
def event_attendees_csv(request: HttpRequest, event_id: int) -> HttpResponse:
    event = access.get_event_for_host(request.user, event_id)
    rows = [
        [_("name"), _("email"), _("phone"), _("shift"), _("status"), _("guests"), _("attended"), _("walk-in")]
    ]
    for r in queries.attendees(event):
        rows.append([
            r.supporter.display_name, r.supporter.email if r.shares_contact else "", r.phone if r.shares_contact else "",
            timezone.localtime(r.shift.starts_at).strftime("%Y-%m-%d %H:%M"), r.get_status_display(), r.guests,
            {True: _("yes"), False: _("no"), None: ""}[r.attended], _("yes") if r.is_walk_in else "",
        ])  # fmt: skip
    return _csv_response(f"event-{event.pk}-attendees.csv", rows)


@verified_supporter_required
@require_http_methods(["GET", "POST"])
def event_message(request: HttpRequest, event_id: int) -> HttpResponse:
    event = access.get_event_for_host(request.user, event_id)
    return _message_page(
        request, target=event, recipients=queries.event_recipients(event), audience=actions.event_audience(event),
        send=actions.message_attendees, target_name="event",
        done_url=reverse("organizing:event_attendees", args=[event.pk]),
    )  # fmt: skip


def event_ics(request: HttpRequest, event_id: int) -> HttpResponse:
    event = access.get_visible_event(request.user, event_id)
    show_private = access.hosts(request.user, event) or queries.is_attending(request.user, event)
    response = HttpResponse(
        calendars.event_ics(event, show_private=show_private), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = CalendarFeed.objects.select_related("supporter").filter(token=token).first()
    if feed is None or not feed.supporter.is_active:
        raise Http404
    name = _("%(name)s on %(site)s") % {"name": feed.supporter.display_name, "site": "Quartier"}
    response = HttpResponse(calendars.feed_ics(name, queries.feed_entries(feed.supporter)),
                            content_type="text/calendar; charset=utf-8")  # fmt: skip
    response["Cache-Control"] = "private, max-age=900"
    return response


@login_required
def my_events(request: HttpRequest) -> HttpResponse:
    feed, _created = CalendarFeed.objects.get_or_create(supporter=request.user)
    return render(
        request, "organizing/my_events.html",
        {**queries.my_events(request.user),
         "feed_url": request.build_absolute_uri(reverse("organizing:calendar_feed", args=[feed.token]))},
    )  # fmt: skip


@require_POST
@login_required
def reset_calendar_feed(request: HttpRequest) -> HttpResponse:
    CalendarFeed.objects.update_or_create(supporter=request.user, defaults={"token": new_calendar_token()})
    messages.success(request, _("Your calendar has a new address; the old one no longer works."))
    return redirect("organizing:my_events")


def review_queue(request: HttpRequest) -> HttpResponse:
    if not access.is_staff(request.user):
        raise Http404
    return render(
        request, "organizing/review_queue.html", {"events": queries.pending_events(), "form": ReviewForm()}
    )


@require_POST
def review_event(request: HttpRequest, event_id: int) -> HttpResponse:
    event = access.get_event_for_staff(request.user, event_id)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(event)
    try:
        actions.review_event(
            event=event, reviewer=request.user, approve=form.cleaned_data["decision"] == "approve",
            reason=form.cleaned_data["reason"],
        )  # fmt: skip
    except actions.OrganizingError as error:
        messages.error(request, rule_message(error.code))
    else:
        messages.success(request, _("The host is told of your decision."))
    return redirect("organizing:review_queue")


def _csv_response(filename: str, rows: list[list[object]]) -> HttpResponse:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    response = StreamingHttpResponse(
        ("\ufeff" if index == 0 else "") + writer.writerow([_safe_cell(cell) for cell in row])
        for index, row in enumerate(rows)
    )
    response["Content-Type"] = "text/csv; charset=utf-8"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _safe_cell(value: object) -> str:
    """Neutralise spreadsheet formulas in user-written cells (CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text
