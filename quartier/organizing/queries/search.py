"""Finding events and groups near a place or soonest, paged; featured groups; points for maps."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import ExpressionWrapper, F, FloatField, Q, QuerySet
from django.utils import timezone

from quartier.lib.geo import bounding_box, haversine_km
from quartier.organizing.models import Event, Group


@dataclass
class Near:
    latitude: float
    longitude: float
    within_km: float


@dataclass
class Found:
    """A search result and how far it is, in kilometres (None for online events)."""

    item: Event | Group
    distance_km: float | None


@dataclass
class ResultPage:
    """One page of search results; `has_next` says whether another page follows (no total is counted)."""

    results: list[Found]
    number: int
    has_next: bool

    @property
    def has_previous(self) -> bool:
        return self.number > 1


PAGE_SIZE = 20

# Deep pages cost more (the nearest `page * 20` rows are sorted); nobody reads past the 50th.
MAX_PAGE = 50


class SearchOrder:
    DISTANCE = "distance"
    DATE = "date"


def _box(queryset: QuerySet, near: Near, latitude: str, longitude: str) -> QuerySet:
    """Rows inside the circle's bounding box (an indexed range filter)."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(near.latitude, near.longitude, near.within_km)
    if min_lon <= max_lon:
        queryset = queryset.filter(**{f"{longitude}__gte": min_lon, f"{longitude}__lte": max_lon})
    else:  # the box crosses the antimeridian
        queryset = queryset.filter(Q(**{f"{longitude}__gte": min_lon}) | Q(**{f"{longitude}__lte": max_lon}))
    return queryset.filter(**{f"{latitude}__gte": min_lat, f"{latitude}__lte": max_lat})


def _near(queryset: QuerySet, near: Near, latitude: str, longitude: str) -> QuerySet:
    """Rows inside the circle's bounding box, nearest first (flat-earth order, fine within a radius)."""
    squeeze = math.cos(math.radians(near.latitude))
    d_lat = F(latitude) - near.latitude
    d_lon = (F(longitude) - near.longitude) * squeeze
    return (
        _box(queryset, near, latitude, longitude)
        .annotate(flat_distance=ExpressionWrapper(d_lat * d_lat + d_lon * d_lon, output_field=FloatField()))
        .order_by("flat_distance", "pk")
    )


# What a list of events shows (cards and map): loading only this keeps long texts out of searches.
# The exact point is not among them: a search shows only the public point.
EVENT_CARD_FIELDS = (
    "title", "event_type", "is_virtual", "town", "starts_at", "ends_at", "time_zone", "public_latitude",
    "public_longitude", "address_visibility", "status", "host__display_name", "host__handle", "host__is_active",
    "host__is_staff", "host__affiliation", "host__shown_badges", "group__name", "group__slug",
)  # fmt: skip

# Radii tried in turn, in km: a dense city answers from a small box, the countryside from a wide one.
SEARCH_STEPS_KM = (0.5, 2.0, 8.0)


def _nearest_ids(
    queryset: QuerySet, near: Near, limit: int, latitude: str, longitude: str
) -> list[tuple[int, float]]:
    """Ids and distances of the `limit` nearest rows inside the circle.

    They come from an index-only scan of the location index: in a box of 0.5 km, then 2 km, 8 km and
    the whole radius, stopping as soon as a box holds `limit` rows within its own radius (they are
    then the nearest of all). So a dense city never sorts every event in 25 km, and at most four
    small queries run before the one that loads the rows with their relations.
    """
    found: list[tuple[int, float]] = []
    steps = [radius for radius in SEARCH_STEPS_KM if radius < near.within_km] + [near.within_km]
    for radius in steps:
        step = Near(near.latitude, near.longitude, radius)
        found = []
        rows = _near(queryset, step, latitude, longitude).values_list("pk", latitude, longitude)
        for pk, row_latitude, row_longitude in rows[: limit * 2]:
            distance = haversine_km(near.latitude, near.longitude, row_latitude, row_longitude)
            if distance <= radius:
                found.append((pk, distance))
        found.sort(key=lambda pair: (pair[1], pair[0]))
        found = found[:limit]
        if len(found) >= limit:
            break
    return found


def _soonest_ids(
    queryset: QuerySet, near: Near, limit: int, latitude: str, longitude: str
) -> list[tuple[int, float]]:
    """Ids and distances of the `limit` soonest rows inside the circle (the box's corners are skipped)."""
    found: list[tuple[int, float]] = []
    rows = _box(queryset, near, latitude, longitude).order_by("starts_at", "pk")
    chunk, offset = limit * 2, 0
    while len(found) < limit:
        batch = list(rows.values_list("pk", latitude, longitude)[offset : offset + chunk])
        for pk, row_latitude, row_longitude in batch:
            distance = haversine_km(near.latitude, near.longitude, row_latitude, row_longitude)
            if distance <= near.within_km:
                found.append((pk, distance))
        if len(batch) < chunk:
            break
        offset += chunk
    return found[:limit]


def _page(
    queryset: QuerySet, pairs: list[tuple[int, float | None]], page: int, *,
    related: tuple[str, ...] = (), fields: tuple[str, ...] = (),
) -> ResultPage:  # fmt: skip
    """Loads the rows of page `page` from the ids of every page up to it (and one more row)."""
    start = (page - 1) * PAGE_SIZE
    shown = pairs[start : start + PAGE_SIZE]
    loader = queryset.model.objects.select_related(*related)
    if fields:
        loader = loader.only(*fields)
    rows = loader.in_bulk([pk for pk, _distance in shown])
    return ResultPage(
        [Found(rows[pk], distance) for pk, distance in shown if pk in rows],
        page,
        has_next=len(pairs) > start + PAGE_SIZE and page < MAX_PAGE,
    )


def _slice(queryset: QuerySet, page: int) -> ResultPage:
    """Page `page` of an ordered queryset, in one query (one row more tells whether a page follows)."""
    start = (page - 1) * PAGE_SIZE
    rows = list(queryset[start : start + PAGE_SIZE + 1])
    return ResultPage(
        [Found(row, None) for row in rows[:PAGE_SIZE]],
        page,
        has_next=len(rows) > PAGE_SIZE and page < MAX_PAGE,
    )


def _clamp(page: int) -> int:
    return min(max(page, 1), MAX_PAGE)


def search_events(
    *,
    near: Near | None,
    event_type: str = "",
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    virtual: bool | None = None,
    order: str = "",
    page: int = 1,
) -> ResultPage:
    """Published events that have not ended, a page at a time.

    Near a place, in-person events only, nearest first (or soonest first with `order="date"`);
    without one, or online, soonest first. Distances, ordering and the radius use the public point
    only (see `Event.public_latitude`), so no search tells more about an attendee-only address than
    the map pin does.
    """
    page = _clamp(page)
    events = Event.objects.filter(status=Event.Status.PUBLISHED, ends_at__gt=date_from or timezone.now())
    if date_to is not None:
        events = events.filter(starts_at__lt=date_to)
    if event_type:
        events = events.filter(event_type=event_type)
    if virtual is not None:
        events = events.filter(is_virtual=virtual)
    if near is None or virtual:
        soonest = events.select_related("host", "group").only(*EVENT_CARD_FIELDS).order_by("starts_at", "pk")
        return _slice(soonest, page)
    located = events.filter(is_virtual=False, public_latitude__isnull=False)
    pick = _soonest_ids if order == SearchOrder.DATE else _nearest_ids
    pairs = pick(located, near, page * PAGE_SIZE + 1, "public_latitude", "public_longitude")
    return _page(events, pairs, page, related=("host", "group"), fields=EVENT_CARD_FIELDS)


def search_groups(*, near: Near | None, page: int = 1) -> ResultPage:
    page = _clamp(page)
    groups = Group.objects.filter(status=Group.Status.ACTIVE)
    if near is None:
        return _slice(groups.order_by("-is_featured", "-member_count", "pk"), page)
    return _page(groups, _nearest_ids(groups, near, page * PAGE_SIZE + 1, "latitude", "longitude"), page)


# What a short list of suggestions shows (title or name, link, time): the personal dashboard's.
SUGGESTED_EVENT_FIELDS = (
    "title",
    "starts_at",
    "time_zone",
    "is_virtual",
    "public_latitude",
    "public_longitude",
)
SUGGESTED_GROUP_FIELDS = ("name", "slug", "latitude", "longitude")


def _few_nearest(queryset: QuerySet, near: Near, limit: int, latitude: str, longitude: str) -> list[Found]:
    """The `limit` nearest rows inside the circle, in one query over its box (for a handful of
    suggestions: a search's widening boxes pay only when a page of twenty is wanted)."""
    found = []
    for row in _near(queryset, near, latitude, longitude)[: limit * 3]:
        distance = haversine_km(
            near.latitude, near.longitude, getattr(row, latitude), getattr(row, longitude)
        )
        if distance <= near.within_km:
            found.append(Found(row, distance))
    found.sort(key=lambda item: (item.distance_km, item.item.pk))
    return found[:limit]


def suggested_events(near: Near, *, date_to: datetime, limit: int = 3) -> list[Found]:
    """The nearest published in-person events starting before `date_to` (one narrow query)."""
    events = Event.objects.filter(
        status=Event.Status.PUBLISHED, ends_at__gt=timezone.now(), starts_at__lt=date_to,
        is_virtual=False, public_latitude__isnull=False,
    ).only(*SUGGESTED_EVENT_FIELDS)  # fmt: skip
    return _few_nearest(events, near, limit, "public_latitude", "public_longitude")


def suggested_groups(near: Near, *, limit: int = 3) -> list[Found]:
    """The nearest active groups (one narrow query)."""
    groups = Group.objects.filter(status=Group.Status.ACTIVE).only(*SUGGESTED_GROUP_FIELDS)
    return _few_nearest(groups, near, limit, "latitude", "longitude")


def featured_groups(limit: int = 6) -> list[Group]:
    return list(
        Group.objects.filter(status=Group.Status.ACTIVE, is_featured=True).order_by("-member_count")[:limit]
    )


def upcoming_event_points(
    *, within_days: int = 30, limit: int = 50_000
) -> list[tuple[float, float, str, int]]:
    """(latitude, longitude, title, id) of the published, in-person events starting in the next days."""
    now = timezone.now()
    return list(
        Event.objects.filter(
            status=Event.Status.PUBLISHED,
            is_virtual=False,
            starts_at__gte=now,
            starts_at__lte=now + timedelta(days=within_days),
            public_latitude__isnull=False,
        )
        .order_by("starts_at")
        .values_list("public_latitude", "public_longitude", "title", "pk")[:limit]
    )
