"""What the apps that own people and events lend outreach, registered from their `AppConfig.ready()`.

Outreach delivers messages and imports no other domain app (`docs/architecture.md`). What it needs to
know about groups, events and campaign codes comes from the apps that own them, which register it
here as every app registers its personal data with `accounts.privacy`:

- segment filters: how a `Segment` field (`group_id`, `attended`) narrows the supporters selected
  (`organizing`);
- merge fields: each reader's value of `{{ group }}` or `{{ next_event }}`, loaded once per batch
  (`organizing`);
- finding a group by name for the segment builder (suggestions as staff type, the exact name chosen)
  (`organizing`);
- the campaign code a staff message's links carry, so that what they lead to is credited (`reach`).

A provider that is asked for and missing is a configuration error (`LookupError`), never a silent
"everyone" or an empty value.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import QuerySet

# (supporters, the segment field's value) -> the supporters it keeps.
SegmentFilter = Callable[[QuerySet, Any], QuerySet]
# A batch of readers -> each reader's value.
MergeFieldLoader = Callable[[list], Callable[[Any], str]]
# A label (the message's subject) -> a fresh code for its links.
CampaignCodeMaker = Callable[[str], str]

_SEGMENT_FILTERS: dict[str, SegmentFilter] = {}
_MERGE_FIELDS: dict[str, MergeFieldLoader] = {}
_CAMPAIGN_CODES: dict[str, CampaignCodeMaker] = {}
# text -> [(group id, name, town)]; group id -> name.
GroupRows = Callable[[str], list[tuple[int, str, str]]]
_GROUP_LOOKUP: dict[str, Callable] = {}


def _missing(kind: str, name: str) -> LookupError:
    return LookupError(f"no app registered the {kind} {name!r} with quartier.outreach.registry")


def register_segment_filter(field: str, apply: SegmentFilter) -> None:
    """`apply(supporters, value)` narrows the supporters by the segment field `field` when it is set."""
    _SEGMENT_FILTERS[field] = apply


def segment_filter(field: str) -> SegmentFilter:
    try:
        return _SEGMENT_FILTERS[field]
    except KeyError:
        raise _missing("segment filter", field) from None


def register_merge_field(name: str, load: MergeFieldLoader) -> None:
    """`load(readers)` is called once per batch and returns the function giving each reader's value."""
    _MERGE_FIELDS[name] = load


def merge_field(name: str) -> MergeFieldLoader:
    try:
        return _MERGE_FIELDS[name]
    except KeyError:
        raise _missing("merge field", name) from None


def register_campaign_code(make: CampaignCodeMaker) -> None:
    """`make(label)` draws the code a campaign email's links carry (`?ref=`)."""
    _CAMPAIGN_CODES["campaign_code"] = make


def new_campaign_code(label: str) -> str:
    try:
        make = _CAMPAIGN_CODES["campaign_code"]
    except KeyError:
        raise _missing("campaign code maker", "campaign_code") from None
    return make(label)


def register_group_lookup(
    *, suggest: GroupRows, named: GroupRows, name_of: Callable[[int], str | None]
) -> None:
    """`suggest(text)`: groups whose name contains it; `named(name)`: groups with exactly that name;
    `name_of(id)`: a group's name (None when there is none)."""
    _GROUP_LOOKUP.update(suggest=suggest, named=named, name_of=name_of)


def group_lookup(what: str) -> Callable:
    try:
        return _GROUP_LOOKUP[what]
    except KeyError:
        raise _missing("group lookup", what) from None
