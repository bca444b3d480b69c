"""What the Mobilize-compatible API reads: published events only, their shifts, RSVPs and supporters.

Every list is a queryset filtered here and paged by `paging`; each page then costs a fixed number of
queries whatever its length (the count, the page with its relations joined, the shifts of its events).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime

from django.db.models import Exists, ExpressionWrapper, F, FloatField, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from quartier.accounts.models import Supporter
from quartier.accounts.queries import find_place
from quartier.api.mobilize.organizations import Organization, active_groups
from quartier.api.mobilize.problems import MobilizeError
from quartier.api.mobilize.serialize import QUARTIER_TYPES
from quartier.lib.geo import bounding_box, miles_to_km
from quartier.lib.places import POSTAL_CODE_PATTERNS
from quartier.organizing.models import Event, Membership, Rsvp, Shift

COMPARISON = re.compile(r"^(gte|gt|lte|lt)_(now|\d{1,12})$")
KM_PER_DEGREE = 111.195
DEFAULT_MAX_DIST_MILES = 50


def moment(name: str, seconds: int) -> datetime:
    """A Unix time as an aware datetime, or a 400 naming the parameter."""
    try:
        return datetime.fromtimestamp(seconds, tz=UTC)
    except (OverflowError, OSError, ValueError):
        raise MobilizeError(400, _("%(name)s: not a Unix time.") % {"name": name}) from None


def comparisons(name: str, raw: list[str]) -> Q:
    """`timeslot_start=gte_1514764800&timeslot_start=lt_now` → a filter on the shift's field."""
    column = {"timeslot_start": "starts_at", "timeslot_end": "ends_at"}[name]
    condition = Q()
    for value in raw:
        match = COMPARISON.match(value)
        if match is None:
            raise MobilizeError(
                400,
                _("%(name)s: expected gte_, gt_, lte_ or lt_ followed by a Unix time or now.")
                % {"name": name},
            )
        operator, when = match.groups()
        at = timezone.now() if when == "now" else moment(name, int(when))
        condition &= Q(**{f"{column}__{operator}": at})
    return condition


@dataclass
class EventFilters:
    updated_since: int | None = None
    timeslot_start: list[str] = field(default_factory=list)
    timeslot_end: list[str] = field(default_factory=list)
    event_types: list[str] = field(default_factory=list)
    is_virtual: bool | None = None
    exclude_full: bool = False
    zipcode: str | None = None
    max_dist: int | None = None
    organization_id: list[int] = field(default_factory=list)


def public_events() -> QuerySet[Event]:
    return Event.objects.filter(status=Event.Status.PUBLISHED)


def organization_events(organization: Organization) -> QuerySet[Event]:
    """The events an organization owns or promotes: all public ones for the campaign, a group's own."""
    events = public_events()
    return events if organization.is_campaign else events.filter(group=organization.group)


def _sponsored_by(organization_ids: list[int]) -> Q:
    """Events whose sponsor is one of these organizations (the campaign sponsors group-less events
    and those of groups that are no longer active)."""
    from quartier.api.mobilize.organizations import CAMPAIGN_ORGANIZATION_ID, GROUP_ID_OFFSET

    group_ids = [pk - GROUP_ID_OFFSET for pk in organization_ids if pk != CAMPAIGN_ORGANIZATION_ID]
    condition = Q(group_id__in=active_groups().filter(pk__in=group_ids).values("pk"))
    if CAMPAIGN_ORGANIZATION_ID in organization_ids:
        condition |= Q(group__isnull=True) | ~Q(group__status="active")
    return condition


def _near_zipcode(events: QuerySet[Event], zipcode: str, max_dist: int | None) -> QuerySet[Event]:
    """Events within `max_dist` miles of the postal code's centroid (none near a code with no known
    place: an empty list, as for a place with no event, rather than an error)."""
    code = zipcode.strip().upper()
    country = "CA" if POSTAL_CODE_PATTERNS["CA"].match(code) else "US"
    place = find_place(country, code)
    if place is None or place.latitude is None or place.longitude is None:
        return events.none()
    radius_km = miles_to_km(max_dist or DEFAULT_MAX_DIST_MILES)
    min_lat, max_lat, min_lon, max_lon = bounding_box(place.latitude, place.longitude, radius_km)
    events = events.filter(is_virtual=False, public_latitude__gte=min_lat, public_latitude__lte=max_lat)
    if min_lon <= max_lon:
        events = events.filter(public_longitude__gte=min_lon, public_longitude__lte=max_lon)
    else:  # the box crosses the antimeridian
        events = events.filter(Q(public_longitude__gte=min_lon) | Q(public_longitude__lte=max_lon))
    squeeze = math.cos(math.radians(place.latitude))
    d_lat = F("public_latitude") - place.latitude
    d_lon = (F("public_longitude") - place.longitude) * squeeze
    radius_degrees = radius_km / KM_PER_DEGREE
    return events.alias(
        flat_distance=ExpressionWrapper(d_lat * d_lat + d_lon * d_lon, output_field=FloatField())
    ).filter(flat_distance__lte=radius_degrees * radius_degrees)


def filter_events(events: QuerySet[Event], filters: EventFilters) -> QuerySet[Event]:
    """Mobilize's event filters; the timeslots shown are those that pass the timeslot filters."""
    if filters.updated_since is not None:
        events = events.filter(updated_at__gte=moment("updated_since", filters.updated_since))
    if filters.event_types:
        events = events.filter(event_type__in=[QUARTIER_TYPES.get(name, "") for name in filters.event_types])
    if filters.is_virtual is not None:
        events = events.filter(is_virtual=filters.is_virtual)
    if filters.organization_id:
        events = events.filter(_sponsored_by(filters.organization_id))
    if filters.zipcode:
        events = _near_zipcode(events, filters.zipcode, filters.max_dist)
    shown = comparisons("timeslot_start", filters.timeslot_start) & comparisons(
        "timeslot_end", filters.timeslot_end
    )
    if filters.exclude_full:
        shown &= Q(confirmed_count__lt=F("capacity"))
    if shown:
        events = events.filter(Exists(Shift.objects.filter(shown, event=OuterRef("pk"))))
    return events.select_related("group", "host").prefetch_related(
        Prefetch("shifts", queryset=Shift.objects.filter(shown).order_by("starts_at", "pk"))
    )


def one_public_event(event_id: int) -> Event | None:
    return filter_events(public_events().filter(pk=event_id), EventFilters()).first()


def organization_people(organization: Organization, updated_since: int | None) -> QuerySet[Supporter]:
    """The supporters of the campaign (every active account), or a group's active members."""
    people = Supporter.objects.filter(is_active=True, deleted_at__isnull=True)
    if not organization.is_campaign:
        people = people.filter(
            Exists(
                Membership.objects.filter(
                    group=organization.group, supporter=OuterRef("pk"), status=Membership.Status.ACTIVE
                )
            )
        )
    if updated_since is not None:
        people = people.filter(date_joined__gte=moment("updated_since", updated_since))
    return people


def organization_attendances(organization: Organization, updated_since: int | None) -> QuerySet[Rsvp]:
    """RSVPs (going or cancelled; not waiting lists) to the organization's public events."""
    # The events' conditions on the join to them (not `shift__event__in=<subquery>`, which joins the
    # events twice), and the group and host read apart: at millions of RSVPs, planning a seven-table
    # join cost more than running it (bench.api_mobilize, attendances).
    rsvps = Rsvp.objects.filter(
        shift__event__status=Event.Status.PUBLISHED,
        status__in=[Rsvp.Status.CONFIRMED, Rsvp.Status.CANCELLED],
        supporter__deleted_at__isnull=True,
    )
    if not organization.is_campaign:
        rsvps = rsvps.filter(shift__event__group=organization.group)
    if updated_since is not None:
        rsvps = rsvps.filter(updated_at__gte=moment("updated_since", updated_since))
    return rsvps.select_related("supporter", "shift__event").prefetch_related(
        "shift__event__group",
        "shift__event__host",
        Prefetch("shift__event__shifts", queryset=Shift.objects.order_by("starts_at", "pk")),
    )


def organizations(updated_since: int | None) -> QuerySet:
    """Active groups (the campaign, organization 1, is added in front by the endpoint)."""
    groups = active_groups()
    if updated_since is not None:
        groups = groups.filter(created_at__gte=moment("updated_since", updated_since))
    return groups
