"""The event page's read on every request, in one SQL statement kept beside the ORM queries it replaces
(`events.event_head` and `events.shifts_with_rsvps_of`): the event's narrow row, whether the viewer
leads its group, the viewer's referral code, and its shifts each with the viewer's RSVP.

Its shape never changes, and compiling the two annotated ORM queries cost more CPU than running them
(the issue's profile); `organizing/tests/test_event_page_sql.py` checks that both return the same rows.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.db import connection

from quartier.accounts.models import Supporter
from quartier.organizing.models import Event, Membership, Rsvp, Shift
from quartier.organizing.queries.events import EVENT_HEAD, LEADING
from quartier.reach.queries import REFERRAL_CODE_SQL

# Each model's columns in the order of its concrete fields (`Model.from_db` reads them so).
HEAD_FIELDS = [f for f in Event._meta.concrete_fields if f.primary_key or f.name in EVENT_HEAD]
SHIFT_FIELDS = [
    f for f in Shift._meta.concrete_fields
    if f.primary_key or f.name in {"event", "starts_at", "ends_at", "capacity", "confirmed_count"}
]  # fmt: skip


def _statement() -> str:
    """Names from the models' metadata only; every value is a parameter."""
    event, shift, membership, rsvp = (
        model._meta.db_table for model in (Event, Shift, Membership, Rsvp)
    )  # fmt: skip
    head = ", ".join(f"e.{field.column}" for field in HEAD_FIELDS)
    shifts = ", ".join(f"s.{field.column}" for field in SHIFT_FIELDS)
    leads = (
        f"EXISTS (SELECT 1 FROM {membership} m WHERE m.group_id = e.group_id"  # noqa: S608
        " AND m.supporter_id = %s AND m.status = %s AND m.role IN (%s, %s))"
    )
    return (
        f"SELECT {head}, {leads}, ({REFERRAL_CODE_SQL}), {shifts}, r.id, r.status"  # noqa: S608
        f" FROM {event} e LEFT JOIN {shift} s ON s.event_id = e.id"
        f" LEFT JOIN {rsvp} r ON r.shift_id = s.id AND r.supporter_id = %s"
        " WHERE e.id = %s ORDER BY s.starts_at, s.id"
    )


STATEMENT = _statement()


def _aware(value: object) -> object:
    """SQLite gives naive UTC datetimes to a raw cursor (the ORM's converters make them aware)."""
    return value.replace(tzinfo=UTC) if isinstance(value, datetime) and value.tzinfo is None else value


def event_page_read(event_id: int, viewer: Supporter) -> tuple[Event, list[tuple[Shift, Rsvp | None]]] | None:
    """What `events.event_head(event_id, viewer)` and `events.shifts_with_rsvps_of(viewer, event_id)`
    return, in one statement with no ORM compilation (None for no such event). For a signed-in viewer
    the event carries `viewer_leads` and `viewer_referral_code`, as `event_head` gives them."""
    viewer_id = viewer.pk if viewer.is_authenticated else None
    params = [
        viewer_id,
        Membership.Status.ACTIVE.value,
        *(role.value for role in LEADING),
        viewer_id,
        viewer_id,
        event_id,
    ]
    with connection.cursor() as cursor:
        cursor.execute(STATEMENT, params)
        rows = cursor.fetchall()
    if not rows:
        return None
    heads, shifts = len(HEAD_FIELDS), len(SHIFT_FIELDS)
    first = rows[0]
    event = Event.from_db(
        connection.alias, [f.attname for f in HEAD_FIELDS], [_aware(v) for v in first[:heads]]
    )
    if viewer_id is not None:
        event.viewer_leads, event.viewer_referral_code = bool(first[heads]), first[heads + 1]
    shift_names = [f.attname for f in SHIFT_FIELDS]
    found: list[tuple[Shift, Rsvp | None]] = []
    for row in rows:
        values = row[heads + 2 : heads + 2 + shifts]
        if values[0] is None:
            continue  # an event with no shift: one row, its shift columns empty
        shift = Shift.from_db(connection.alias, shift_names, [_aware(v) for v in values])
        rsvp_id, status = row[heads + 2 + shifts :]
        found.append((shift, None if rsvp_id is None else Rsvp(pk=rsvp_id, shift_id=shift.pk, status=status)))
    return event, found
