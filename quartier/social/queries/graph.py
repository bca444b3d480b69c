"""The follow graph for reach's analytics, read in chunks of numpy arrays (registered in `apps.py`).

On PostgreSQL the follows leave the database by binary `COPY` and are decoded by numpy a buffer at a
time (26 bytes an edge, no Python object per edge); elsewhere (SQLite) by `fetchmany` batches.
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
from django.db import connection
from django.db.models import Count, Max

from quartier.social.models import Follow

# A binary COPY tuple of two bigint columns: field count, then (length, value) per field, big-endian.
COPY_TUPLE = np.dtype(
    [("fields", ">i2"), ("length1", ">i4"), ("follower", ">i8"), ("length2", ">i4"), ("followed", ">i8")]
)
COPY_HEADER = 19  # signature (11), flags (4), header extension length (4, zero)


def follow_edges_version() -> str:
    """Changes whenever a follow is added or removed (ids only grow)."""
    summary = Follow.objects.aggregate(count=Count("pk"), last=Max("pk"))
    return f"follows:{summary['count']}:{summary['last'] or 0}"


def follow_edge_chunks(size: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Every follow as chunks of (follower ids, followed ids), at most `size` edges a chunk."""
    table = Follow._meta.db_table
    sql = f"SELECT follower_id, followed_id FROM {table}"  # noqa: S608 (no input)
    if connection.vendor == "postgresql":
        yield from _copy_chunks(f"COPY ({sql}) TO STDOUT (FORMAT BINARY)", size)
        return
    with connection.cursor() as cursor:
        cursor.execute(sql)
        while rows := cursor.fetchmany(size):
            pairs = np.array(rows, dtype=np.int64).reshape(-1, 2)
            yield pairs[:, 0], pairs[:, 1]


def _copy_chunks(copy_sql: str, size: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    connection.ensure_connection()
    pending = bytearray()
    header_seen = False
    chunk_bytes = size * COPY_TUPLE.itemsize
    with connection.connection.cursor() as cursor, cursor.copy(copy_sql) as copy:
        for block in copy:
            pending += block
            if not header_seen and len(pending) >= COPY_HEADER:
                del pending[:COPY_HEADER]
                header_seen = True
            while header_seen and len(pending) >= chunk_bytes:
                yield _decode(pending, size)
        if header_seen:
            whole = (len(pending) - 2) // COPY_TUPLE.itemsize  # the trailer is a field count of -1
            if whole > 0:
                yield _decode(pending, whole)


def _decode(pending: bytearray, count: int) -> tuple[np.ndarray, np.ndarray]:
    records = np.frombuffer(bytes(pending[: count * COPY_TUPLE.itemsize]), dtype=COPY_TUPLE)
    del pending[: count * COPY_TUPLE.itemsize]
    if records.size and (
        (records["fields"] != 2).any() or (records["length1"] != 8).any() or (records["length2"] != 8).any()
    ):
        raise ValueError("unexpected row in the binary COPY of follows (two bigint columns expected)")
    return records["follower"].astype(np.int64), records["followed"].astype(np.int64)
