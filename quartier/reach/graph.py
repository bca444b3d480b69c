"""The follow graph as compressed sparse rows (CSR): numpy arrays, never one Python object per edge.

Supporters are renumbered densely: node `i` is supporter `node_ids[i]`. Two CSR views of the same
edges are kept, because word of mouth flows against the follow (a post is seen by the author's
followers) while reverse-reachable sets walk along it:

- `followers_indptr`/`followers`: for node `v`, `followers[followers_indptr[v]:followers_indptr[v+1]]`
  are the nodes who follow `v` (who sees what `v` shares);
- `following_indptr`/`following`: the nodes `v` follows (whose shares `v` sees).

Each row's neighbours are sorted by node index, however the graph was made: the simulations draw one
random number per entry in row order, so a seeded analysis gives the same figures from a snapshot caught
up as from a graph read whole. Edges are read from the app that owns them through
`reach.registry` in chunks (binary COPY on PostgreSQL), and the arrays are built by scipy's counting sort
(`coo -> csr`, O(edges)).

The graph is kept between analyses as a snapshot caught up with what changed (`reach.snapshot`);
`apply_changes` applies follows added and removed to the arrays.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from quartier.reach import registry

logger = logging.getLogger(__name__)

CHUNK_EDGES = 1_000_000
# Below this ratio of the largest id to the number of edges a lookup table beats sorting the ids.
LOOKUP_TABLE_RATIO = 8
SPLICE_BLOCK = 1 << 22  # entries spliced at a time: temporaries of a few MB, never of the whole array


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


class StaleSnapshot(Exception):
    """The changes read do not fit the snapshot (a removed follow it lacks, an added one it has)."""


def apply_changes(
    graph: FollowGraph, *, removed: tuple[np.ndarray, np.ndarray], added: tuple[np.ndarray, np.ndarray]
) -> FollowGraph:
    """`graph` without the `removed` edges and with the `added` ones (follower ids, followed ids): the
    arrays `graph_from_edges` builds from the edges then, without reading them. Nodes left without an
    edge leave, new people join, node indexes shift with them. Raises `StaleSnapshot` when a removed
    edge is missing or an added one is already there."""
    removed_followers, removed_followed = (np.asarray(ids, dtype=np.int64) for ids in removed)
    added_followers, added_followed = (np.asarray(ids, dtype=np.int64) for ids in added)
    if removed_followers.size == 0 and added_followers.size == 0:
        return graph
    gone_follower = _known_nodes(graph.node_ids, removed_followers)
    gone_followed = _known_nodes(graph.node_ids, removed_followed)
    following_left = graph.following_counts() - np.bincount(gone_follower, minlength=graph.node_count)
    followers_left = graph.follower_counts() - np.bincount(gone_followed, minlength=graph.node_count)
    nodes = _changed_nodes(
        graph.node_ids,
        following_left + followers_left == 0,
        np.concatenate([added_followers, added_followed]),
    )
    followers_indptr, followers = _changed_view(
        graph.followers_indptr, graph.followers, nodes, followers_left,
        removed=(gone_followed, gone_follower), added=(added_followed, added_followers),
    )  # fmt: skip
    following_indptr, following = _changed_view(
        graph.following_indptr, graph.following, nodes, following_left,
        removed=(gone_follower, gone_followed), added=(added_followers, added_followed),
    )  # fmt: skip
    return FollowGraph(nodes.node_ids, followers_indptr, followers, following_indptr, following)


@dataclass(frozen=True)
class _Nodes:
    old_ids: np.ndarray
    node_ids: np.ndarray
    kept: np.ndarray | None  # the old nodes still in the graph (None: all)
    renumbered: np.ndarray | None  # old node index -> new one, for kept nodes (None: the same index)


def _known_nodes(node_ids: np.ndarray, supporter_ids: np.ndarray) -> np.ndarray:
    nodes = np.searchsorted(node_ids, supporter_ids)
    if (nodes >= node_ids.size).any() or (node_ids[nodes] != supporter_ids).any():
        raise StaleSnapshot("a removed follow's supporter is not in the snapshot")
    return nodes


def _changed_nodes(old_ids: np.ndarray, isolated: np.ndarray, endpoints: np.ndarray) -> _Nodes:
    """The nodes after the changes: the old ones with an edge left or added, and the new people."""
    endpoints = np.unique(endpoints)
    position = np.searchsorted(old_ids, endpoints)
    known = position < old_ids.size
    known[known] = old_ids[position[known]] == endpoints[known]
    kept = ~isolated
    kept[position[known]] = True
    joining = endpoints[~known]
    if kept.all() and (joining.size == 0 or old_ids.size == 0 or joining[0] > old_ids[-1]):
        # Nobody leaves, and newcomers (new sign-ups, most often) come after everyone: no index moves.
        return _Nodes(old_ids, np.concatenate([old_ids, joining]), None, None)
    staying = old_ids[kept]
    node_ids = np.insert(staying, np.searchsorted(staying, joining), joining)
    # A kept node's new index: the kept nodes before it, and the newcomers whose ids are below its own
    # (counted where they fall among the old nodes: two passes over the nodes, no search of each).
    joining_below = np.cumsum(np.bincount(np.searchsorted(old_ids, joining), minlength=old_ids.size + 1))
    renumbered = (np.cumsum(kept, dtype=np.int64) - 1 + joining_below[: old_ids.size]).astype(np.int32)
    return _Nodes(old_ids, node_ids, None if kept.all() else kept, renumbered)


def _changed_view(
    indptr: np.ndarray,
    indices: np.ndarray,
    nodes: _Nodes,
    left: np.ndarray,
    *,
    removed: tuple[np.ndarray, np.ndarray],
    added: tuple[np.ndarray, np.ndarray],
) -> tuple[np.ndarray, np.ndarray]:
    """One CSR view with its rows' `removed` entries (old node indexes: row, neighbour) taken out and
    `added` ones (supporter ids: row, neighbour) put in order; `left` counts each old row's entries kept."""
    removed_rows, removed_neighbours = removed
    removed_at = _entries(indptr, indices, removed_rows, removed_neighbours)
    order = np.lexsort((added[1], added[0]))
    row_ids, neighbour_ids = added[0][order], added[1][order]
    if ((np.diff(row_ids) == 0) & (np.diff(neighbour_ids) == 0)).any():
        raise StaleSnapshot("a follow added twice")
    inserted_at = _insertion_points(indptr, indices, nodes.old_ids, row_ids, neighbour_ids, removed_at)
    rows = np.searchsorted(nodes.node_ids, row_ids)
    counts = np.zeros(nodes.node_ids.size, dtype=np.int64)
    if nodes.renumbered is None:
        counts[: left.size] += left
    elif nodes.kept is None:
        counts[nodes.renumbered] = left
    else:
        counts[nodes.renumbered[nodes.kept]] = left[nodes.kept]
    counts += np.bincount(rows, minlength=nodes.node_ids.size)
    total = int(counts.sum())
    new_indptr = np.zeros(nodes.node_ids.size + 1, dtype=_index_dtype(total, nodes.node_ids.size))
    np.cumsum(counts, out=new_indptr[1:])
    neighbours = np.searchsorted(nodes.node_ids, neighbour_ids).astype(indices.dtype)
    return new_indptr, _spliced(indices, removed_at, inserted_at, neighbours, nodes.renumbered)


def _index_dtype(entries: int, nodes: int) -> type:
    """scipy's choice for the index arrays it builds: 32 bits while they fit."""
    return np.int32 if max(entries, nodes) < 2**31 else np.int64


def _entries(indptr: np.ndarray, indices: np.ndarray, rows: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """The positions of the entries (row, neighbour) in `indices`, sorted; each must be there once."""
    starts, ends = indptr[rows].astype(np.int64), indptr[rows + 1].astype(np.int64)
    at = _lower_bounds(indices, starts, ends, neighbours)
    found = at < ends
    found[found] = indices[at[found]] == neighbours[found]
    at.sort()
    if not found.all() or (np.diff(at) == 0).any():
        raise StaleSnapshot("a removed follow is not in the snapshot")
    return at


def _insertion_points(
    indptr: np.ndarray,
    indices: np.ndarray,
    old_ids: np.ndarray,
    row_ids: np.ndarray,
    neighbour_ids: np.ndarray,
    removed_at: np.ndarray,
) -> np.ndarray:
    """Where each added entry goes in the old `indices` (before the entry at that position), for entries
    sorted by (row, neighbour); a new person's row sits between the old rows around their id."""
    first_row_after = np.searchsorted(old_ids, row_ids)  # the row itself when it is an old node
    is_old_row = first_row_after < old_ids.size
    is_old_row[is_old_row] = old_ids[first_row_after[is_old_row]] == row_ids[is_old_row]
    starts = indptr[first_row_after].astype(np.int64)
    ends = np.where(is_old_row, indptr[np.minimum(first_row_after + 1, old_ids.size)], starts)
    # Old neighbours below the old-node count of ids under a neighbour's id are exactly those before it.
    keys = np.searchsorted(old_ids, neighbour_ids)
    at = _lower_bounds(indices, starts, ends, keys)
    there = at < ends
    known = np.minimum(keys[there], old_ids.size - 1)
    there[there] = (indices[at[there]] == keys[there]) & (old_ids[known] == neighbour_ids[there])
    if there.any() and not np.isin(at[there], removed_at).all():
        raise StaleSnapshot("an added follow is already in the snapshot")
    return at


def _lower_bounds(indices: np.ndarray, starts: np.ndarray, ends: np.ndarray, keys: np.ndarray) -> np.ndarray:
    """For each segment `indices[start:end]` (sorted), the first position whose value is not below its
    key: one binary search on every segment at once, about log2(longest segment) numpy passes."""
    low, high = starts.copy(), ends.copy()
    while (open_ := low < high).any():
        middle = (low + high) // 2
        below = open_ & (indices[np.where(open_, middle, 0)] < keys)
        low = np.where(below, middle + 1, low)
        high = np.where(open_ & ~below, middle, high)
    return low


def _spliced(
    old: np.ndarray, removed_at: np.ndarray, inserted_at: np.ndarray, inserted: np.ndarray, renumbered
) -> np.ndarray:
    """`old` without its entries at `removed_at` (sorted), with `inserted` put before the entries at
    `inserted_at` (sorted; `old.size` is the end), its own values renumbered by `renumbered` (None:
    unchanged). Block by block, so that no temporary is as large as the array."""
    spliced = np.empty(old.size - removed_at.size + inserted.size, dtype=old.dtype)
    written = 0
    for start in range(0, old.size + 1, SPLICE_BLOCK):
        end = min(start + SPLICE_BLOCK, old.size)
        removed_from, removed_to = np.searchsorted(removed_at, [start, end])
        gone = removed_at[removed_from:removed_to]
        block = np.delete(old[start:end], gone - start) if gone.size else old[start:end]
        inserted_from, inserted_to = np.searchsorted(inserted_at, [start, end])
        if end == old.size:
            inserted_to = inserted_at.size  # the last block takes the entries added at the end
        if inserted_to == inserted_from:  # most blocks: written straight into place
            into = spliced[written : written + block.size]
            np.take(renumbered, block, out=into) if renumbered is not None else np.copyto(into, block)
            written += block.size
        else:
            if renumbered is not None:
                block = renumbered[block]
            at = inserted_at[inserted_from:inserted_to]
            block = np.insert(
                block, at - start - np.searchsorted(gone, at), inserted[inserted_from:inserted_to]
            )
            spliced[written : written + block.size] = block
            written += block.size
        if end == old.size:
            break
    return spliced
