"""What the apps above reach lend it, registered from their `AppConfig.ready()`.

Reach sits below `social` in the graph of apps (`social -> organizing -> reach`), so it cannot import
the `Follow` model. Social registers here how to read the follow graph, as `organizing` registers its
segment filters with `outreach.registry`:

- follow edges: the graph as chunks of numpy arrays `(follower ids, followed ids)`, never one Python
  object per edge (`social.queries.graph.follow_edge_chunks`);
- its version: a cheap fingerprint of the follows (count, last id), so that a cached graph is reused
  only while it is still the graph in the database.

A provider that is asked for and missing is a configuration error (`LookupError`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np

# chunk size -> chunks of (follower supporter ids, followed supporter ids), two int64 arrays each.
FollowEdgeChunks = Callable[[int], Iterator[tuple[np.ndarray, np.ndarray]]]
# () -> a short string that changes whenever a follow is added or removed.
FollowEdgesVersion = Callable[[], str]

_FOLLOW_GRAPH: dict[str, Callable] = {}


def register_follow_edges(chunks: FollowEdgeChunks, *, version: FollowEdgesVersion | None = None) -> None:
    """`chunks(size)` yields the follow graph in chunks of at most `size` edges; `version()` says
    whether it changed (without it, a cached graph is never reused)."""
    _FOLLOW_GRAPH["chunks"] = chunks
    if version is not None:
        _FOLLOW_GRAPH["version"] = version


def follow_edge_chunks(size: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    try:
        chunks = _FOLLOW_GRAPH["chunks"]
    except KeyError:
        raise LookupError("no app registered the follow edges with quartier.reach.registry") from None
    return chunks(size)


def follow_edges_version() -> str | None:
    """The registered fingerprint of the follows, or None when no app can tell (never reuse a cache)."""
    version = _FOLLOW_GRAPH.get("version")
    return None if version is None else version()
