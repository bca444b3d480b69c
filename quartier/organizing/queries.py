"""Reads: geographic search, attendee lists, calendar feeds."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core import signing
from django.db.models import ExpressionWrapper, F, FloatField, Prefetch, Q, QuerySet
from django.utils import timezone

from quartier.accounts.models import Profile, Supporter
from quartier.accounts.queries import can_see
from quartier.lib.geo import bounding_box, haversine_km
from quartier.organizing.models import Event, Group, Membership, Rsvp, Shift
from quartier.outreach.queries import consenting

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
    "host__is_staff", "host__affiliation", "group__name", "group__slug",
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


def featured_groups(limit: int = 6) -> list[Group]:
    return list(
        Group.objects.filter(status=Group.Status.ACTIVE, is_featured=True).order_by("-member_count")[:limit]
    )


def event_with_shifts(event_id: int) -> Event | None:
    return (
        Event.objects.select_related("host", "group")
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
    """Every membership, pending ones included: for the group's leaders and staff only."""
    return list(
        Membership.objects.filter(group=group)
        .select_related("supporter", "supporter__profile")
        .order_by("status", "role", "joined_at")
    )


def listed_members(group: Group, viewer) -> list[Membership]:
    """The member list others see: active members who chose to be listed and whose profile the viewer
    may open (the rule of `accounts.access.get_visible_supporter`: a confirmed, active, undeleted
    account), plus the viewer themselves."""
    shown = Q(
        is_listed=True,
        supporter__email_verified_at__isnull=False,
        supporter__is_active=True,
        supporter__deleted_at__isnull=True,
    )
    if viewer.is_authenticated:
        shown |= Q(supporter=viewer)
    return list(
        Membership.objects.filter(shown, group=group, status=Membership.Status.ACTIVE)
        .select_related("supporter")
        .order_by("role", "joined_at")
    )


def members_accepting_messages(group: Group, audience: str) -> set[int]:
    """Ids of the members whose latest choice for the group's audience is a yes."""
    supporters = Supporter.objects.filter(group_memberships__group=group)
    return set(consenting(supporters, audience).values_list("pk", flat=True))


def members_with_town(group: Group, viewer) -> list[tuple[Membership, str | None]]:
    """Every membership with the member's town, or None when their privacy settings hide it from `viewer`."""
    rows = []
    for membership in members(group):
        profile = getattr(membership.supporter, "profile", None) or Profile(supporter=membership.supporter)
        shown = can_see(profile.visibility_of("town"), owner=membership.supporter, viewer=viewer)
        rows.append((membership, membership.supporter.town if shown else None))
    return rows


def reachable_count(recipients: QuerySet[Supporter], audience: str) -> int:
    """How many of `recipients` a message to `audience` reaches: the very selection
    `outreach.send_message` makes (each person once, consenting, active and verified)."""
    return consenting(Supporter.objects.filter(pk__in=recipients.values("pk")), audience).count()


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


def my_groups_with_news(
    supporter: Supporter, events_per_group: int = 2
) -> list[tuple[Membership, list[Event]]]:
    """The person's active groups, each with its next published events (two queries)."""
    memberships = list(
        Membership.objects.filter(supporter=supporter, status=Membership.Status.ACTIVE)
        .select_related("group")
        .order_by("group__name")[:20]
    )
    upcoming: dict[int, list[Event]] = {m.group_id: [] for m in memberships}
    if upcoming:
        events = Event.objects.filter(
            group_id__in=upcoming, status=Event.Status.PUBLISHED, ends_at__gt=timezone.now()
        ).order_by("starts_at")[: events_per_group * len(upcoming) * 3]
        for event in events:
            if len(upcoming[event.group_id]) < events_per_group:
                upcoming[event.group_id].append(event)
    return [(membership, upcoming[membership.group_id]) for membership in memberships]


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
    """A guest's cancel link, bound to this RSVP: re-RSVPing after a cancel sets a new `created_at`."""
    return signing.dumps(
        {"rsvp": rsvp.pk, "supporter": rsvp.supporter_id, "at": rsvp.created_at.isoformat()},
        salt=CANCEL_SALT, compress=True,
    )  # fmt: skip


def rsvp_from_cancel_token(token: str) -> tuple[Rsvp, bool] | None:
    """The RSVP a cancel link names and whether the link still works, or None for a forged link.

    A link stops working when its shift has ended, or when the RSVP it was sent for was replaced by
    a later one to the same shift.
    """
    try:
        data = signing.loads(token, salt=CANCEL_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    record = (
        Rsvp.objects.select_related("shift__event", "supporter")
        .filter(pk=data.get("rsvp"), supporter_id=data.get("supporter"))
        .first()
    )
    if record is None:
        return None
    current = data.get("at") == record.created_at.isoformat() and record.shift.ends_at > timezone.now()
    return record, current


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


# --- Reads the social app makes of groups and events (feed milestones, people you may know). ---


def active_group_ids(supporter: Supporter) -> QuerySet:
    """The ids of the groups the supporter is an active member of, as a subquery."""
    return Membership.objects.filter(supporter=supporter, status=Membership.Status.ACTIVE).values("group_id")


def is_active_member(supporter: Supporter, group_id: int) -> bool:
    if not supporter.is_authenticated:
        return False
    return Membership.objects.filter(
        supporter=supporter, group_id=group_id, status=Membership.Status.ACTIVE
    ).exists()


def leader_group_ids(supporter: Supporter) -> QuerySet:
    """The ids of the groups the supporter leads or co-leads, as a subquery."""
    return Membership.objects.filter(
        supporter=supporter,
        status=Membership.Status.ACTIVE,
        role__in=[Membership.Role.LEADER, Membership.Role.CO_LEADER],
    ).values("group_id")


def active_member_ids(group_id: int) -> QuerySet:
    """The supporter ids of a group's active members, as a subquery."""
    return Membership.objects.filter(group_id=group_id, status=Membership.Status.ACTIVE).values(
        "supporter_id"
    )


# --- for outreach segments and merge fields (issue 10) ------------------------------------------------


def ever_attended_ids() -> QuerySet:
    """The supporter ids of everyone marked present at an event, as a subquery."""
    return Rsvp.objects.filter(attended=True).values("supporter_id")


def group_names_of(supporter_ids: list[int]) -> dict[int, str]:
    """Each supporter's first active group (oldest membership), by supporter id."""
    names: dict[int, str] = {}
    rows = (
        Membership.objects.filter(supporter_id__in=supporter_ids, status=Membership.Status.ACTIVE)
        .order_by("supporter_id", "pk")
        .values_list("supporter_id", "group__name")
    )
    for supporter_id, name in rows:
        names.setdefault(supporter_id, name)
    return names


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


def attendee_ids(event_id: int) -> QuerySet:
    """Confirmed attendees and the host of an event, as a list of supporter ids."""
    return Rsvp.objects.filter(shift__event_id=event_id, status=Rsvp.Status.CONFIRMED).values("supporter_id")


def is_attendee_or_host(supporter: Supporter, event: Event) -> bool:
    if not supporter.is_authenticated:
        return False
    return supporter.pk == event.host_id or attendee_ids(event.pk).filter(supporter_id=supporter.pk).exists()


def recent_joins(supporters: QuerySet, *, before: datetime | None, limit: int) -> list[Membership]:
    """Active memberships of `supporters` (a subquery of ids) in active groups, newest first."""
    rows = Membership.objects.filter(
        supporter_id__in=supporters, status=Membership.Status.ACTIVE, group__status=Group.Status.ACTIVE
    )
    if before is not None:
        rows = rows.filter(joined_at__lte=before)
    return list(rows.select_related("supporter", "group").order_by("-joined_at", "-pk")[:limit])


def recent_hosted_events(supporters: QuerySet, *, before: datetime | None, limit: int) -> list[Event]:
    """Published events hosted by `supporters` (a subquery of ids), newest first."""
    rows = Event.objects.filter(host_id__in=supporters, status=Event.Status.PUBLISHED)
    if before is not None:
        rows = rows.filter(created_at__lte=before)
    return list(rows.select_related("host", "group").order_by("-created_at", "-pk")[:limit])


def people_sharing_groups_and_events(supporter: Supporter, *, exclude: QuerySet, limit: int) -> list[int]:
    """Ids of people in the supporter's groups or at the supporter's events, most shared first.

    Reads the supporter's own groups and events (a few), then their members (indexed by group and by
    shift); people in `exclude` (a subquery of ids) and the supporter are left out.
    """
    from django.db.models import Count

    my_shifts = (
        Rsvp.objects.filter(supporter=supporter).exclude(status=Rsvp.Status.CANCELLED).values("shift_id")
    )
    counts: dict[int, int] = {}
    for source in (
        Membership.objects.filter(group_id__in=active_group_ids(supporter), status=Membership.Status.ACTIVE)
        .exclude(supporter_id__in=exclude)
        .exclude(supporter=supporter)
        .values("supporter_id")
        .annotate(shared=Count("pk"))
        .order_by("-shared")[: limit * 5],
        Rsvp.objects.filter(shift_id__in=my_shifts)
        .exclude(status=Rsvp.Status.CANCELLED)
        .exclude(supporter_id__in=exclude)
        .exclude(supporter=supporter)
        .values("supporter_id")
        .annotate(shared=Count("pk"))
        .order_by("-shared")[: limit * 5],
    ):
        for row in source:
            counts[row["supporter_id"]] = counts.get(row["supporter_id"], 0) + row["shared"]
    return [pk for pk, _count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]]


# --- for fieldwork (walk lists held by a shift, phone banks open to an event's attendees) ----------


def led_group_ids(supporter: Supporter) -> list[int]:
    """The groups the supporter leads or co-leads."""
    return list(
        Membership.objects.filter(
            supporter=supporter,
            status=Membership.Status.ACTIVE,
            role__in=[Membership.Role.LEADER, Membership.Role.CO_LEADER],
        ).values_list("group_id", flat=True)
    )


def has_confirmed_rsvp(supporter: Supporter, event_id: int) -> bool:
    return Rsvp.objects.filter(
        supporter=supporter, shift__event_id=event_id, status=Rsvp.Status.CONFIRMED
    ).exists()


def has_confirmed_rsvp_to_shift(supporter: Supporter, shift_id: int) -> bool:
    return Rsvp.objects.filter(supporter=supporter, shift_id=shift_id, status=Rsvp.Status.CONFIRMED).exists()


def confirmed_shift_ids(supporter: Supporter) -> list[int]:
    return list(
        Rsvp.objects.filter(supporter=supporter, status=Rsvp.Status.CONFIRMED).values_list(
            "shift_id", flat=True
        )
    )


def shift_by_id(shift_id: int) -> Shift | None:
    return Shift.objects.filter(pk=shift_id).first()


def shift_choices(event_id: int) -> list[tuple[int, str]]:
    """An event's shifts as (id, "start to end" in the event's time zone), for a select."""
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return []
    from zoneinfo import ZoneInfo

    zone = ZoneInfo(event.time_zone)
    return [
        (
            shift.pk,
            f"{shift.starts_at.astimezone(zone):%Y-%m-%d %H:%M} – {shift.ends_at.astimezone(zone):%H:%M}",
        )
        for shift in Shift.objects.filter(event_id=event_id)
    ]


def fieldwork_volunteers(*, group_id: int | None, event_id: int | None, limit: int = 500) -> list[Supporter]:
    """Whom a leader may give a walk list: the group's active members and the event's confirmed attendees."""
    wanted = Q(pk__in=[])
    if group_id:
        wanted |= Q(group_memberships__group_id=group_id, group_memberships__status=Membership.Status.ACTIVE)
    if event_id:
        wanted |= Q(rsvps__shift__event_id=event_id, rsvps__status=Rsvp.Status.CONFIRMED)
    return list(
        Supporter.objects.filter(wanted, is_active=True, email_verified_at__isnull=False)
        .distinct()
        .order_by("display_name", "pk")[:limit]
    )
