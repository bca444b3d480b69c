"""Reads: geographic search, attendee lists, calendar feeds."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.db.models import ExpressionWrapper, F, FloatField, Prefetch, Q, QuerySet
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.lib.geo import bounding_box, haversine_km
from quartier.organizing.models import Event, Group, Membership, Rsvp, Shift

CANCEL_SALT = "organizing.rsvp.cancel"


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


def _near(queryset: QuerySet, near: Near) -> QuerySet:
    """Rows inside the circle's bounding box, nearest first (flat-earth order, fine within a radius)."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(near.latitude, near.longitude, near.within_km)
    if min_lon <= max_lon:
        queryset = queryset.filter(longitude__gte=min_lon, longitude__lte=max_lon)
    else:  # the box crosses the antimeridian
        queryset = queryset.filter(Q(longitude__gte=min_lon) | Q(longitude__lte=max_lon))
    queryset = queryset.filter(latitude__gte=min_lat, latitude__lte=max_lat)
    squeeze = math.cos(math.radians(near.latitude))
    d_lat = F("latitude") - near.latitude
    d_lon = (F("longitude") - near.longitude) * squeeze
    return queryset.annotate(
        flat_distance=ExpressionWrapper(d_lat * d_lat + d_lon * d_lon, output_field=FloatField())
    ).order_by("flat_distance", "pk")


# What a list of events shows (cards and map): loading only this keeps long texts out of searches.
EVENT_CARD_FIELDS = (
    "title", "event_type", "is_virtual", "town", "starts_at", "ends_at", "time_zone", "latitude", "longitude",
    "address_visibility", "status", "host__display_name", "host__handle", "host__is_active", "host__is_staff",
    "host__affiliation", "group__name", "group__slug",
)  # fmt: skip

# Radii tried in turn, in km: a dense city answers from a small box, the countryside from a wide one.
SEARCH_STEPS_KM = (0.5, 2.0, 8.0)


def _nearest(
    queryset: QuerySet, near: Near, limit: int, *, related: tuple[str, ...] = (), fields: tuple[str, ...] = ()
) -> list[Found]:
    """The `limit` nearest rows inside the circle.

    Ids and coordinates come first, from an index-only scan of the location index: in a box of
    0.5 km, then 2 km, 8 km and the whole radius, stopping as soon as a box holds `limit` rows within
    its own radius (they are then the nearest of all). So a dense city never sorts every event in
    25 km, and at most four small queries run before the one that loads the rows with their relations.
    """
    found: list[tuple[int, float]] = []
    steps = [radius for radius in SEARCH_STEPS_KM if radius < near.within_km] + [near.within_km]
    for radius in steps:
        step = Near(near.latitude, near.longitude, radius)
        found = []
        for pk, latitude, longitude in _near(queryset, step).values_list("pk", "latitude", "longitude")[
            : limit * 2
        ]:
            distance = haversine_km(near.latitude, near.longitude, latitude, longitude)
            if distance <= radius:
                found.append((pk, distance))
        found.sort(key=lambda pair: pair[1])
        found = found[:limit]
        if len(found) >= limit:
            break
    rows = queryset.model.objects.select_related(*related).only(*fields).in_bulk([pk for pk, _d in found])
    return [Found(rows[pk], distance) for pk, distance in found if pk in rows]


def search_events(
    *,
    near: Near | None,
    event_type: str = "",
    date_from: datetime | None = None,
    date_to: datetime | None = None,
    virtual: bool | None = None,
    limit: int = 20,
) -> list[Found]:
    """Published events that have not ended: near a place (nearest first) or, without one, soonest first."""
    events = Event.objects.filter(status=Event.Status.PUBLISHED, ends_at__gt=date_from or timezone.now())
    if date_to is not None:
        events = events.filter(starts_at__lt=date_to)
    if event_type:
        events = events.filter(event_type=event_type)
    if virtual is not None:
        events = events.filter(is_virtual=virtual)
    events = events.select_related("host", "group")
    if near is None or virtual:
        return [Found(event, None) for event in events.order_by("starts_at", "pk")[:limit]]
    # Over-fetch a little (twice the limit): the corners of the box are outside the circle.
    return _nearest(
        events.filter(is_virtual=False, latitude__isnull=False), near, limit, related=("host", "group"),
        fields=EVENT_CARD_FIELDS,
    )  # fmt: skip


def search_groups(*, near: Near | None, limit: int = 20) -> list[Found]:
    groups = Group.objects.filter(status=Group.Status.ACTIVE)
    if near is None:
        return [
            Found(group, None) for group in groups.order_by("-is_featured", "-member_count", "pk")[:limit]
        ]
    return _nearest(groups, near, limit)


def featured_groups(limit: int = 6) -> list[Group]:
    return list(
        Group.objects.filter(status=Group.Status.ACTIVE, is_featured=True).order_by("-member_count")[:limit]
    )


def event_with_shifts(event_id: int) -> Event | None:
    return (
        Event.objects.select_related("host", "group", "host__profile")
        .prefetch_related(Prefetch("shifts", queryset=Shift.objects.order_by("starts_at", "pk")))
        .filter(pk=event_id)
        .first()
    )


def rsvps_of(supporter: Supporter, event: Event) -> dict[int, Rsvp]:
    """The supporter's RSVPs to this event, by shift id."""
    if not supporter.is_authenticated:
        return {}
    return {r.shift_id: r for r in Rsvp.objects.filter(supporter=supporter, shift__event=event)}


def is_attending(supporter: Supporter, event: Event) -> bool:
    if not supporter.is_authenticated:
        return False
    return Rsvp.objects.filter(supporter=supporter, shift__event=event, status=Rsvp.Status.CONFIRMED).exists()


def attendees(event: Event) -> list[Rsvp]:
    return list(
        Rsvp.objects.filter(shift__event=event)
        .exclude(status=Rsvp.Status.CANCELLED)
        .select_related("supporter", "shift", "referrer")
        .order_by("shift__starts_at", "status", "created_at")
    )


def membership_of(supporter: Supporter, group: Group) -> Membership | None:
    if not supporter.is_authenticated:
        return None
    return Membership.objects.filter(group=group, supporter=supporter).first()


def members(group: Group) -> list[Membership]:
    return list(
        Membership.objects.filter(group=group)
        .select_related("supporter", "supporter__profile")
        .order_by("status", "role", "joined_at")
    )


def group_recipients(group: Group, sender: Supporter) -> QuerySet[Supporter]:
    """The members a leader's message is for (outreach then keeps those who accepted)."""
    return Supporter.objects.filter(
        group_memberships__group=group, group_memberships__status=Membership.Status.ACTIVE
    ).exclude(pk=sender.pk)


def event_recipients(event: Event) -> QuerySet[Supporter]:
    """The people confirmed for an event, whom its host may write to."""
    return Supporter.objects.filter(rsvps__shift__event=event, rsvps__status=Rsvp.Status.CONFIRMED).distinct()


def upcoming_group_events(group: Group, limit: int = 10) -> list[Event]:
    return list(
        Event.objects.filter(group=group, status=Event.Status.PUBLISHED, ends_at__gt=timezone.now())
        .select_related("host", "group")
        .order_by("starts_at")[:limit]
    )


def pending_events() -> QuerySet[Event]:
    return (
        Event.objects.filter(status=Event.Status.PENDING)
        .select_related("host", "group")
        .order_by("created_at")
    )


def my_events(supporter: Supporter) -> dict[str, list]:
    now = timezone.now()
    attending = list(
        Rsvp.objects.filter(supporter=supporter, shift__ends_at__gt=now)
        .exclude(status=Rsvp.Status.CANCELLED)
        .select_related("shift__event")
        .order_by("shift__starts_at")
    )
    hosting = list(Event.objects.filter(host=supporter, ends_at__gt=now).order_by("starts_at"))
    return {"attending": attending, "hosting": hosting}


@dataclass
class FeedEntry:
    """A shift in a personal calendar feed; `show_private` when the supporter is confirmed or hosts it."""

    event: Event
    shift: Shift
    show_private: bool


def feed_entries(supporter: Supporter) -> list[FeedEntry]:
    """What the supporter attends (confirmed or waitlisted) or hosts, from a month ago on.

    The attendee-only address and the join link are for confirmed attendees and hosts: a waitlisted
    person's entry shows the town (or "Online") only, as the event page does.
    """
    since = timezone.now() - timezone.timedelta(days=31)
    entries: dict[int, FeedEntry] = {}
    for record in (
        Rsvp.objects.filter(supporter=supporter, shift__ends_at__gt=since)
        .exclude(status=Rsvp.Status.CANCELLED)
        .select_related("shift__event")
    ):
        entries[record.shift_id] = FeedEntry(
            record.shift.event, record.shift, show_private=record.status == Rsvp.Status.CONFIRMED
        )
    for shift in Shift.objects.filter(event__host=supporter, ends_at__gt=since).select_related("event"):
        entries[shift.pk] = FeedEntry(shift.event, shift, show_private=True)
    return sorted(entries.values(), key=lambda entry: entry.shift.starts_at)


def cancel_token(rsvp: Rsvp) -> str:
    return signing.dumps({"rsvp": rsvp.pk, "supporter": rsvp.supporter_id}, salt=CANCEL_SALT, compress=True)


def rsvp_from_cancel_token(token: str) -> Rsvp | None:
    try:
        data = signing.loads(token, salt=CANCEL_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    return (
        Rsvp.objects.select_related("shift__event", "supporter")
        .filter(pk=data.get("rsvp"), supporter_id=data.get("supporter"))
        .first()
    )


def people_to_tell_of_cancellation(event: Event) -> int:
    """How many people get the cancellation email: everyone with an RSVP still standing, once each."""
    return (
        Rsvp.objects.filter(shift__event=event)
        .exclude(status=Rsvp.Status.CANCELLED)
        .values("supporter")
        .distinct()
        .count()
    )


def active_rsvps_of(supporter_id: int, event: Event) -> list[Rsvp]:
    """Someone's RSVPs to an event that still stand (confirmed or waitlisted), first shift first."""
    return list(
        Rsvp.objects.filter(supporter_id=supporter_id, shift__event=event)
        .exclude(status=Rsvp.Status.CANCELLED)
        .select_related("shift")
        .order_by("shift__starts_at")
    )
