"""The follow graph kept between analyses: a snapshot caught up with what changed, not read whole.

A snapshot of the graph is kept as one `.npz` file in private storage (`REACH_GRAPH_CACHE`), with the
last follow id it holds and the last tombstone id (`social.models.FollowRemoval`) it applied. Loading
the graph reads only what changed since: the follows above its last follow id and the tombstones above
its last tombstone id (of follows it holds), applied to the arrays as they are (`apply_changes`: the
same arrays as a build from every follow, node indexes shifted when people join or leave the graph),
and stores the result. Ids are numbered when written but seen when committed, so a transaction that
commits late can leave an id below the last one seen: the last `LATE_IDS` ids are read again each time
and the snapshot remembers which of them it holds. The graph is read whole instead when there is no
snapshot, it is unreadable or of another database, it is older than the tombstones kept
(`SOCIAL_FOLLOW_REMOVALS_DAYS`), the changes are many (`DELTA_MIN_IDS`, `DELTA_MAX_SHARE`), or they
do not fit it (`StaleSnapshot`). Every read of one load sees the same follows (one transaction,
REPEATABLE READ on PostgreSQL).
"""

from __future__ import annotations

import logging
import os
import tempfile
import time
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import timedelta
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import connection, transaction

from quartier.reach import registry
from quartier.reach.graph import (
    CHUNK_EDGES,
    FollowGraph,
    StaleSnapshot,
    apply_changes,
    graph_from_edges,
    read_edges,
)

logger = logging.getLogger(__name__)

SNAPSHOT_FORMAT = 2  # what the .npz holds; a file of another format is read whole again
# Follows (and tombstones) that may still commit below the last id seen: read again at every load.
LATE_IDS = 100_000
# Past this many new follow and tombstone ids, and this share of the edges, the graph is read whole: the
# changes are held whole in memory (24 to 32 bytes each) and their rows cost a whole read's per row.
DELTA_MIN_IDS = 100_000
DELTA_MAX_SHARE = 0.05
# A tombstone carries the time its statement ran, before it committed: a snapshot must be younger than
# the oldest tombstone kept by this much, for none it has not applied to have been purged.
PURGE_MARGIN = timedelta(days=1)


@dataclass(frozen=True)
class Snapshot:
    graph: FollowGraph
    database: str  # `FollowGraphState.database` when it was read
    last_follow_id: int  # every follow up to it is in the graph, but for late ones (below)
    last_removal_id: int  # every tombstone up to it is applied, but for late ones (below)
    seen_follow_ids: np.ndarray  # the follows it holds (or held) among the LATE_IDS ids up to last_follow_id
    seen_removal_ids: np.ndarray  # the tombstones applied among the LATE_IDS ids up to last_removal_id
    built_at: float  # when every follow was read (Unix time)
    updated_at: float  # when the follows were last read


@dataclass(frozen=True)
class Changes:
    """What was read since a snapshot: the edges to remove (of follows it holds) and to add, and the
    snapshot's fields that move with them."""

    removed_followers: np.ndarray
    removed_followed: np.ndarray
    added_followers: np.ndarray
    added_followed: np.ndarray
    last_follow_id: int
    last_removal_id: int
    seen_follow_ids: np.ndarray
    seen_removal_ids: np.ndarray
    read_anything_new: bool


def snapshot_path() -> Path:
    return Path(settings.PRIVATE_STORAGE_ROOT) / "reach" / "follow-graph.npz"


def load_follow_graph(*, use_cache: bool | None = None) -> FollowGraph:
    """The follow graph now in the database: the stored snapshot caught up with the follows added and
    removed since, or every follow read when it cannot be (see the module's docstring)."""
    use_cache = settings.REACH_GRAPH_CACHE if use_cache is None else use_cache
    if not use_cache or not registry.can_catch_up():
        return graph_from_edges(*read_edges())
    path = snapshot_path()
    snapshot, changed = _caught_up(read_snapshot(path), path)
    if changed:  # the stored snapshot's arrays are freed by now: the new ones are written alone
        store_snapshot(snapshot, path)
    return snapshot.graph


def _caught_up(stored: Snapshot | None, path: Path) -> tuple[Snapshot, bool]:
    """The snapshot brought up to the follows now (and whether it changed), else read whole."""
    started = time.time()
    with one_view():
        state = registry.follow_graph_state()
        reason = why_read_whole(stored, state)
        changes = read_changes(stored) if stored is not None and reason is None else None
    if stored is not None and changes is not None:
        if not changes.read_anything_new:
            return stored, False
        try:
            graph = apply_changes(
                stored.graph,
                removed=(changes.removed_followers, changes.removed_followed),
                added=(changes.added_followers, changes.added_followed),
            )
        except StaleSnapshot as error:
            reason = str(error)
        else:
            return Snapshot(
                graph=graph, database=stored.database, last_follow_id=changes.last_follow_id,
                last_removal_id=changes.last_removal_id, seen_follow_ids=changes.seen_follow_ids,
                seen_removal_ids=changes.seen_removal_ids, built_at=stored.built_at, updated_at=started,
            ), True  # fmt: skip
    logger.info("reading the whole follow graph into %s: %s", path, reason)
    stored = None  # its arrays are freed before every follow is read
    return read_whole(), True


@contextmanager
def one_view() -> Iterator[None]:
    """Every read inside sees the follows as they were at the first one: one transaction, REPEATABLE
    READ on PostgreSQL (SQLite's transactions already are). Inside a transaction already, that one."""
    outermost = not connection.in_atomic_block
    with transaction.atomic():
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def why_read_whole(stored: Snapshot | None, state: registry.FollowGraphState) -> str | None:
    """Why the stored snapshot cannot be caught up (None: it can)."""
    if stored is None:
        return "no snapshot"
    if stored.database != state.database:
        return f"a snapshot of another database ({stored.database})"
    if stored.updated_at < (state.removals_kept_since + PURGE_MARGIN).timestamp():
        return "the snapshot is older than the tombstones kept"
    if state.last_follow_id < stored.last_follow_id - LATE_IDS:
        return "the follows' ids went back: they were made again"
    new_ids = max(state.last_follow_id - stored.last_follow_id, 0)
    new_ids += max(state.last_removal_id - stored.last_removal_id, 0)
    if new_ids > max(DELTA_MIN_IDS, DELTA_MAX_SHARE * stored.graph.edge_count):
        return f"{new_ids:,} follows and tombstones since the snapshot"
    return None


def read_whole() -> Snapshot:
    """Every follow, and the ids the snapshot of them starts from (in one view)."""
    with one_view():
        start = snapshot_start()
        edges = read_edges()
    return replace(start, graph=graph_from_edges(*edges))


def snapshot_start() -> Snapshot:
    """A snapshot of the follows as they are now with its graph still empty: the caller builds the graph
    from every follow, read in the same view (`one_view`)."""
    started = time.time()
    state = registry.follow_graph_state()
    late_removals = registry.follow_removal_chunks(
        CHUNK_EDGES, after_id=max(state.last_removal_id - LATE_IDS, 0)
    )
    late_follows = registry.follow_row_chunks(CHUNK_EDGES, after_id=max(state.last_follow_id - LATE_IDS, 0))
    nobody = np.zeros(0, dtype=np.int64)
    return Snapshot(
        graph=graph_from_edges(nobody, nobody), database=state.database,
        last_follow_id=state.last_follow_id, last_removal_id=state.last_removal_id,
        seen_follow_ids=np.sort(_columns(late_follows, 3)[0]),
        seen_removal_ids=np.sort(_columns(late_removals, 4)[0]), built_at=started, updated_at=started,
    )  # fmt: skip


def read_changes(stored: Snapshot) -> Changes:
    """The tombstones and follows since the snapshot (and the late ones below its last ids): removals
    of follows it holds, follows it does not hold yet."""
    late_follows = max(stored.last_follow_id - LATE_IDS, 0)
    late_removals = max(stored.last_removal_id - LATE_IDS, 0)
    removal_ids, follow_ids, removed_followers, removed_followed = _columns(
        registry.follow_removal_chunks(CHUNK_EDGES, after_id=late_removals), 4
    )
    fresh = ~np.isin(removal_ids, stored.seen_removal_ids)
    # A follow up to the late window is in the snapshot; within it, only the ones it saw.
    held = (follow_ids <= late_follows) | np.isin(follow_ids, stored.seen_follow_ids)
    applied = fresh & held
    added_ids, added_followers, added_followed = _columns(
        registry.follow_row_chunks(CHUNK_EDGES, after_id=late_follows), 3
    )
    new = ~np.isin(added_ids, stored.seen_follow_ids)
    last_follow_id = max(stored.last_follow_id, int(added_ids.max(initial=0)))
    last_removal_id = max(stored.last_removal_id, int(removal_ids.max(initial=0)))
    return Changes(
        removed_followers=removed_followers[applied], removed_followed=removed_followed[applied],
        added_followers=added_followers[new], added_followed=added_followed[new],
        last_follow_id=last_follow_id, last_removal_id=last_removal_id,
        seen_follow_ids=_late(stored.seen_follow_ids, added_ids[new], last_follow_id),
        seen_removal_ids=_late(stored.seen_removal_ids, removal_ids[fresh], last_removal_id),
        read_anything_new=bool(fresh.any() or new.any()),
    )  # fmt: skip


def _late(seen: np.ndarray, fresh: np.ndarray, last_id: int) -> np.ndarray:
    """The ids seen among the LATE_IDS up to `last_id`, sorted."""
    ids = np.union1d(seen, fresh)
    return ids[ids > last_id - LATE_IDS]


def _columns(chunks: Iterator[tuple[np.ndarray, ...]], count: int) -> tuple[np.ndarray, ...]:
    """Chunks of `count` int64 columns as whole columns (the changes: small by `DELTA_MIN_IDS`)."""
    parts: list[tuple[np.ndarray, ...]] = list(chunks)
    if not parts:
        return tuple(np.zeros(0, dtype=np.int64) for _ in range(count))
    return tuple(np.concatenate([part[number] for part in parts]) for number in range(count))


def read_snapshot(path: Path) -> Snapshot | None:
    """The stored snapshot, or None when there is none or it cannot be read."""
    if not path.exists():
        return None
    try:
        with np.load(path) as stored:
            if int(stored["format"]) != SNAPSHOT_FORMAT:
                return None
            return Snapshot(
                graph=FollowGraph(**{name: stored[name] for name in FollowGraph.__dataclass_fields__}),
                database=str(stored["database"]),
                last_follow_id=int(stored["last_follow_id"]),
                last_removal_id=int(stored["last_removal_id"]),
                seen_follow_ids=stored["seen_follow_ids"],
                seen_removal_ids=stored["seen_removal_ids"],
                built_at=float(stored["built_at"]),
                updated_at=float(stored["updated_at"]),
            )
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile):
        logger.warning("unreadable follow graph snapshot %s: reading every follow", path)
        return None


def store_snapshot(snapshot: Snapshot, path: Path) -> None:
    """Write the snapshot beside its place, then move it there (a reader never sees half a file)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob("follow-graph-*.npz"):
        old.unlink(missing_ok=True)  # caches of the whole graph by version, before snapshots
    fields = {
        "format": np.int64(SNAPSHOT_FORMAT),
        "database": np.str_(snapshot.database),
        "last_follow_id": np.int64(snapshot.last_follow_id),
        "last_removal_id": np.int64(snapshot.last_removal_id),
        "seen_follow_ids": snapshot.seen_follow_ids,
        "seen_removal_ids": snapshot.seen_removal_ids,
        "built_at": np.float64(snapshot.built_at),
        "updated_at": np.float64(snapshot.updated_at),
    }
    with tempfile.NamedTemporaryFile(
        dir=path.parent, prefix=".follow-graph-", suffix=".partial", delete=False
    ) as partial:
        try:
            np.savez(partial, **snapshot.graph.arrays(), **fields)
        except BaseException:
            os.unlink(partial.name)
            raise
    os.replace(partial.name, path)
