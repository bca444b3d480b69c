"""What organizing lends outreach's segment builder and merge fields (`quartier/outreach/registry.py`).

Outreach delivers and knows no other domain app; organizing owns groups and events, so it says how a
segment selects a group's members or the people who attended an event, and what `{{ group }}` and
`{{ next_event }}` are for a reader. Registered from `OrganizingConfig.ready()`.
"""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet

from quartier.accounts.models import Supporter
from quartier.organizing.queries import events as events_queries
from quartier.organizing.queries import groups as groups_queries
from quartier.organizing.queries import search as search_queries
from quartier.outreach import merge_events, registry
from quartier.outreach.segments import NO, YES


def members_of_group(people: QuerySet[Supporter], group_id: int) -> QuerySet[Supporter]:
    """The segment's `group_id`: the group's active members."""
    return people.filter(pk__in=groups_queries.active_member_ids(group_id))


def by_attendance(people: QuerySet[Supporter], attended: str) -> QuerySet[Supporter]:
    """The segment's `attended`: `yes` keeps those marked present at an event once, `no` the others."""
    if attended == YES:
        return people.filter(pk__in=events_queries.ever_attended_ids())
    if attended == NO:
        return people.exclude(pk__in=events_queries.ever_attended_ids())
    return people


def group_names(readers: list[Supporter]) -> Callable[[Supporter], str]:
    """`{{ group }}`: each reader's first active group, one query per batch."""
    names = groups_queries.group_names_of([reader.pk for reader in readers])
    return lambda reader: names.get(reader.pk, "")


def nearest_events(readers: list[Supporter]) -> Callable[[Supporter], str]:
    """`{{ next_event }}`: the nearest upcoming in-person event (loaded once per process every five minutes)."""
    events = merge_events.nearest_events(search_queries.upcoming_event_points)
    return lambda reader: events.near(reader.latitude, reader.longitude)


def register() -> None:
    registry.register_segment_filter("group_id", members_of_group)
    registry.register_segment_filter("attended", by_attendance)
    registry.register_merge_field("group", group_names)
    registry.register_merge_field("next_event", nearest_events)
    registry.register_group_lookup(
        suggest=groups_queries.groups_named,
        named=groups_queries.groups_called,
        name_of=groups_queries.group_name,
    )
