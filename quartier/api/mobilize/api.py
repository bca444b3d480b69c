"""The routes of `/api/mobilize/v1/` (django-ninja): thin, each a query, a page and a serialiser."""

from __future__ import annotations

import logging
from typing import Annotated, Literal

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja import Field, NinjaAPI, Path, Query, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from quartier.api.auth import BearerApiKeyAuth
from quartier.api.errors import ApiError
from quartier.api.mobilize import queries, schemas, serialize
from quartier.api.mobilize.auth import optional_key, require
from quartier.api.mobilize.organizations import Organization, Sponsors, campaign_dict, find, group_dict
from quartier.api.mobilize.paging import CURSOR, DEFAULT_PER_PAGE, MAX_PAGE, paginate
from quartier.api.mobilize.problems import MobilizeError, error_response, handle

logger = logging.getLogger(__name__)

api = NinjaAPI(
    title="Quartier — Mobilize-compatible API",
    version="1",
    description=(
        "Read-only events feed in the format of Mobilize's API v1 (https://github.com/mobilizeamerica/api): "
        "clients written for Mobilize work with only the base URL changed. Public events need no key; "
        "people and attendances need `Authorization: Bearer <API key>` with the `people:read` scope "
        "(and `events:read` for attendances)."
    ),
    urls_namespace="api:mobilize",
    docs_url=None,
)

UNAUTHENTICATED = gettext_lazy("An API key is needed: send it as Authorization: Bearer <key>.")
MAX_ID = 2**63 - 1
MAX_UNIX = 253_402_300_799  # 9999-12-31T23:59:59Z
Id = Annotated[int, Path(ge=1, le=MAX_ID)]
ERRORS = {400: schemas.Error, 401: schemas.Error, 404: schemas.Error, 429: schemas.Error}
PRIVATE_ERRORS = {**ERRORS, 403: schemas.Error}


class Paging(Schema):
    per_page: int = Field(DEFAULT_PER_PAGE, ge=1, le=MAX_ID, description="Objects per page (100 at most).")
    page: int | None = Field(None, ge=1, le=MAX_PAGE, description="The page to start from.")
    cursor: str | None = Field(None, pattern=CURSOR.pattern, description="From a `next` or `previous` link.")


class Since(Schema):
    updated_since: int | None = Field(None, ge=0, le=MAX_UNIX, description="Unix time: changed since then.")


COMPARISON = r"^(gte|gt|lte|lt)_(now|\d{1,11})$"


class EventQuery(Since):
    timeslot_start: list[Annotated[str, Field(pattern=COMPARISON)]] = Field(
        default_factory=list, description="gte_/gt_/lte_/lt_ followed by a Unix time or `now`."
    )
    timeslot_end: list[Annotated[str, Field(pattern=COMPARISON)]] = Field(default_factory=list)
    event_types: list[schemas.MobilizeEventType] = Field(default_factory=list)
    is_virtual: bool | None = None
    exclude_full: bool = False
    zipcode: str | None = Field(None, pattern=r"^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$")
    max_dist: int | None = Field(None, ge=1, le=1000, description="Miles from `zipcode` (50 by default).")
    visibility: list[Literal["PUBLIC", "PRIVATE"]] = Field(
        default_factory=list, description="Only PUBLIC: private events are never served (403)."
    )


class PublicEventQuery(EventQuery):
    organization_id: list[Annotated[int, Field(ge=1, le=MAX_ID)]] = Field(default_factory=list)


def _organization(organization_id: int) -> Organization:
    found = find(organization_id)
    if found is None:
        raise MobilizeError(404, _("No organization has this id."))
    return found


def _event_filters(query: EventQuery) -> queries.EventFilters:
    if "PRIVATE" in query.visibility:
        raise MobilizeError(403, _("Private events are not available through this API."))
    return queries.EventFilters(
        updated_since=query.updated_since,
        timeslot_start=query.timeslot_start,
        timeslot_end=query.timeslot_end,
        event_types=list(query.event_types),
        is_virtual=query.is_virtual,
        exclude_full=query.exclude_full,
        zipcode=query.zipcode,
        max_dist=query.max_dist,
        organization_id=getattr(query, "organization_id", []),
    )


def _event_page(request: HttpRequest, events, paging: Paging) -> dict:
    page = paginate(request, events, per_page=paging.per_page, page=paging.page, cursor=paging.cursor)
    key = optional_key(request)
    with_contact = key is not None and key.allows("people")
    sponsors = Sponsors()
    data = [serialize.event(row, sponsors=sponsors, with_contact=with_contact) for row in page.rows]
    return {"count": page.count, "next": page.next, "previous": page.previous, "data": data}


def _links(**targets: tuple[str, dict[str, str]]) -> dict:
    """OpenAPI links from a 200 response to the operations its ids lead to (schemathesis' stateful
    phase follows them)."""
    return {
        "responses": {
            200: {
                "links": {
                    name: {"operationId": operation, "parameters": parameters}
                    for name, (operation, parameters) in targets.items()
                }
            }
        }
    }


FIRST_ID = "$response.body#/data/0/id"


@api.get(
    "/organizations",
    response={200: schemas.OrganizationPage, **ERRORS},
    tags=["organizations"],
    operation_id="list_organizations",
    openapi_extra=_links(
        OrganizationEvents=("list_organization_events", {"organization_id": FIRST_ID}),
        OrganizationPeople=("list_organization_people", {"organization_id": FIRST_ID}),
        OrganizationAttendances=("list_organization_attendances", {"organization_id": FIRST_ID}),
    ),
)
def list_organizations(request: HttpRequest, paging: Query[Paging], since: Query[Since]):
    """The campaign (organization 1) and every active local group."""
    campaign = campaign_dict()
    include_campaign = since.updated_since is None or campaign["modified_date"] >= since.updated_since
    page = paginate(
        request,
        queries.organizations(since.updated_since),
        per_page=paging.per_page,
        page=paging.page,
        cursor=paging.cursor,
        leading=campaign if include_campaign else None,
    )
    data = [row if isinstance(row, dict) else group_dict(row) for row in page.rows]
    return {"count": page.count, "next": page.next, "previous": page.previous, "data": data}


@api.get(
    "/organizations/{organization_id}/events",
    response={200: schemas.EventPage, 403: schemas.Error, **ERRORS},
    tags=["events"],
    operation_id="list_organization_events",
    openapi_extra=_links(
        OrganizationEvent=(
            "get_organization_event",
            {"organization_id": "$request.path.organization_id", "event_id": FIRST_ID},
        )
    ),
)
def list_organization_events(
    request: HttpRequest, organization_id: Id, paging: Query[Paging], query: Query[EventQuery]
):
    """Public events the organization owns or promotes (the campaign promotes every group's)."""
    organization = _organization(organization_id)
    events = queries.filter_events(queries.organization_events(organization), _event_filters(query))
    return _event_page(request, events, paging)


@api.get(
    "/organizations/{organization_id}/events/{event_id}",
    response={200: schemas.OneEvent, **ERRORS},
    tags=["events"],
    operation_id="get_organization_event",
)
def get_organization_event(request: HttpRequest, organization_id: Id, event_id: Id):
    organization = _organization(organization_id)
    event = queries.organization_events(organization).filter(pk=event_id).first()
    return _one_event(request, event and queries.one_public_event(event.pk))


@api.get(
    "/events",
    response={200: schemas.EventPage, 403: schemas.Error, **ERRORS},
    tags=["events"],
    operation_id="list_events",
    openapi_extra=_links(Event=("get_event", {"event_id": FIRST_ID})),
)
def list_events(request: HttpRequest, paging: Query[Paging], query: Query[PublicEventQuery]):
    """Every public event (`organization_id` narrows to events those organizations sponsor)."""
    events = queries.filter_events(queries.public_events(), _event_filters(query))
    return _event_page(request, events, paging)


@api.get(
    "/events/{event_id}",
    response={200: schemas.OneEvent, **ERRORS},
    tags=["events"],
    operation_id="get_event",
)
def get_event(request: HttpRequest, event_id: Id):
    """A public event; 404 for any other (private, waiting for approval, cancelled, unknown)."""
    return _one_event(request, queries.one_public_event(event_id))


def _one_event(request: HttpRequest, event) -> dict:
    if event is None:
        raise MobilizeError(404, _("No public event has this id."))
    key = optional_key(request)
    with_contact = key is not None and key.allows("people")
    return {"data": serialize.event(event, sponsors=Sponsors(), with_contact=with_contact)}


@api.get(
    "/organizations/{organization_id}/people",
    response={200: schemas.PersonPage, **PRIVATE_ERRORS},
    auth=BearerApiKeyAuth(),
    tags=["people"],
    operation_id="list_organization_people",
)
def list_organization_people(
    request: HttpRequest, organization_id: Id, paging: Query[Paging], since: Query[Since]
):
    """The campaign's supporters, or a group's active members. Needs the `people:read` scope."""
    require(request, "people")
    organization = _organization(organization_id)
    people = queries.organization_people(organization, since.updated_since)
    page = paginate(request, people, per_page=paging.per_page, page=paging.page, cursor=paging.cursor)
    data = [serialize.person(row) for row in page.rows]
    return {"count": page.count, "next": page.next, "previous": page.previous, "data": data}


@api.get(
    "/organizations/{organization_id}/attendances",
    response={200: schemas.AttendancePage, **PRIVATE_ERRORS},
    auth=BearerApiKeyAuth(),
    tags=["attendances"],
    operation_id="list_organization_attendances",
)
def list_organization_attendances(
    request: HttpRequest, organization_id: Id, paging: Query[Paging], since: Query[Since]
):
    """RSVPs to the organization's public events. Needs `events:read` and `people:read`."""
    require(request, "events", "people")
    organization = _organization(organization_id)
    rsvps = queries.organization_attendances(organization, since.updated_since)
    page = paginate(request, rsvps, per_page=paging.per_page, page=paging.page, cursor=paging.cursor)
    sponsors = Sponsors()
    data = [serialize.attendance(row, sponsors=sponsors) for row in page.rows]
    return {"count": page.count, "next": page.next, "previous": page.previous, "data": data}


# --- Errors in Mobilize's shape ---------------------------------------------------------------------


@api.exception_handler(MobilizeError)
def _mobilize_error(request: HttpRequest, problem: MobilizeError) -> HttpResponse:
    return handle(request, problem)


@api.exception_handler(ApiError)
def _api_error(request: HttpRequest, problem: ApiError) -> HttpResponse:
    """The API core's errors (keys, scopes, rate limits) in Mobilize's shape, with their headers."""
    detail = problem.reason
    if problem.status == 401 and problem.code != "revoked":
        detail = UNAUTHENTICATED
    headers = dict(problem.headers)
    if problem.status == 401:
        headers.setdefault("WWW-Authenticate", "Bearer")
    return error_response(problem.status, detail, **headers)


@api.exception_handler(ValidationError)
def _invalid(request: HttpRequest, problem: ValidationError) -> HttpResponse:
    parts = []
    for error in problem.errors:
        where = ".".join(
            str(part) for part in error.get("loc", ())[1:] if part not in {"paging", "query", "since"}
        )
        parts.append(f"{where}: {error.get('msg', 'invalid')}" if where else str(error.get("msg", "invalid")))
    return error_response(400, "; ".join(parts) or _("Invalid request."))


@api.exception_handler(AuthenticationError)
def _unauthenticated(request: HttpRequest, problem: AuthenticationError) -> HttpResponse:
    return error_response(401, UNAUTHENTICATED, **{"WWW-Authenticate": "Bearer"})


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, problem: Exception) -> HttpResponse:
    logger.exception("Mobilize API error on %s %s", request.method, request.path)
    return error_response(500, _("Something went wrong on our side; it has been logged."))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, problem: Http404) -> HttpResponse:
    return error_response(404, _("Nothing was found at this address."))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, problem: HttpError) -> HttpResponse:
    return error_response(problem.status_code, str(problem))
