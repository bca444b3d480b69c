"""Reverse-reachable (RR) sets and greedy maximum coverage over them, in numpy.

An RR set is who would have converted a uniformly drawn person in a random live-edge world; the
expected spread of a seed set is n times the probability that it meets a random RR set. Sets are
drawn in batches with `influence.live_edge_reach` over the `following` arrays (the reversed
influence graph) and kept as their members concatenated (int32) and each set's length.

Greedy max coverage indexes the sets by member (a counting sort in scipy's C++: int32 set ids, no
int64 index per entry), keeps every node's exact marginal gain and, once a seed is chosen,
subtracts the sets it newly covers from the gains of their members only (each set once): the same
choices as CELF's lazy evaluation, in O(entries) numpy work. It also returns an upper bound of the
best coverage any k people could reach on these sets (OPIM-C's bound, Tang et al. 2018):
the smallest, over the greedy's prefixes, of the prefix's coverage plus the k largest marginal gains.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from quartier.reach.graph import FollowGraph
from quartier.reach.influence import CascadeModel, live_edge_reach, reverse_probability, row_bounds

STORED_BYTES_PER_ENTRY = 4  # a member, int32
INDEX_BYTES_PER_ENTRY = 14  # while greedy runs: a contiguous copy, set ids, the index and its flags
BYTES_PER_SET = 16  # its length (int32), its start and whether it is covered while greedy runs
BFS_BYTES_PER_ENTRY = 100  # live_edge_reach's work arrays, per RR-set entry drawn in one batch
BATCH_ENTRIES = 2_000_000  # RR-set entries drawn per batch at most (memory of one BFS)
MIN_BATCH_ENTRIES = 10_000
DECREMENT_ENTRIES = 4_000_000  # entries of newly covered sets subtracted from the gains at once


class RRSets:
    """RR sets drawn so far: their members concatenated, and each set's length."""

    def __init__(
        self,
        graph: FollowGraph,
        model: CascadeModel,
        rng: np.random.Generator,
        batch_entries: int,
        bound: np.ndarray | None = None,
    ) -> None:
        self.graph, self.rng, self.batch_entries = graph, rng, batch_entries
        self.probability = reverse_probability(model)
        self.bound = reverse_bound(graph, model) if bound is None else bound
        self.members: list[np.ndarray] = []
        self.lengths: list[np.ndarray] = []
        self.count = 0
        self.entries = 0

    @property
    def mean_size(self) -> float:
        return self.entries / self.count if self.count else 1.0

    def extend_to(self, target: int) -> None:
        while self.count < target:
            batch = int(min(target - self.count, max(1, self.batch_entries // max(1.0, self.mean_size))))
            roots = self.rng.integers(0, self.graph.node_count, size=batch)
            groups, nodes = live_edge_reach(
                self.graph.following_indptr, self.graph.following, self.probability,
                np.arange(batch), roots, self.graph.node_count, self.rng, self.bound,
            )  # fmt: skip
            self.members.append(nodes.astype(np.int32))
            self.lengths.append(np.bincount(groups, minlength=batch).astype(np.int32))
            self.count += batch
            self.entries += nodes.size

    def flat(self) -> tuple[np.ndarray, np.ndarray]:
        """Members and lengths as two arrays (kept as one chunk each from then on)."""
        if len(self.members) != 1:
            self.members = [np.concatenate(self.members)] if self.members else [np.zeros(0, np.int32)]
            self.lengths = [np.concatenate(self.lengths)] if self.lengths else [np.zeros(0, np.int32)]
        return self.members[0], self.lengths[0]

    def covered_sets(self, seeds: np.ndarray) -> np.ndarray:
        """Whether each set contains at least one of `seeds`."""
        members, lengths = self.flat()
        if lengths.size == 0:
            return np.zeros(0, dtype=bool)
        is_seed = np.zeros(self.graph.node_count, dtype=bool)
        is_seed[seeds] = True
        starts = np.concatenate([[0], np.cumsum(lengths[:-1], dtype=np.int64)])
        return np.logical_or.reduceat(is_seed[members], starts)

    def covered(self, seeds: np.ndarray) -> int:
        return int(self.covered_sets(seeds).sum())


def reverse_bound(graph: FollowGraph, model: CascadeModel) -> np.ndarray:
    """For each person, an upper bound of the probability that one given person they follow converts them."""
    return row_bounds(graph.following_indptr, graph.following, model.target, model.source)


@dataclass(frozen=True)
class Coverage:
    seeds: np.ndarray  # in the order greedy chose them
    covered: int  # sets the seeds cover
    upper_bound: float  # no k eligible people cover more of these sets
    last_gain: int = 0  # sets the last pick newly covered: how well its choice was measured


def greedy_max_coverage(
    members: np.ndarray, lengths: np.ndarray, node_count: int, k: int, eligible: np.ndarray | None = None
) -> Coverage:
    """(1 - 1/e)-approximate maximum coverage of sets given as concatenated `members` and `lengths`."""
    set_count = lengths.size
    if set_count == 0 or k <= 0:
        return Coverage(np.zeros(0, dtype=np.int64), 0, 0.0)
    members = members.astype(np.int32, copy=False)
    set_of_entry = np.repeat(np.arange(set_count, dtype=np.int32), lengths)
    # Row = member, column = set: the sets of each node, in order (a node is at most once in a set).
    by_node = sparse.csr_matrix(
        (np.ones(members.size, dtype=np.int8), (members, set_of_entry)), shape=(node_count, set_count)
    )
    del set_of_entry
    node_start, sets_of_node = by_node.indptr, by_node.indices
    del by_node
    set_start = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
    gains = np.diff(node_start).astype(np.int64)
    if eligible is not None:
        gains[~eligible] = -1
    top = _TopGains(gains, k)
    covered = np.zeros(set_count, dtype=bool)
    covered_count = last_gain = 0
    upper_bound = float(top.sum(gains))
    seeds: list[int] = []
    for _ in range(min(k, node_count)):
        best = int(np.argmax(gains))
        if gains[best] < 0:
            break  # nobody eligible is left
        seeds.append(best)
        sets = sets_of_node[node_start[best] : node_start[best + 1]]
        fresh = sets[~covered[sets]]
        covered[fresh] = True
        covered_count += int(fresh.size)
        last_gain = int(fresh.size)
        for part in _parts(fresh, lengths):
            starts, sizes = set_start[part], lengths[part].astype(np.int64)
            offsets = np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(int(sizes.sum()))
            gains -= np.bincount(members[offsets], minlength=node_count)
        gains[best] = -1  # chosen (its own count just fell to 0 anyway)
        upper_bound = min(upper_bound, covered_count + float(top.sum(gains)))
    return Coverage(np.asarray(seeds, dtype=np.int64), covered_count, upper_bound, last_gain)


def _parts(fresh: np.ndarray, lengths: np.ndarray):
    """`fresh` in pieces of at most about `DECREMENT_ENTRIES` entries (bounded work arrays)."""
    if fresh.size == 0:
        return
    sizes = np.cumsum(lengths[fresh], dtype=np.int64)
    cuts = np.searchsorted(sizes, np.arange(DECREMENT_ENTRIES, int(sizes[-1]), DECREMENT_ENTRIES))
    yield from np.split(fresh, np.unique(cuts))


class _TopGains:
    """An upper bound of the sum of the k largest gains, cheaply: a pool of the initially largest
    gains is kept, and everyone outside it counts as the largest gain outside it at the start
    (gains only fall, so that bounds theirs)."""

    def __init__(self, gains: np.ndarray, k: int) -> None:
        self.k = k
        size = min(gains.size, max(64 * k, 16_384))
        self.pool = (
            np.argpartition(gains, gains.size - size)[gains.size - size :] if size < gains.size else None
        )
        outside = np.ones(gains.size, dtype=bool)
        if self.pool is not None:
            outside[self.pool] = False
        best_outside = int(gains[outside].max()) if outside.any() else 0
        self.outside = np.full(k, max(best_outside, 0), dtype=np.int64)

    def sum(self, gains: np.ndarray) -> int:
        candidates = gains if self.pool is None else np.concatenate([gains[self.pool], self.outside])
        k = min(self.k, candidates.size)
        largest = np.partition(candidates, candidates.size - k)[candidates.size - k :]
        return int(np.maximum(largest, 0).sum())
