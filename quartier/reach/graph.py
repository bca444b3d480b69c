"""The follow graph as compressed sparse rows (CSR): numpy arrays, never one Python object per edge.

Supporters are renumbered densely: node `i` is supporter `node_ids[i]`. Two CSR views of the same
edges are kept, because word of mouth flows against the follow (a post is seen by the author's
followers) while reverse-reachable sets walk along it:

- `followers_indptr`/`followers`: for node `v`, `followers[followers_indptr[v]:followers_indptr[v+1]]`
  are the nodes who follow `v` (who sees what `v` shares);
- `following_indptr`/`following`: the nodes `v` follows (whose shares `v` sees).

Edges are read from the app that owns them through `reach.registry` in chunks (binary COPY on
PostgreSQL), and the arrays are built by scipy's counting sort (`coo -> csr`, O(edges)). The built
graph may be cached as an `.npz` file in private storage, reused while the follows' version is the same.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from django.conf import settings
from scipy import sparse

from quartier.reach import registry

logger = logging.getLogger(__name__)

CHUNK_EDGES = 1_000_000
# Below this ratio of the largest id to the number of edges a lookup table beats sorting the ids.
LOOKUP_TABLE_RATIO = 8


@dataclass(frozen=True)
class FollowGraph:
    node_ids: np.ndarray  # int64, sorted: the supporter of each node
    followers_indptr: np.ndarray
    followers: np.ndarray  # int32 node indexes
    following_indptr: np.ndarray
    following: np.ndarray  # int32 node indexes

    @property
    def node_count(self) -> int:
        return int(self.node_ids.shape[0])

    @property
    def edge_count(self) -> int:
        return int(self.followers.shape[0])

    def follower_counts(self) -> np.ndarray:
        return np.diff(self.followers_indptr).astype(np.int64)

    def following_counts(self) -> np.ndarray:
        return np.diff(self.following_indptr).astype(np.int64)

    def nodes_of(self, supporter_ids: np.ndarray | list[int]) -> np.ndarray:
        """The node index of each supporter id, -1 for those who follow and are followed by nobody."""
        ids = np.asarray(supporter_ids, dtype=np.int64)
        if self.node_count == 0:
            return np.full(ids.shape, -1, dtype=np.int64)
        position = np.searchsorted(self.node_ids, ids)
        position = np.minimum(position, self.node_count - 1)
        return np.where(self.node_ids[position] == ids, position, -1)

    def arrays(self) -> dict[str, np.ndarray]:
        return {
            "node_ids": self.node_ids,
            "followers_indptr": self.followers_indptr,
            "followers": self.followers,
            "following_indptr": self.following_indptr,
            "following": self.following,
        }

    @property
    def nbytes(self) -> int:
        return sum(array.nbytes for array in self.arrays().values())


def graph_from_edges(follower_ids: np.ndarray, followed_ids: np.ndarray) -> FollowGraph:
    """The CSR graph of edges given as two arrays of supporter ids (follower -> followed)."""
    follower_ids = np.asarray(follower_ids, dtype=np.int64)
    followed_ids = np.asarray(followed_ids, dtype=np.int64)
    if follower_ids.size == 0:
        empty_pointer = np.zeros(1, dtype=np.int32)
        empty = np.zeros(0, dtype=np.int32)
        return FollowGraph(np.zeros(0, dtype=np.int64), empty_pointer, empty, empty_pointer, empty)
    largest = int(max(follower_ids.max(), followed_ids.max()))
    if largest <= LOOKUP_TABLE_RATIO * follower_ids.size + 1_000_000:
        present = np.zeros(largest + 1, dtype=bool)
        present[follower_ids] = True
        present[followed_ids] = True
        node_ids = np.flatnonzero(present).astype(np.int64)
        lookup = np.full(largest + 1, -1, dtype=np.int32)
        lookup[node_ids] = np.arange(node_ids.size, dtype=np.int32)
        follower_nodes, followed_nodes = lookup[follower_ids], lookup[followed_ids]
        del present, lookup
    else:  # sparse, huge ids: sort them instead of a table as large as the largest id
        node_ids, inverse = np.unique(np.concatenate([follower_ids, followed_ids]), return_inverse=True)
        follower_nodes = inverse[: follower_ids.size].astype(np.int32)
        followed_nodes = inverse[follower_ids.size :].astype(np.int32)
    del follower_ids, followed_ids
    count = node_ids.size
    present_everywhere = np.ones(follower_nodes.size, dtype=np.int8)
    # One row per followed person, its columns the followers (a counting sort in scipy's C++).
    by_followed = sparse.csr_matrix(
        (present_everywhere, (followed_nodes, follower_nodes)), shape=(count, count)
    )
    by_follower = sparse.csr_matrix(
        (present_everywhere, (follower_nodes, followed_nodes)), shape=(count, count)
    )
    return FollowGraph(
        node_ids=node_ids,
        followers_indptr=by_followed.indptr,
        followers=by_followed.indices.astype(np.int32, copy=False),
        following_indptr=by_follower.indptr,
        following=by_follower.indices.astype(np.int32, copy=False),
    )


def read_edges(chunk_edges: int = CHUNK_EDGES) -> tuple[np.ndarray, np.ndarray]:
    """Every follow as two int64 arrays (follower ids, followed ids), read in chunks."""
    followers: list[np.ndarray] = []
    followed: list[np.ndarray] = []
    for chunk_followers, chunk_followed in registry.follow_edge_chunks(chunk_edges):
        # Ids fit in 32 bits long before a campaign has 2 billion supporters: half the memory while reading.
        small = chunk_followers.size == 0 or max(chunk_followers.max(), chunk_followed.max()) < 2**31
        dtype = np.int32 if small else np.int64
        followers.append(chunk_followers.astype(dtype, copy=False))
        followed.append(chunk_followed.astype(dtype, copy=False))
    if not followers:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(followers), np.concatenate(followed)


def cache_path(version: str) -> Path:
    digest = hashlib.sha256(version.encode()).hexdigest()[:16]
    return Path(settings.PRIVATE_STORAGE_ROOT) / "reach" / f"follow-graph-{digest}.npz"


def load_follow_graph(*, use_cache: bool | None = None) -> FollowGraph:
    """The follow graph now in the database, from the cache file when the follows have not changed."""
    use_cache = settings.REACH_GRAPH_CACHE if use_cache is None else use_cache
    version = registry.follow_edges_version() if use_cache else None
    path = cache_path(version) if version else None
    if path is not None and path.exists():
        try:
            with np.load(path) as stored:
                return FollowGraph(**{name: stored[name] for name in FollowGraph.__dataclass_fields__})
        except (OSError, ValueError, KeyError):
            logger.warning("unreadable follow graph cache %s: rebuilding it", path)
    graph = graph_from_edges(*read_edges())
    if path is not None:
        _store(graph, path)
    return graph


def _store(graph: FollowGraph, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    for old in path.parent.glob("follow-graph-*.npz"):
        old.unlink(missing_ok=True)  # one graph at a time: the previous versions are stale
    partial = path.with_suffix(".partial.npz")
    np.savez(partial, **graph.arrays())
    partial.replace(path)
