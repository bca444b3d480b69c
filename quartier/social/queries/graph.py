"""The follow graph for reach's analytics, read in chunks of numpy arrays (registered in `apps.py`).

On PostgreSQL the follows leave the database by binary `COPY` and are decoded by numpy a buffer at a
time (26 bytes an edge, no Python object per edge); elsewhere (SQLite) by `fetchmany` batches. Reach
keeps a snapshot of the graph up to date from what changed: the follows above an id, with their ids,
and the tombstones of removed follows (`FollowRemoval`, written by a trigger) above an id.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import numpy as np
from django.conf import settings
from django.db import connection
from django.db.models import Max
from django.utils import timezone

from quartier.reach.registry import FollowGraphState
from quartier.social.models import Follow, FollowRemoval

COPY_HEADER = 19  # signature (11), flags (4), header extension length (4, zero)


def copy_tuple(columns: int) -> np.dtype:
    """A binary COPY tuple of `columns` bigint columns: field count, then (length, value) per field,
    big-endian (26 bytes an edge of two columns)."""
    fields = [("fields", ">i2")]
    for number in range(columns):
        fields += [(f"length{number}", ">i4"), (f"value{number}", ">i8")]
    return np.dtype(fields)


def follow_graph_state() -> FollowGraphState:
    """The last follow and tombstone ids (two index lookups, no count), and since when every removal
    is still known (tombstones are purged after `SOCIAL_FOLLOW_REMOVALS_DAYS`)."""
    return FollowGraphState(
        database=_database_identity(),
        last_follow_id=Follow.objects.aggregate(last=Max("pk"))["last"] or 0,
        last_removal_id=FollowRemoval.objects.aggregate(last=Max("pk"))["last"] or 0,
        removals_kept_since=timezone.now() - timedelta(days=settings.SOCIAL_FOLLOW_REMOVALS_DAYS),
    )


def _database_identity() -> str:
    """The database and the follows' table: on PostgreSQL the table's oid changes when the table or the
    database is made again (ids start over), so a snapshot of the old one is never taken for this one."""
    where = connection.settings_dict
    identity = f"{connection.vendor}:{where.get('HOST') or ''}:{where.get('PORT') or ''}:{where['NAME']}"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT %s::regclass::oid", [Follow._meta.db_table])
            identity += f":{cursor.fetchone()[0]}"
    return identity


def follow_edge_chunks(size: int, *, after_id: int = 0) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """The follows with an id above `after_id` (0: every follow) as chunks of (follower ids, followed
    ids), at most `size` edges a chunk."""
    return _chunks(Follow._meta.db_table, ("follower_id", "followed_id"), size, after_id)


def follow_row_chunks(size: int, *, after_id: int) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """The follows with an id above `after_id` as chunks of (follow ids, follower ids, followed ids)."""
    return _chunks(Follow._meta.db_table, ("id", "follower_id", "followed_id"), size, after_id)


def follow_removal_chunks(
    size: int, *, after_id: int
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    """The tombstones with an id above `after_id` as chunks of (removal ids, follow ids, follower ids,
    followed ids)."""
    columns = ("id", "follow_id", "follower_id", "followed_id")
    return _chunks(FollowRemoval._meta.db_table, columns, size, after_id)


def _chunks(
    table: str, columns: tuple[str, ...], size: int, after_id: int
) -> Iterator[tuple[np.ndarray, ...]]:
    sql = f"SELECT {', '.join(columns)} FROM {table}"  # noqa: S608 (no input)
    if after_id > 0:
        sql += f" WHERE id > {int(after_id)}"  # an int: the primary key's index serves the range
    if connection.vendor == "postgresql":
        yield from _copy_chunks(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)", size, len(columns))
        return
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(size):
            values = np.array(rows, dtype=np.int64).reshape(-1, len(columns))
            yield tuple(values[:, number] for number in range(len(columns)))


def _copy_chunks(copy_sql: str, size: int, columns: int) -> Iterator[tuple[np.ndarray, ...]]:
    connection.ensure_connection()
    record = copy_tuple(columns)
    pending = bytearray()
    header_seen = False
    chunk_bytes = size * record.itemsize
    with connection.connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for block in copy:
            pending += block
            if not header_seen and len(pending) >= COPY_HEADER:
                del pending[:COPY_HEADER]
                header_seen = True
            while header_seen and len(pending) >= chunk_bytes:
                yield _decode(pending, size, record)
        if header_seen:
            whole = (len(pending) - 2) // record.itemsize  # the trailer is a field count of -1
            if whole > 0:
                yield _decode(pending, whole, record)


def _decode(pending: bytearray, count: int, record: np.dtype) -> tuple[np.ndarray, ...]:
    records = np.frombuffer(bytes(pending[: count * record.itemsize]), dtype=record)
    del pending[: count * record.itemsize]
    columns = (len(record.names) - 1) // 2
    lengths_wrong = any((records[f"length{number}"] != 8).any() for number in range(columns))
    if records.size and ((records["fields"] != columns).any() or lengths_wrong):
        raise ValueError(f"unexpected row in a binary COPY ({columns} bigint columns expected)")
    return tuple(records[f"value{number}"].astype(np.int64) for number in range(columns))
