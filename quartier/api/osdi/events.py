"""OSDI `events` and their `attendances` (RSVPs), with the record attendance helper."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db.models import QuerySet, Sum
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Status

from quartier.accounts.queries import find_place
from quartier.api.actions import helpers
from quartier.api.actions import people as people_actions
from quartier.api.auth import require_scope
from quartier.api.errors import ApiError
from quartier.api.osdi import hal
from quartier.api.osdi.filters import FilterField, filtered
from quartier.api.osdi.params import Page, PerPage, ResourceId, filter_param
from quartier.api.osdi.people import client_name, person_input
from quartier.api.osdi.schemas import AttendanceIn, AttendanceUpdateIn, EventCreateIn, EventIn
from quartier.organizing.actions import events as event_actions
from quartier.organizing.actions.common import OrganizingError
from quartier.organizing.models import Event, EventType, Rsvp

router = Router(tags=["events"])
CREATED_OR_FOUND = {200: dict[str, Any], 201: dict[str, Any]}

EVENT_FILTERS = {
    "modified_date": FilterField("updated_at", "datetime"),
    "created_date": FilterField("created_at", "datetime"),
    "start_date": FilterField("starts_at", "datetime"),
    "end_date": FilterField("ends_at", "datetime"),
    "postal_code": FilterField("postal_code", "text"),
    "title": FilterField("title", "text"),
}
ATTENDANCE_FILTERS = {
    "modified_date": FilterField("updated_at", "datetime"),
    "created_date": FilterField("created_at", "datetime"),
}
STATUSES = {
    Event.Status.PUBLISHED: "confirmed",
    Event.Status.PENDING: "tentative",
    Event.Status.REJECTED: "cancelled",
    Event.Status.CANCELLED: "cancelled",
}
ATTENDANCE_STATUSES = {
    Rsvp.Status.CONFIRMED: "accepted",
    Rsvp.Status.WAITLISTED: "tentative",
    Rsvp.Status.CANCELLED: "declined",
}

EventFilter = filter_param(EVENT_FILTERS)
AttendanceFilter = filter_param(ATTENDANCE_FILTERS)


def events() -> QuerySet[Event]:
    return Event.objects.annotate(
        osdi_capacity=Sum("shifts__capacity"), osdi_accepted=Sum("shifts__confirmed_count")
    ).order_by("pk")


def event_json(request: HttpRequest, event: Event) -> dict[str, Any]:
    return hal.resource(
        request,
        path=f"events/{event.pk}",
        pk=event.pk,
        created=event.created_at,
        modified=event.updated_at,
        fields={
            "title": event.title,
            "name": event.title,
            "description": event.description,
            "browser_url": request.build_absolute_uri(event.get_absolute_url()),
            "type": "open",
            "status": STATUSES.get(event.status, "confirmed"),
            "start_date": hal.timestamp(event.starts_at),
            "end_date": hal.timestamp(event.ends_at),
            "capacity": getattr(event, "osdi_capacity", None) or 0,
            "total_accepted": getattr(event, "osdi_accepted", None) or 0,
            "visibility": "public",
            "location": {
                "venue": event.venue,
                "address_lines": [event.address] if event.address else [],
                "locality": event.town,
                "postal_code": event.postal_code,
                "country": event.country,
                "location": {"latitude": event.latitude, "longitude": event.longitude},
            },
        },
        links={
            "osdi:attendances": f"events/{event.pk}/attendances",
            "osdi:record_attendance_helper": f"events/{event.pk}/record_attendance_helper",
            "osdi:organizer": f"people/{event.host_id}",
        },
    )


def attendance_json(request: HttpRequest, record: Rsvp, event_id: int) -> dict[str, Any]:
    return hal.resource(
        request,
        path=f"events/{event_id}/attendances/{record.pk}",
        pk=record.pk,
        created=record.created_at,
        modified=record.updated_at,
        fields={
            "status": ATTENDANCE_STATUSES.get(record.status, "needs action"),
            "attended": record.attended,
            "guests": record.guests,
        },
        links={"osdi:event": f"events/{event_id}", "osdi:person": f"people/{record.supporter_id}"},
    )


def event_or_404(raw_id: str) -> Event:
    event = events().filter(pk=hal.parse_id(raw_id)).first()
    if event is None:
        raise ApiError(404, _("No event has this identifier."))
    return event


def attendances(event: Event) -> QuerySet[Rsvp]:
    return Rsvp.objects.filter(shift__event=event).order_by("pk")


def refused(code: str) -> ApiError:
    return ApiError(409, _("The event's rules refuse this: %(code)s.") % {"code": code}, code=code)


def _draft(event: Event | None, payload: EventIn) -> event_actions.EventDraft:
    location = payload.location
    shift_pk = None
    starts_at, ends_at, capacity = payload.start_date, payload.end_date, payload.capacity
    if event is not None:
        shifts = list(event.shifts.all())
        if len(shifts) > 1 and (starts_at or ends_at or capacity):
            raise ApiError(409, _("This event has several shifts: change their times on the site."))
        first = shifts[0]
        shift_pk = first.pk
        starts_at, ends_at = starts_at or first.starts_at, ends_at or first.ends_at
        capacity = capacity or first.capacity
    if starts_at is None or ends_at is None:
        raise ApiError(422, _("An event needs a start_date and an end_date."))
    if ends_at <= starts_at:
        raise ApiError(422, _("An event must end after it starts."))

    def pick(new: Any, old: str, default: Any) -> Any:
        if new is not None:
            return new
        return getattr(event, old) if event is not None else default

    address = location.address_lines[0] if location and location.address_lines else None
    country = pick((location.country or "").upper() or None if location else None, "country", "CA")
    postal_code = pick(location.postal_code if location else None, "postal_code", "")
    latitude, longitude = (event.latitude, event.longitude) if event is not None else (None, None)
    town = pick(location.locality if location else None, "town", "")
    if location and location.postal_code:  # placed on the map as the site's own form places events
        place = find_place(country, postal_code)
        if place is not None:
            latitude, longitude, town = place.latitude, place.longitude, town or place.town
    return event_actions.EventDraft(
        title=pick(payload.title, "title", ""),
        description=pick(payload.description, "description", ""),
        event_type=event.event_type if event is not None else EventType.OTHER,
        is_virtual=event.is_virtual if event is not None else False,
        join_url=event.join_url if event is not None else "",
        venue=pick(location.venue if location else None, "venue", ""),
        address=pick(address, "address", ""),
        address_visibility=event.address_visibility if event is not None else Event.AddressVisibility.PUBLIC,
        country=country,
        postal_code=postal_code,
        town=town,
        latitude=latitude,
        longitude=longitude,
        time_zone=event.time_zone if event is not None else settings.TIME_ZONE,
        max_guests_per_rsvp=event.max_guests_per_rsvp if event is not None else 0,
        group=event.group if event is not None else None,
        shifts=[
            event_actions.ShiftDraft(
                starts_at=starts_at, ends_at=ends_at, capacity=capacity or 1000, pk=shift_pk
            )
        ],
    )


@router.get("", summary="List events")
def list_events(
    request: HttpRequest, page: Page = None, per_page: PerPage = None, filter: EventFilter = None
) -> dict[str, Any]:
    require_scope(request, "events")
    paging = hal.paging(page, per_page)
    rows, total = hal.page_of(filtered(events(), filter, EVENT_FILTERS), paging)
    return hal.collection(
        request, path="events", rel="events", items=[event_json(request, row) for row in rows], total=total,
        paging=paging, query={"filter": filter},
    )  # fmt: skip


@router.post("", response=CREATED_OR_FOUND, summary="Create an event (hosted by the key's creator)")
def create_event(request: HttpRequest, payload: EventCreateIn) -> Any:
    key = require_scope(request, "events", write=True)
    if not payload.title:
        raise ApiError(422, _("An event needs a title."))
    if key.created_by is None:
        raise ApiError(409, _("This key has no staff member to host events: create a new key."))
    try:
        event = event_actions.create_event(host=key.created_by, draft=_draft(None, payload))
    except OrganizingError as error:
        raise refused(error.code) from None
    return Status(201, event_json(request, event_or_404(str(event.pk))))


@router.get("/{event_id}", summary="Read an event")
def get_event(request: HttpRequest, event_id: ResourceId) -> dict[str, Any]:
    require_scope(request, "events")
    return event_json(request, event_or_404(event_id))


@router.put("/{event_id}", summary="Update an event")
def update_event(request: HttpRequest, event_id: ResourceId, payload: EventIn) -> dict[str, Any]:
    require_scope(request, "events", write=True)
    event = event_or_404(event_id)
    try:
        event_actions.update_event(event=event, draft=_draft(event, payload))
    except OrganizingError as error:
        raise refused(error.code) from None
    return event_json(request, event_or_404(event_id))


@router.get("/{event_id}/attendances", summary="List an event's attendances")
def list_attendances(
    request: HttpRequest, event_id: ResourceId, page: Page = None, per_page: PerPage = None,
    filter: AttendanceFilter = None,
) -> dict[str, Any]:  # fmt: skip
    require_scope(request, "events")
    event = event_or_404(event_id)
    paging = hal.paging(page, per_page)
    rows, total = hal.page_of(filtered(attendances(event), filter, ATTENDANCE_FILTERS), paging)
    return hal.collection(
        request, path=f"events/{event.pk}/attendances", rel="attendances",
        items=[attendance_json(request, row, event.pk) for row in rows], total=total, paging=paging,
        query={"filter": filter},
    )  # fmt: skip


def _record(request: HttpRequest, event_id: str, payload: AttendanceIn) -> Any:
    require_scope(request, "events", write=True)
    require_scope(request, "people", write=True)
    event = event_or_404(event_id)
    signup = people_actions.signup_person(
        person=person_input(payload.person, require_email=True), client=client_name(request),
        add_tags=payload.add_tags,
    )  # fmt: skip
    existing = (
        attendances(event).filter(supporter=signup.supporter).exclude(status=Rsvp.Status.CANCELLED).first()
    )
    try:
        record = helpers.record_attendance(event=event, supporter=signup.supporter)
    except helpers.HelperRefused as error:
        raise refused(error.code) from None
    return Status(200 if existing else 201, attendance_json(request, record, event.pk))


@router.post("/{event_id}/attendances", response=CREATED_OR_FOUND, summary="Record an attendance")
def create_attendance(request: HttpRequest, event_id: ResourceId, payload: AttendanceIn) -> Any:
    return _record(request, event_id, payload)


@router.post(
    "/{event_id}/record_attendance_helper", response=CREATED_OR_FOUND, summary="OSDI record attendance helper"
)
def record_attendance_helper(request: HttpRequest, event_id: ResourceId, payload: AttendanceIn) -> Any:
    return _record(request, event_id, payload)


def attendance_or_404(event: Event, raw_id: str) -> Rsvp:
    record = attendances(event).select_related("supporter", "shift").filter(pk=hal.parse_id(raw_id)).first()
    if record is None:
        raise ApiError(404, _("No attendance has this identifier."))
    return record


@router.get("/{event_id}/attendances/{attendance_id}", summary="Read an attendance")
def get_attendance(request: HttpRequest, event_id: ResourceId, attendance_id: ResourceId) -> dict[str, Any]:
    require_scope(request, "events")
    event = event_or_404(event_id)
    return attendance_json(request, attendance_or_404(event, attendance_id), event.pk)


@router.put("/{event_id}/attendances/{attendance_id}", summary="Update an attendance (status, attended)")
def update_attendance(
    request: HttpRequest, event_id: ResourceId, attendance_id: ResourceId, payload: AttendanceUpdateIn
) -> dict[str, Any]:
    require_scope(request, "events", write=True)
    event = event_or_404(event_id)
    record = attendance_or_404(event, attendance_id)
    try:
        helpers.set_attendance(rsvp_record=record, status=payload.status, attended=payload.attended)
    except helpers.HelperRefused as error:
        raise refused(error.code) from None
    return attendance_json(request, attendance_or_404(event, attendance_id), event.pk)
