"""Cascade metrics over a who-brought-whom forest held as arrays: numpy only, no Python loop per node.

A forest of n nodes is `parent` (int64, -1 for a root, else the index of the parent), with the day
each node joined (`joined_day`, int days since any origin) and how many conversions were credited to
each (`credited`). Every function is O(n) or O(n log n) in numpy operations; the only Python loops
run once per generation (a forest 10 deep loops 10 times, whatever n).

- `roots_and_depths`: pointer jumping (each pass doubles the distance looked up: log2(depth) passes).
- `subtree_sums`: nodes sorted once by depth then parent; each generation adds its subtree sums into
  its parents with one `np.add.reduceat`.
- structural virality (Goel, Anderson, Hofman & Watts 2016, "The structural virality of online
  diffusion"): the mean distance between two nodes of a tree. For a tree of n nodes, removing the edge
  above v splits it into s(v) and n - s(v) nodes, and exactly those s(v)(n - s(v)) pairs of nodes have
  their path through that edge, so W = 2 / (n(n - 1)) * Σ over edges s(v)(n - s(v)): O(n) with the
  subtree sizes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class NotAForest(ValueError):
    """The parent array has a cycle or points outside the forest."""


@dataclass(frozen=True)
class Forest:
    """A forest's structure, computed once and shared by every metric."""

    parent: IntArray
    root: IntArray
    depth: IntArray
    subtree_size: IntArray

    @property
    def size(self) -> int:
        return int(self.parent.shape[0])

    @property
    def roots(self) -> IntArray:
        return np.flatnonzero(self.parent < 0)

    @property
    def cascade_sizes(self) -> IntArray:
        """The size of each cascade, in the order of `roots`."""
        return self.subtree_size[self.roots]


def roots_and_depths(parent: IntArray) -> tuple[IntArray, IntArray]:
    """Each node's root and depth (0 for a root), by pointer jumping; NotAForest on a cycle."""
    parent = np.asarray(parent, dtype=np.int64)
    count = parent.shape[0]
    if count == 0:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    if parent.max(initial=-1) >= count or parent.min(initial=-1) < -1:
        raise NotAForest("a parent index points outside the forest")
    index = np.arange(count, dtype=np.int64)
    is_root = parent < 0
    jump = np.where(is_root, index, parent)  # self for a root: jumping from it stays there
    distance = (~is_root).astype(np.int64)  # distance from each node to `jump`
    for _pass in range(int(np.ceil(np.log2(count + 1))) + 2):
        further = jump[jump]
        if np.array_equal(further, jump):
            if not is_root[jump].all():
                raise NotAForest("the parent links form a cycle")
            return jump, distance
        distance = distance + distance[jump]
        jump = further
    raise NotAForest("the parent links form a cycle")


def subtree_sums(parent: IntArray, depth: IntArray, weights: npt.ArrayLike) -> npt.NDArray:
    """For each node, the sum of `weights` over its subtree (itself included)."""
    parent = np.asarray(parent, dtype=np.int64)
    totals = np.array(weights, copy=True)
    if parent.shape[0] == 0:
        return totals
    # Deepest generation first; within a generation, children of the same parent side by side.
    order = np.lexsort((parent, -depth))
    sorted_depth = depth[order]
    boundaries = np.flatnonzero(np.diff(sorted_depth)) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [order.shape[0]]))
    for start, end in zip(starts, ends, strict=True):
        if sorted_depth[start] == 0:
            break  # roots have no parent to add to
        nodes = order[start:end]
        parents = parent[nodes]
        first_of_each = np.concatenate(([0], np.flatnonzero(np.diff(parents)) + 1))
        totals[parents[first_of_each]] += np.add.reduceat(totals[nodes], first_of_each)
    return totals


def build(parent: IntArray) -> Forest:
    parent = np.asarray(parent, dtype=np.int64)
    root, depth = roots_and_depths(parent)
    sizes = subtree_sums(parent, depth, np.ones(parent.shape[0], dtype=np.int64))
    return Forest(parent=parent, root=root, depth=depth, subtree_size=sizes)


def structural_virality(forest: Forest) -> FloatArray:
    """The mean pairwise distance within each cascade, in the order of `forest.roots` (NaN for a
    cascade of one node: there is no pair)."""
    roots = forest.roots
    position = np.full(forest.size, -1, dtype=np.int64)
    position[roots] = np.arange(roots.shape[0])
    n_of_tree = forest.subtree_size[forest.root].astype(np.float64)
    below = forest.subtree_size.astype(np.float64)
    edges = forest.parent >= 0
    pairs_through = below[edges] * (n_of_tree[edges] - below[edges])
    sums = np.bincount(position[forest.root[edges]], weights=pairs_through, minlength=roots.shape[0])
    n = forest.subtree_size[roots].astype(np.float64)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(n > 1, 2.0 * sums / (n * (n - 1.0)), np.nan)


def log2_histogram(values: IntArray) -> list[tuple[int, int, int]]:
    """(low, high, count) for the bins [1], [2, 3], [4, 7], [8, 15]… that hold at least one value."""
    values = np.asarray(values, dtype=np.int64)
    values = values[values > 0]
    if values.shape[0] == 0:
        return []
    bins = np.floor(np.log2(values)).astype(np.int64)
    counts = np.bincount(bins)
    return [(1 << b, (1 << (b + 1)) - 1, int(c)) for b, c in enumerate(counts) if c]


def children_counts(forest: Forest) -> IntArray:
    return np.bincount(forest.parent[forest.parent >= 0], minlength=forest.size).astype(np.int64)


def k_per_generation(forest: Forest) -> list[tuple[int, int, float]]:
    """(generation g, people in g, K): people in g + 1 per person in g."""
    per_generation = np.bincount(forest.depth) if forest.size else np.zeros(0, np.int64)
    rows = []
    for generation in range(per_generation.shape[0]):
        following = per_generation[generation + 1] if generation + 1 < per_generation.shape[0] else 0
        rows.append(
            (generation, int(per_generation[generation]), float(following / per_generation[generation]))
        )
    return rows


def k_per_cohort(
    forest: Forest, joined_day: IntArray, *, days_per_cohort: int = 7
) -> list[tuple[int, int, float]]:
    """(first day of the cohort, people who joined in it, K): people they brought per person."""
    if forest.size == 0:
        return []
    cohort = np.asarray(joined_day, dtype=np.int64) // days_per_cohort
    first = int(cohort.min())
    cohort = cohort - first
    people = np.bincount(cohort)
    brought = np.bincount(cohort, weights=children_counts(forest))
    return [
        ((first + index) * days_per_cohort, int(count), float(brought[index] / count))
        for index, count in enumerate(people)
        if count
    ]


def adoption_curve(joined_day: IntArray) -> tuple[int, IntArray]:
    """The first day and the cumulative number of people who joined by the end of each day since."""
    days = np.asarray(joined_day, dtype=np.int64)
    if days.shape[0] == 0:
        return 0, np.zeros(0, np.int64)
    first = int(days.min())
    return first, np.cumsum(np.bincount(days - first))


def daily_growth_factor(cumulative: IntArray) -> FloatArray:
    """Each day's total over the day before's (a night from 120,000 to 1,200,000 reads 10.0); NaN for
    the first day."""
    cumulative = np.asarray(cumulative, dtype=np.float64)
    factor = np.full(cumulative.shape[0], np.nan)
    if cumulative.shape[0] > 1:
        with np.errstate(divide="ignore", invalid="ignore"):
            factor[1:] = np.where(cumulative[:-1] > 0, cumulative[1:] / cumulative[:-1], np.nan)
    return factor


def summarise(
    parent: IntArray,
    joined_day: IntArray,
    credited: IntArray,
    *,
    node_ids: IntArray | None = None,
    largest: int = 10,
    top: int = 20,
) -> dict:
    """Every metric the organisers' page shows, as plain JSON-ready values (`node_ids` maps array
    positions back to database ids for the largest cascades and the top sharers)."""
    forest = build(parent)
    ids = np.arange(forest.size) if node_ids is None else np.asarray(node_ids, dtype=np.int64)
    first_day, cumulative = adoption_curve(joined_day)
    growth = daily_growth_factor(cumulative)
    sizes = forest.cascade_sizes
    roots = forest.roots
    virality = structural_virality(forest)
    cascade_depth = np.zeros(forest.size, dtype=np.int64)
    np.maximum.at(cascade_depth, forest.root, forest.depth)
    biggest = np.argsort(-sizes, kind="stable")[:largest]
    downstream = subtree_sums(forest.parent, forest.depth, np.asarray(credited, dtype=np.int64))
    leaders = np.argsort(-downstream, kind="stable")[:top]
    leaders = leaders[downstream[leaders] > 0]
    return {
        "people": forest.size,
        "cascades": int(roots.shape[0]),
        "first_day": first_day,
        "adoption": cumulative.tolist(),
        "growth": [None if np.isnan(g) else round(float(g), 3) for g in growth],
        "k_per_generation": k_per_generation(forest),
        "k_per_cohort": k_per_cohort(forest, joined_day),
        "size_histogram": log2_histogram(sizes),
        "depth_histogram": np.bincount(cascade_depth[roots]).tolist() if roots.shape[0] else [],
        "largest": [
            {
                "root": int(ids[roots[i]]),
                "size": int(sizes[i]),
                "depth": int(cascade_depth[roots[i]]),
                "virality": None if np.isnan(virality[i]) else round(float(virality[i]), 3),
            }
            for i in biggest
        ],
        "top_sharers": [
            {
                "node": int(ids[i]),
                "downstream": int(downstream[i]),
                "brought": int(forest.subtree_size[i] - 1),
            }
            for i in leaders
        ],
    }
