"""Helpers shared by the organizing pages."""

from __future__ import annotations

import csv
from datetime import datetime

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _

from quartier.lib.geo import distance_unit_for, km_to_miles, miles_to_km
from quartier.lib.ids import parse_id
from quartier.lib.page_cache import stamp
from quartier.organizing.forms.groups import MessageForm
from quartier.organizing.forms.search import SearchForm
from quartier.organizing.models import Event
from quartier.organizing.queries import groups as groups_queries
from quartier.organizing.queries import search as search_queries
from quartier.reach.queries import share_url, share_url_with_code


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
        "no_shift_chosen": _("Choose a shift."),
        "only_leader_changes_roles": _("Only a leader of the group can change roles."),
        "not_group_leader": _("Only the group's current leaders and co-leaders host events in its name."),
        "link_expired": _("This link has expired."),
    }.get(code, _("This is not possible."))


def language() -> str:
    return (get_language() or "en")[:2]


def distance_unit(request: HttpRequest, form: SearchForm | None = None) -> str:
    """Miles for people in the United States, kilometres elsewhere.

    Signed in: the supporter's country. Otherwise the country of the postal code or town searched,
    else the region of the browser's first language (`en-US`).
    """
    if request.user.is_authenticated:
        return distance_unit_for(language(), request.user.country)
    searched = form.cleaned_data.get("place_country") if form is not None and form.is_valid() else None
    if searched:
        return distance_unit_for(language(), searched)
    browser = request.META.get("HTTP_ACCEPT_LANGUAGE", "").split(",", 1)[0].split(";", 1)[0].strip()
    return distance_unit_for(browser or language(), None)


def near_from(request: HttpRequest, form: SearchForm) -> search_queries.Near | None:
    point = form.cleaned_data.get("point") if form.is_valid() else None
    if point is None:
        return None
    within = form.cleaned_data.get("within") or 25
    unit = distance_unit(request, form)
    return search_queries.Near(point[0], point[1], miles_to_km(within) if unit == "mi" else float(within))


def map_centre(form: SearchForm, near: search_queries.Near | None) -> dict[str, object] | None:
    """The town searched, for the map to draw and name (None for coordinates or no search)."""
    name = form.cleaned_data.get("place_name") if near is not None and form.is_valid() else None
    return {"lat": near.latitude, "lon": near.longitude, "name": name} if name else None


def with_distances(found: list[search_queries.Found], unit: str) -> list[tuple[object, float | None]]:
    return [
        (
            item.item,
            None
            if item.distance_km is None
            else (km_to_miles(item.distance_km) if unit == "mi" else item.distance_km),
        )
        for item in found
    ]


def with_paths(
    results: list[tuple[object, float | None]], view_name: str, key: str, sentinel: int | str = "0quartier0"
) -> None:
    """Give each search result its page's path as `path` (read by its card and its map point) from one
    `reverse` for the page: a search shows twenty, and `reverse` was the dearest step of both.
    `sentinel`: a value the URL pattern accepts that appears nowhere else in the path."""
    pattern = reverse(view_name, args=[sentinel])
    sentinel = str(sentinel)
    for item, _distance in results:
        item.path = pattern.replace(sentinel, str(getattr(item, key)))


def page_number(request: HttpRequest) -> int:
    """The `?page=` of a search, 1 when it is missing or not a number (queries clamp it)."""
    try:
        return max(1, int(request.GET.get("page", "1")))
    except ValueError:
        return 1


def search_defaults(request: HttpRequest) -> dict[str, object]:
    data = request.GET.copy()
    data.setdefault("within", "25")
    if request.user.is_authenticated:
        data.setdefault("country", request.user.country)
        if "near" not in data and request.user.postal_code:
            data["near"] = request.user.postal_code
    return data


def message_page(request, *, target, recipients, audience: str, send, target_name: str, done_url: str):
    """Write to a group's members or an event's attendees; only those who accepted receive it."""

    if request.method == "POST":
        form = MessageForm(request.POST)
        if form.is_valid():
            message = send(sender=request.user, subject=form.cleaned_data["subject"], body=form.cleaned_data["body"],
                           **{target_name: target})  # fmt: skip
            messages.success(
                request,
                ngettext(
                    "Your message is on its way to %(count)s person.",
                    "Your message is on its way to %(count)s people.",
                    message.recipient_count,
                )
                % {"count": message.recipient_count},
            )
            return redirect(done_url)
    else:
        form = MessageForm()
    return render(
        request, "organizing/message_form.html",
        {"form": form, "target": target, "reachable": groups_queries.reachable_count(recipients, audience),
         "total": recipients.count()},
        status=400 if form.errors else 200,
    )  # fmt: skip


def int_or_404(value: object) -> int:
    """A row id from a form field, or 404 (`parse_id`: never a number past what a database stores)."""
    number = parse_id(value)
    if number is None:
        raise Http404
    return number


def csv_response(filename: str, rows: list[list[object]]) -> HttpResponse:
    class Echo:
        def write(self, value: str) -> str:
            return value

    writer = csv.writer(Echo())
    response = StreamingHttpResponse(
        ("\ufeff" if index == 0 else "") + writer.writerow([safe_cell(cell) for cell in row])
        for index, row in enumerate(rows)
    )
    response["Content-Type"] = "text/csv; charset=utf-8"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def safe_cell(value: object) -> str:
    """Neutralise spreadsheet formulas in user-written cells (CSV injection)."""
    text = "" if value is None else str(value)
    return f"'{text}" if text[:1] in {"=", "+", "-", "@", "\t", "\r"} else text


def search_stamps(collection: str, results: list[tuple[object, float | None]]) -> list[str | None]:
    """The stamps of a page of search results: the collection searched (`events`, `groups`: bumped when
    what a search may find changes) and each result's own (an event's with its host and group)."""
    names: list[str | None] = [collection]
    for item, _distance in results:
        if isinstance(item, Event):
            names += event_stamps(item)
        else:
            names.append(stamp("group", item.pk))
    return names


def event_stamps(event: Event) -> tuple[str | None, ...]:
    """The stamps of what an event's page or card shows: the event (and its shifts, places left), its host
    and its group."""
    return (stamp("event", event.pk), stamp("supporter", event.host_id), stamp("group", event.group_id))


def next_change(events: list[Event]) -> datetime | None:
    """The next moment the clock alone changes a list of events: one starts or ends."""
    now = timezone.now()
    return min(
        (moment for event in events for moment in (event.starts_at, event.ends_at) if moment > now),
        default=None,
    )


def page_share_url(request: HttpRequest, page: object) -> str:
    """The viewer's link to share `page` (an event or a group), with their referral code as read with the
    page's row (`viewer_referral_code`), else with a query of its own."""
    if request.user.is_authenticated and hasattr(page, "viewer_referral_code"):
        return share_url_with_code(page.get_absolute_url(), page.viewer_referral_code)
    return share_url(page.get_absolute_url(), request.user)
