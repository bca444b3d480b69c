"""The independent-cascade model of word of mouth on the follow graph, and its Monte-Carlo simulation.

Influence flows against the follow: when `v` shares, each follower `w` of `v` is converted with
probability `p(v, w)`, once, independently (Kempe, Kleinberg & Tardos 2003). Probabilities are a
product of two per-person weights, `p(v, w) = min(1, source[v] * target[w])`, so no array per edge is
needed on top of the CSR graph:

- with no history, the weighted-cascade prior: `p(v, w) = 1 / (number of people w follows)`
  (`source = 1`, `target = 1 / following`), Kempe et al.'s own choice;
- with a share -> conversion history, each sharer's conversion rate per follower, shrunk towards the
  campaign's pooled rate by a Beta prior (`target = 1`, see `model_from_history` and docs/decisions.md).

`live_edge_reach` is the one traversal: from many starting points at once (one group per cascade or
per reverse-reachable set), each edge kept with its probability, in numpy a BFS level at a time.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from quartier.reach.graph import FollowGraph

PRIOR_STRENGTH = 20.0  # Beta prior's weight, in followers: a sharer's own rate dominates past ~20 followers
HISTORY = "history"
WEIGHTED_CASCADE = "weighted_cascade"


@dataclass(frozen=True)
class CascadeModel:
    source: np.ndarray  # float64 per node: how contagious what this person shares is
    target: np.ndarray  # float64 per node: how easily this person is reached
    kind: str  # HISTORY or WEIGHTED_CASCADE
    pooled_rate: float = 0.0  # the campaign's conversions per follower of a sharer (HISTORY)

    def probability(self, sources: np.ndarray, targets: np.ndarray) -> np.ndarray:
        return np.minimum(1.0, self.source[sources] * self.target[targets])


def weighted_cascade(graph: FollowGraph) -> CascadeModel:
    """The documented prior: each person is converted by each of the k people they follow with 1/k."""
    following = graph.following_counts()
    return CascadeModel(
        source=np.ones(graph.node_count),
        target=1.0 / np.maximum(following, 1),
        kind=WEIGHTED_CASCADE,
    )


def model_from_history(graph: FollowGraph, sharer_nodes: np.ndarray, conversions: np.ndarray) -> CascadeModel:
    """Probabilities from the campaign's own history: `conversions[i]` people converted by the shares
    of `sharer_nodes[i]`. With no conversion at all, the weighted-cascade prior.

    Each person's rate is the posterior mean of a Beta prior centred on the pooled rate (all
    conversions over all the sharers' followers) with the weight of `PRIOR_STRENGTH` followers:
    `(strength * pooled + conversions) / (strength + followers)`; people who never shared get the
    pooled rate. Conversions above a sharer's follower count (people who came from elsewhere) count
    as their follower count.
    """
    sharer_nodes = np.asarray(sharer_nodes, dtype=np.int64)
    conversions = np.asarray(conversions, dtype=np.float64)
    keep = sharer_nodes >= 0
    sharer_nodes, conversions = sharer_nodes[keep], conversions[keep]
    followers = graph.follower_counts().astype(np.float64)
    exposed = followers[sharer_nodes]
    converted = np.minimum(conversions, exposed)
    if converted.sum() <= 0 or exposed.sum() <= 0:
        return weighted_cascade(graph)
    pooled = float(converted.sum() / exposed.sum())
    source = np.full(graph.node_count, pooled)
    source[sharer_nodes] = (PRIOR_STRENGTH * pooled + converted) / (PRIOR_STRENGTH + exposed)
    return CascadeModel(source=source, target=np.ones(graph.node_count), kind=HISTORY, pooled_rate=pooled)


def live_edge_reach(
    indptr: np.ndarray,
    indices: np.ndarray,
    edge_probability,
    start_groups: np.ndarray,
    start_nodes: np.ndarray,
    node_count: int,
    rng: np.random.Generator,
    owner_bound: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Every (group, node) reached from the starts, each CSR edge (owner -> neighbour) live with
    `edge_probability(owners, neighbours)`, sorted by group then node.

    One BFS level at a time for every group at once; what each group has reached is a sorted array of
    keys `group * node_count + node`. With `owner_bound` (an upper bound of the probabilities of each
    owner's edges), owners with many unlikely edges draw how many of them could be live
    (binomial), then which (uniformly, distinct), then keep each with `p / bound`: the same law as one
    draw per edge, for a cost in live edges rather than in edges (`_sparse_live_edges`).
    """
    seen = _SortedKeys(
        sorted_unique(start_groups.astype(np.int64) * node_count + start_nodes.astype(np.int64))
    )
    frontier = seen.main
    while frontier.size:
        groups, owners = np.divmod(frontier, node_count)
        degrees = indptr[owners + 1].astype(np.int64) - indptr[owners].astype(np.int64)
        sparse_owner = np.zeros(owners.size, dtype=bool)
        if owner_bound is not None:
            sparse_owner = (degrees >= SPARSE_MIN_DEGREE) & (owner_bound[owners] <= SPARSE_MAX_BOUND)
        dense_groups, dense_neighbours = _dense_live_edges(
            indptr, indices, edge_probability, groups[~sparse_owner], owners[~sparse_owner], rng
        )
        if sparse_owner.any():
            sparse_groups, sparse_neighbours = _sparse_live_edges(
                indptr,
                indices,
                edge_probability,
                owner_bound,
                groups[sparse_owner],
                owners[sparse_owner],
                rng,
            )
            dense_groups = np.concatenate([dense_groups, sparse_groups])
            dense_neighbours = np.concatenate([dense_neighbours, sparse_neighbours])
        keys = sorted_unique(dense_groups * node_count + dense_neighbours)
        frontier = keys[~seen.contains(keys)]
        seen.add(frontier)
    groups, nodes = np.divmod(seen.all(), node_count)
    return groups, nodes


def sorted_unique(values: np.ndarray) -> np.ndarray:
    """`np.unique` of int64 keys by sorting (numpy 2's hash-based unique is several times slower here)."""
    ordered = np.sort(values)
    if ordered.size < 2:
        return ordered
    return ordered[np.concatenate([[True], ordered[1:] != ordered[:-1]])]


SPARSE_MIN_DEGREE = 8
SPARSE_MAX_BOUND = 0.25


def _dense_live_edges(
    indptr, indices, edge_probability, groups, owners, rng
) -> tuple[np.ndarray, np.ndarray]:
    """One draw per edge of each owner."""
    starts = indptr[owners].astype(np.int64)
    degrees = indptr[owners + 1].astype(np.int64) - starts
    total = int(degrees.sum())
    if total == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty
    offsets = np.repeat(starts - np.cumsum(degrees) + degrees, degrees) + np.arange(total)
    neighbours = indices[offsets].astype(np.int64)
    live = rng.random(total) < edge_probability(np.repeat(owners, degrees), neighbours)
    return np.repeat(groups, degrees)[live], neighbours[live]


def _sparse_live_edges(
    indptr, indices, edge_probability, bound, groups, owners, rng
) -> tuple[np.ndarray, np.ndarray]:
    """Binomial(degree, bound) distinct edges of each owner drawn uniformly, each kept with p / bound."""
    starts = indptr[owners].astype(np.int64)
    degrees = indptr[owners + 1].astype(np.int64) - starts
    wanted = rng.binomial(degrees, bound[owners])
    width = int(degrees.max()) + 1
    keys = np.zeros(0, dtype=np.int64)  # slot * width + position, distinct
    missing = wanted
    while missing.any():
        slots = np.repeat(np.arange(owners.size, dtype=np.int64), missing)
        positions = (rng.random(slots.size) * degrees[slots]).astype(np.int64)
        keys = sorted_unique(np.concatenate([keys, slots * width + positions]))
        missing = wanted - np.bincount(keys // width, minlength=owners.size)
    slots, positions = np.divmod(keys, width)
    neighbours = indices[starts[slots] + positions].astype(np.int64)
    slot_owners = owners[slots]
    keep = rng.random(slots.size) * bound[slot_owners] < edge_probability(slot_owners, neighbours)
    return groups[slots][keep], neighbours[keep]


def row_bounds(
    indptr: np.ndarray, indices: np.ndarray, owner_weight: np.ndarray, neighbour_weight: np.ndarray
) -> np.ndarray:
    """For each CSR row, an upper bound of `owner_weight[row] * neighbour_weight[column]` over its entries."""
    rows = indptr.size - 1
    if neighbour_weight.size and neighbour_weight.min() == neighbour_weight.max():
        # One weight for everyone (the weighted-cascade prior's sources): no pass over the edges.
        filled = np.diff(indptr) > 0
        return np.minimum(1.0, owner_weight * np.where(filled, neighbour_weight[0], 0.0))
    best = np.zeros(rows)
    filled = np.flatnonzero(np.diff(indptr) > 0)
    # Rows in blocks of about BOUND_BLOCK_ENTRIES entries: no float per edge held at once.
    cuts = np.searchsorted(indptr[filled], np.arange(0, int(indptr[-1]), BOUND_BLOCK_ENTRIES))
    for block in np.split(filled, np.unique(cuts[1:])):
        if block.size:
            first, end = int(indptr[block[0]]), int(indptr[block[-1] + 1])
            weights = neighbour_weight[indices[first:end]]
            best[block] = np.maximum.reduceat(weights, indptr[block].astype(np.int64) - first)
    return np.minimum(1.0, owner_weight * best)


BOUND_BLOCK_ENTRIES = 8_000_000


class _SortedKeys:
    """A set of int64 keys as a large sorted array and a small one (merged when it grows past a
    quarter of the large one): membership by binary search, each key re-sorted O(log) times."""

    def __init__(self, keys: np.ndarray) -> None:
        self.main = keys
        self.recent = np.zeros(0, dtype=np.int64)

    @staticmethod
    def _in(sorted_keys: np.ndarray, keys: np.ndarray) -> np.ndarray:
        if sorted_keys.size == 0:
            return np.zeros(keys.shape, dtype=bool)
        position = np.minimum(np.searchsorted(sorted_keys, keys), sorted_keys.size - 1)
        return sorted_keys[position] == keys

    def contains(self, keys: np.ndarray) -> np.ndarray:
        return self._in(self.main, keys) | self._in(self.recent, keys)

    def add(self, new_keys: np.ndarray) -> None:
        if new_keys.size == 0:
            return
        self.recent = np.sort(np.concatenate([self.recent, new_keys]), kind="stable")  # two runs: a merge
        if self.recent.size * 4 > self.main.size:
            self.main = self.all()
            self.recent = np.zeros(0, dtype=np.int64)

    def all(self) -> np.ndarray:
        return (
            np.sort(np.concatenate([self.main, self.recent]), kind="stable")
            if self.recent.size
            else self.main
        )


def forward_probability(model: CascadeModel):
    """Along `followers` rows: the owner shares, the neighbour (a follower) may be converted."""
    return lambda owners, neighbours: model.probability(owners, neighbours)


def reverse_probability(model: CascadeModel):
    """Along `following` rows: the owner (a follower) may be converted by the neighbour's share."""
    return lambda owners, neighbours: model.probability(neighbours, owners)


@dataclass(frozen=True)
class SpreadEstimate:
    mean: float  # expected number of people converted, the seeds included
    standard_error: float
    runs: int


def simulate_spread(
    graph: FollowGraph,
    model: CascadeModel,
    seeds: np.ndarray,
    *,
    runs: int,
    seed: int = 0,
    batch_runs: int = 50,
) -> SpreadEstimate:
    """The expected spread of `seeds` by Monte-Carlo simulation of independent cascades."""
    seeds = np.unique(np.asarray(seeds, dtype=np.int64))
    if seeds.size == 0 or runs <= 0:
        return SpreadEstimate(0.0, 0.0, max(runs, 0))
    rng = np.random.default_rng(seed)
    sizes: list[np.ndarray] = []
    probability = forward_probability(model)
    bound = row_bounds(graph.followers_indptr, graph.followers, model.source, model.target)
    for first in range(0, runs, batch_runs):
        count = min(batch_runs, runs - first)
        groups = np.repeat(np.arange(count), seeds.size)
        reached_groups, _nodes = live_edge_reach(
            graph.followers_indptr, graph.followers, probability,
            groups, np.tile(seeds, count), graph.node_count, rng, bound,
        )  # fmt: skip
        sizes.append(np.bincount(reached_groups, minlength=count))
    spread = np.concatenate(sizes).astype(np.float64)
    error = float(spread.std(ddof=1) / np.sqrt(runs)) if runs > 1 else 0.0
    return SpreadEstimate(float(spread.mean()), error, runs)


def highest_degree_seeds(graph: FollowGraph, k: int, eligible: np.ndarray | None = None) -> np.ndarray:
    """The k people with the most followers (ties: the lowest supporter id)."""
    counts = graph.follower_counts().astype(np.float64)
    if eligible is not None:
        counts[~eligible] = -1
    order = np.lexsort((np.arange(graph.node_count), -counts))
    chosen = order[: min(k, graph.node_count)]
    return chosen[counts[chosen] >= 0]


def random_seeds(
    graph: FollowGraph, k: int, *, seed: int = 0, eligible: np.ndarray | None = None
) -> np.ndarray:
    candidates = np.arange(graph.node_count) if eligible is None else np.flatnonzero(eligible)
    rng = np.random.default_rng(seed)
    return np.sort(rng.choice(candidates, size=min(k, candidates.size), replace=False))
