"""The segment builder: which supporters a staff message goes to.

A `Segment` is a handful of optional filters, stored with the message as JSON (`Message.segment`) and
turned into one SQL query over supporters. Whatever the filters, only people who consented to the
message's topic, verified their address and are not suppressed are counted or sent to
(`queries.consenting`). Filters on what other apps own go through the filters those apps register in
`registry` (a group's members, event attendance: `organizing`) or through the activity journal (donor,
recent activity), never through their models: outreach imports no other domain app.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from quartier.accounts.models import Activity, Supporter
from quartier.lib.geo import bounding_box
from quartier.outreach import queries, registry
from quartier.outreach.models import CAMPAIGN_NEWS, TOPICS, SmsSubscription

ANY, YES, NO = "", "yes", "no"
# Segment fields whose filter another app registers (`registry.register_segment_filter`).
PROVIDED_FILTERS = ("group_id", "attended")


@dataclass
class Segment:
    topic: str = CAMPAIGN_NEWS
    # Distance from a postal code: the point is resolved when the segment is saved.
    postal_code: str = ""
    country: str = ""
    latitude: float | None = None
    longitude: float | None = None
    within_km: float | None = None
    group_id: int | None = None
    causes: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    donor: str = ANY
    attended: str = ANY
    joined_after: str = ""  # ISO dates
    joined_before: str = ""
    active_within_days: int | None = None

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Segment:
        known = set(cls.__dataclass_fields__)
        return cls(**{key: value for key, value in (data or {}).items() if key in known})

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _day_start(value: str) -> datetime | None:
    if not value:
        return None
    return timezone.make_aware(datetime.combine(date.fromisoformat(value), time.min))


def _near(queryset: QuerySet, latitude: float, longitude: float, within_km: float) -> QuerySet:
    """Inside the circle: the bounding box (indexable) then a flat-earth distance test, fine at a
    campaign's radii (under 1 % off at 200 km)."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, within_km)
    queryset = queryset.filter(latitude__gte=min_lat, latitude__lte=max_lat)
    if min_lon <= max_lon:
        queryset = queryset.filter(longitude__gte=min_lon, longitude__lte=max_lon)
    else:
        queryset = queryset.filter(Q(longitude__gte=min_lon) | Q(longitude__lte=max_lon))
    squeeze = math.cos(math.radians(latitude))
    degrees = within_km / 111.195
    d_lat = F("latitude") - latitude
    d_lon = (F("longitude") - longitude) * squeeze
    return queryset.alias(flat=d_lat * d_lat + d_lon * d_lon).filter(flat__lte=degrees * degrees)


def _journal_supporters(kind: str = "", since: datetime | None = None) -> QuerySet:
    """Ids of supporters with an activity of `kind` (any kind when empty) in the journal, as a subquery."""
    rows = Activity.objects.filter(supporter__isnull=False)
    if kind:
        rows = rows.filter(kind=kind)
    if since is not None:
        rows = rows.filter(occurred_at__gte=since)
    return rows.values("supporter_id")


def _provided(people: QuerySet[Supporter], segment: Segment, name: str) -> QuerySet[Supporter]:
    """`people` narrowed by the filter another app registered for the field `name`, when it is set."""
    value = getattr(segment, name)
    if not value:
        return people
    return registry.segment_filter(name)(people, value)


def supporters_in(segment: Segment) -> QuerySet[Supporter]:
    """Everyone the filters select, before consent (see `recipients`)."""
    people = Supporter.objects.all()
    if segment.latitude is not None and segment.longitude is not None and segment.within_km:
        people = _near(people, segment.latitude, segment.longitude, float(segment.within_km))
    people = _provided(people, segment, "group_id")
    if segment.causes:
        people = people.filter(
            pk__in=Supporter.objects.filter(profile__causes__slug__in=segment.causes).values("pk")
        )
    if segment.languages:
        people = people.filter(language__in=segment.languages)
    people = _provided(people, segment, "attended")
    if segment.donor in (YES, NO):
        donors = _journal_supporters("donations.gift")
        people = people.filter(pk__in=donors) if segment.donor == YES else people.exclude(pk__in=donors)
    if after := _day_start(segment.joined_after):
        people = people.filter(date_joined__gte=after)
    if before := _day_start(segment.joined_before):
        people = people.filter(date_joined__lt=before + timedelta(days=1))
    if segment.active_within_days:
        since = timezone.now() - timedelta(days=int(segment.active_within_days))
        people = people.filter(pk__in=_journal_supporters(since=since))
    return people


def recipients(segment: Segment) -> QuerySet[Supporter]:
    """The people a message to this segment goes to: selected, consenting to its topic, reachable.

    Consent is the decision in force (`accounts.Consent`), read directly as one indexed semi-join
    (see `queries.consenting`); each batch checks it again right before sending.
    """
    if segment.topic not in TOPICS:
        raise ValueError(f"not a topic: {segment.topic!r}")
    return queries.consenting(supporters_in(segment), segment.topic)


def count(segment: Segment) -> int:
    """How many people `recipients(segment)` holds. A segment with no filter but its topic (the whole
    list: the largest count) is read from indexes without joining millions (`queries.consenting_count`)."""
    if segment.topic in TOPICS and _has_no_filter(segment):
        return queries.consenting_count(segment.topic)
    return recipients(segment).count()


def _has_no_filter(segment: Segment) -> bool:
    return segment.to_dict() == Segment(topic=segment.topic).to_dict()


def sms_recipients(segment: Segment) -> QuerySet[Supporter]:
    """The people a text to this segment goes to: selected, active, with a number that asked for the
    campaign's texts and did not text STOP (the topic, an email consent, plays no part)."""
    texting = SmsSubscription.objects.filter(opted_out_at__isnull=True, supporter__isnull=False)
    return supporters_in(segment).filter(
        pk__in=texting.values("supporter_id"), is_active=True, deleted_at__isnull=True
    )


def sms_count_by_language(segment: Segment) -> dict[str, int]:
    """How many people a text to this segment reaches, per language they get it in (their number's)."""
    rows = (
        SmsSubscription.objects.filter(
            opted_out_at__isnull=True, supporter__in=sms_recipients(segment).values("pk")
        )
        .values("language")
        .annotate(people=Count("supporter", distinct=True))
    )
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["language"]] = counts.get(row["language"], 0) + row["people"]
    return counts


def group_suggestions(text: str, limit: int = 10) -> list[tuple[int, str, str]]:
    """Groups whose name contains `text`, for the builder's suggestions: (id, name, town)."""
    return registry.group_lookup("suggest")(text)[:limit] if text.strip() else []
