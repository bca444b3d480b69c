"""What the apps above reach lend it, registered from their `AppConfig.ready()`.

Reach sits below `social` in the graph of apps (`social -> organizing -> reach`), so it cannot import
the `Follow` model. Social registers here how to read the follow graph, as `organizing` registers its
segment filters with `outreach.registry`:

- follow edges: the graph as chunks of numpy arrays `(follower ids, followed ids)`, never one Python
  object per edge (`social.queries.graph.follow_edge_chunks`), optionally only the follows with an
  id above a given one;
- what a snapshot of the graph needs to catch up instead of reading every follow again
  (`reach.graph`): the state of the follows (the last follow id, the last removal id, since when
  every removal is still known, which database), the follows with an id above a given one with their
  ids, and the tombstones of removed follows (`social.models.FollowRemoval`) above a given id.

A provider that is asked for and missing is a configuration error (`LookupError`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime

import numpy as np


@dataclass(frozen=True)
class FollowGraphState:
    database: str  # which database and table hold the follows: a snapshot of another is never reused
    last_follow_id: int  # the largest follow id now (0 without follows)
    last_removal_id: int  # the largest tombstone id now (0 without any)
    removals_kept_since: datetime  # every follow removed since then has its tombstone


# chunk size, after_id -> chunks of (follower supporter ids, followed supporter ids), two int64 arrays
# each, of the follows with an id above after_id (0: every follow).
FollowEdgeChunks = Callable[..., Iterator[tuple[np.ndarray, np.ndarray]]]
# chunk size, after_id -> chunks of (follow ids, follower ids, followed ids) of the follows above after_id.
FollowRowChunks = Callable[..., Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]]
# chunk size, after_id -> chunks of (removal ids, follow ids, follower ids, followed ids) above after_id.
FollowRemovalChunks = Callable[..., Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]]

_FOLLOW_GRAPH: dict[str, Callable] = {}


def register_follow_edges(
    chunks: FollowEdgeChunks,
    *,
    state: Callable[[], FollowGraphState] | None = None,
    rows_after: FollowRowChunks | None = None,
    removals_after: FollowRemovalChunks | None = None,
) -> None:
    """`chunks(size, after_id=0)` yields the follow graph in chunks of at most `size` edges. With
    `state`, `rows_after` and `removals_after` a stored snapshot of the graph is kept up to date from
    what changed; without them the graph is read whole every time."""
    _FOLLOW_GRAPH.clear()
    _FOLLOW_GRAPH["chunks"] = chunks
    if state is not None and rows_after is not None and removals_after is not None:
        _FOLLOW_GRAPH.update(state=state, rows_after=rows_after, removals_after=removals_after)


def _provider(name: str) -> Callable:
    try:
        return _FOLLOW_GRAPH[name]
    except KeyError:
        raise LookupError(
            f"no app registered the follow graph's {name} with quartier.reach.registry"
        ) from None


def follow_edge_chunks(size: int, *, after_id: int = 0) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    return _provider("chunks")(size, after_id=after_id)


def can_catch_up() -> bool:
    """Whether the registered app tells what changed in the follows (else no snapshot is reused)."""
    return "state" in _FOLLOW_GRAPH


def follow_graph_state() -> FollowGraphState:
    return _provider("state")()


def follow_row_chunks(size: int, *, after_id: int) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    return _provider("rows_after")(size, after_id=after_id)


def follow_removal_chunks(
    size: int, *, after_id: int
) -> Iterator[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]]:
    return _provider("removals_after")(size, after_id=after_id)
