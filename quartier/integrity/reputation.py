"""Earned reputation: SybilRank-style trust propagation over the trust graph.

The trust graph joins two supporters who follow each other, who were both checked in at the same event
(or one checked in at the other's event), or when a leader vouched for the other. Trust starts at the
seeds (staff and everyone checked in at an event: met in person), spreads for ceil(log2(n)) steps of a
lazy random walk over the degree-normalised adjacency matrix (early termination is what keeps it from
reaching the sybil region through the few edges an attacker manages to make to real people), and is
divided by each node's degree at the end. Fake accounts that only befriend each other receive no
trust, however many edges they make among themselves (Cao et al., "Aiding the Detection of Fake
Accounts in Large Scale Social Online Services", NSDI 2012).

The score is relative: 1 is what every node would hold at the walk's stationary distribution, so
it does not depend on the size of the campaign. It is never shown; the rest of the site reads a
coarse level through `accounts.trust` (`level_for`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import sparse

from quartier.accounts.trust import TrustLevel

# A node reached by less than this share of its stationary trust is "low"; above HIGH_SCORE, "high".
LOW_SCORE = 0.2
HIGH_SCORE = 0.5
# An event with more people checked in than this links each of them to its host only (not all pairs).
CO_ATTENDANCE_CLIQUE_CAP = 40


@dataclass(frozen=True)
class TrustGraph:
    """Supporter ids (sorted), the symmetric 0/1 adjacency matrix over them, and the seed mask."""

    ids: np.ndarray
    adjacency: sparse.csr_matrix
    seeds: np.ndarray

    @property
    def degree(self) -> np.ndarray:
        return np.asarray(self.adjacency.sum(axis=1)).ravel()


def level_for(score: float, *, is_seed: bool) -> TrustLevel:
    if is_seed or score >= HIGH_SCORE:
        return TrustLevel.HIGH
    if score < LOW_SCORE:
        return TrustLevel.LOW
    return TrustLevel.NEUTRAL


def build_graph(ids: np.ndarray, edges: np.ndarray, seed_ids: np.ndarray) -> TrustGraph:
    """The graph over `ids` from (a, b) supporter-id pairs (either order, duplicates and self-loops
    dropped, pairs naming an unknown id ignored)."""
    ids = np.sort(np.asarray(ids, dtype=np.int64))
    ids = ids[np.concatenate([[True], ids[1:] != ids[:-1]])] if len(ids) else ids
    n = len(ids)
    edges = np.asarray(edges, dtype=np.int64).reshape(-1, 2)
    if len(edges) and n:
        rows, cols = _positions(ids, edges[:, 0]), _positions(ids, edges[:, 1])
        known = (rows >= 0) & (cols >= 0) & (rows != cols)
        rows, cols = rows[known], cols[known]
        del known
        # Straight to CSR: both directions as sorted, deduplicated keys row * n + col (an edge counts
        # once, however many ways it was made: follow, event, vouch). With `_positions`, 100M edges went
        # from 91 s and 11.7 GB (binary search, scipy's COO route) to 21 s and 6.2 GB (BENCHMARKS.md).
        keys = np.concatenate([rows * n + cols, cols * n + rows])
        del rows, cols
        keys.sort()
        if keys.size > 1:
            keys = keys[np.concatenate([[True], keys[1:] != keys[:-1]])]
        index_type = np.int32 if keys.size < 2**31 else np.int64
        indptr = np.searchsorted(keys, np.arange(n + 1, dtype=np.int64) * n).astype(index_type)
        indices = (keys % n).astype(index_type)
        del keys
        # float32: the walk reads every entry and gathers a neighbour's trust at each step; single
        # precision halves that traffic (2.5-3x faster at 2M nodes, 40M edges; relative change 5e-7).
        adjacency = sparse.csr_matrix(
            (np.ones(indices.size, dtype=np.float32), indices, indptr), shape=(n, n)
        )
    else:
        adjacency = sparse.csr_matrix((n, n), dtype=np.float32)
    seeds = np.isin(ids, np.asarray(seed_ids, dtype=np.int64))
    return TrustGraph(ids=ids, adjacency=adjacency, seeds=seeds)


def _positions(ids: np.ndarray, values: np.ndarray) -> np.ndarray:
    """The position of each value in the sorted, distinct `ids` (-1 for a value not there). Supporter
    ids are primary keys, dense enough for a direct lookup table: one gather per value, where a binary
    search costs ~0.3 µs each (13 of the 18 s of a 20M-edge build)."""
    top = int(ids[-1])
    if ids[0] >= 0 and top < 8 * len(ids) + 1_000_000:
        table = np.full(top + 1, -1, dtype=np.int64)
        table[ids] = np.arange(len(ids))
        inside = (values >= 0) & (values <= top)
        return np.where(inside, table[np.clip(values, 0, top)], -1)
    found = np.searchsorted(ids, values).clip(max=len(ids) - 1)
    return np.where(ids[found] == values, found, -1)


def propagate(graph: TrustGraph, *, steps: int | None = None) -> np.ndarray:
    """The relative, degree-normalised trust of every node (see the module's docstring)."""
    n = len(graph.ids)
    if n == 0 or not graph.seeds.any():
        return np.zeros(n)
    degree = graph.degree.astype(np.float64)
    steps = steps if steps is not None else max(1, math.ceil(math.log2(n)))
    # total trust n: stationary t(v)/deg(v) = n/2m
    trust = np.where(graph.seeds, n / graph.seeds.sum(), 0.0).astype(np.float32)
    inverse_degree = np.divide(1.0, degree, out=np.zeros(n), where=degree > 0).astype(np.float32)
    walk = graph.adjacency.astype(np.float32, copy=False)
    half = np.float32(0.5)
    for _step in range(steps):
        # A lazy walk, t' = (t + A·D^-1·t) / 2: each node keeps half its trust and hands the other half out
        # evenly to its neighbours. Without the laziness trust oscillates on bipartite parts of the graph
        # (a chain, a cycle of even length) and leaves every other node at zero after an even step count.
        trust = half * trust + half * (walk @ (trust * inverse_degree))
    edges_twice = degree.sum()
    if edges_twice == 0:
        return np.zeros(n)
    return trust.astype(np.float64) * inverse_degree.astype(np.float64) * (edges_twice / n)


def mutual_follow_edges(pairs: np.ndarray) -> np.ndarray:
    """The (a, b) pairs, a < b, of people who follow each other, from (follower, followed) pairs."""
    pairs = np.asarray(pairs, dtype=np.int64).reshape(-1, 2)
    if not len(pairs):
        return pairs
    width = int(pairs.max()) + 1
    forward = pairs[:, 0] * width + pairs[:, 1]
    backward = pairs[:, 1] * width + pairs[:, 0]
    mutual = np.intersect1d(forward, backward, assume_unique=True)  # a follow is unique per pair
    a, b = mutual // width, mutual % width
    keep = a < b
    return np.stack([a[keep], b[keep]], axis=1)


def co_attendance_edges(rows: list[tuple[int, int, int]]) -> tuple[np.ndarray, set[int]]:
    """Edges between people checked in at the same event (and each of them with its host), and the
    ids of everyone checked in at least once (the met-in-person seeds)."""
    by_event: dict[int, tuple[int, set[int]]] = {}
    for event_id, host_id, supporter_id in rows:
        by_event.setdefault(event_id, (host_id, set()))[1].add(supporter_id)
    edges: list[tuple[int, int]] = []
    met: set[int] = set()
    for host_id, present in by_event.values():
        met |= present
        edges.extend((host_id, person) for person in present)
        if len(present) <= CO_ATTENDANCE_CLIQUE_CAP:
            people = sorted(present)
            edges.extend((a, b) for i, a in enumerate(people) for b in people[i + 1 :])
    return np.asarray(edges, dtype=np.int64).reshape(-1, 2), met
