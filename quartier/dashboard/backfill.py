"""Journal rows for what happened before the journal existed (or was loaded straight into tables).

The demo and benchmark generators insert groups, events and RSVPs in bulk, past the actions that
journal them. This writes the rows those actions would have written, with the same kinds and keys,
so running it again (or after the actions ran) adds nothing: (kind, key) is unique.

It reads other apps' tables directly, read-only, once: the one place the dashboards do (see
docs/decisions.md).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from datetime import UTC

from django.db.models import Q

from quartier.accounts.activity import region_from
from quartier.accounts.models import Activity, Supporter
from quartier.organizing.models import Event, Group, Membership, Rsvp

CHUNK = 5_000


def _signups() -> Iterator[Activity]:
    people = Supporter.objects.filter(deleted_at__isnull=True).values_list(
        "pk", "date_joined", "email_verified_at", "country", "postal_code"
    )
    for pk, joined, verified, country, postal_code in people.order_by("pk").iterator(chunk_size=CHUNK):
        region = region_from(country, postal_code)
        yield Activity(
            kind="accounts.signup", key=f"supporter:{pk}", supporter_id=pk, occurred_at=joined, region=region
        )
        if verified:
            yield Activity(
                kind="accounts.verified",
                key=f"supporter:{pk}",
                supporter_id=pk,
                occurred_at=verified,
                region=region,
            )


def _groups() -> Iterator[Activity]:
    rows = Group.objects.values_list(
        "pk", "created_by_id", "created_at", "created_by__country", "created_by__postal_code"
    )
    for pk, creator, created, country, postal_code in rows.order_by("pk").iterator(chunk_size=CHUNK):
        yield Activity(
            kind="organizing.group_created", key=f"group:{pk}", supporter_id=creator, group_id=pk,
            occurred_at=created, region=region_from(country, postal_code),
        )  # fmt: skip


def _memberships() -> Iterator[Activity]:
    rows = Membership.objects.filter(status=Membership.Status.ACTIVE).values_list(
        "pk",
        "supporter_id",
        "referrer_id",
        "group_id",
        "joined_at",
        "supporter__country",
        "supporter__postal_code",
    )
    for pk, person, referrer, group, joined, country, postal_code in rows.order_by("pk").iterator(
        chunk_size=CHUNK
    ):
        yield Activity(
            kind="organizing.group_joined", key=f"membership:{pk}", supporter_id=person, credited_to_id=referrer,
            group_id=group, occurred_at=joined, region=region_from(country, postal_code),
        )  # fmt: skip


def _events() -> Iterator[Activity]:
    rows = Event.objects.values_list(
        "pk", "host_id", "group_id", "created_at", "event_type", "host__country", "host__postal_code"
    )
    for pk, host, group, created, event_type, country, postal_code in rows.order_by("pk").iterator(
        chunk_size=CHUNK
    ):
        yield Activity(
            kind="organizing.event_hosted", key=f"event:{pk}", supporter_id=host, group_id=group,
            occurred_at=created, region=region_from(country, postal_code), detail={"event": pk, "type": event_type},
        )  # fmt: skip


def _rsvps() -> Iterator[Activity]:
    rows = Rsvp.objects.filter(~Q(is_walk_in=True) | Q(attended=True)).values_list(
        "pk", "supporter_id", "referrer_id", "status", "created_at", "updated_at", "attended", "is_walk_in",
        "shift__starts_at", "shift__event_id", "shift__event__group_id", "supporter__country",
        "supporter__postal_code",
    )  # fmt: skip
    for (
        pk, person, referrer, status, created, updated, attended, walk_in, starts, event, group, country,
        postal_code,
    ) in rows.order_by("pk").iterator(chunk_size=CHUNK):  # fmt: skip
        region = region_from(country, postal_code)
        key = f"rsvp:{pk}:{created.astimezone(UTC):%Y%m%dT%H%M%S%f}"
        common = {"supporter_id": person, "group_id": group, "region": region}
        if not walk_in:
            yield Activity(
                kind="organizing.rsvp", key=key, occurred_at=created, credited_to_id=referrer,
                detail={"event": event, "waitlisted": status == Rsvp.Status.WAITLISTED}, **common,
            )  # fmt: skip
            if status == Rsvp.Status.CANCELLED:
                yield Activity(
                    kind="organizing.rsvp_cancelled", key=key, occurred_at=updated, count=-1,
                    credited_to_id=referrer, detail={"event": event}, **common,
                )  # fmt: skip
        if attended:
            yield Activity(
                kind="organizing.attended", key=f"attended:{pk}:0", occurred_at=starts, detail={"event": event},
                **common,
            )  # fmt: skip


SOURCES: list[tuple[str, Callable[[], Iterator[Activity]]]] = [
    ("signups", _signups),
    ("groups", _groups),
    ("memberships", _memberships),
    ("events", _events),
    ("rsvps", _rsvps),
]


def _write(rows: Iterable[Activity]) -> int:
    written = 0
    chunk: list[Activity] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK:
            written += len(Activity.objects.bulk_create(chunk, ignore_conflicts=True))
            chunk = []
    if chunk:
        written += len(Activity.objects.bulk_create(chunk, ignore_conflicts=True))
    return written


def backfill_journal(progress: Callable[[str], object] = lambda _message: None) -> Iterator[tuple[str, int]]:
    """Write the missing journal rows source by source; yield (source, rows offered)."""
    for name, source in SOURCES:
        progress(f"journal: reading {name}…")
        yield name, _write(source())
