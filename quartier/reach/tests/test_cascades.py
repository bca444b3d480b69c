"""Cascade metrics: hand-computed small trees, and NetworkX on random forests as the reference."""

from __future__ import annotations

import networkx as nx
import numpy as np
import pytest

from quartier.reach import cascades

#      0            5
#    / | \          |
#   1  2  3         6
#   |
#   4
PARENT = np.array([-1, 0, 0, 0, 1, -1, 5])


def test_roots_depths_and_subtree_sizes_of_a_small_forest():
    forest = cascades.build(PARENT)

    assert forest.root.tolist() == [0, 0, 0, 0, 0, 5, 5]
    assert forest.depth.tolist() == [0, 1, 1, 1, 2, 0, 1]
    assert forest.subtree_size.tolist() == [5, 2, 1, 1, 1, 2, 1]
    assert forest.roots.tolist() == [0, 5] and forest.cascade_sizes.tolist() == [5, 2]


def test_structural_virality_of_a_chain_a_star_and_a_single_node():
    chain = cascades.build(np.array([-1, 0, 1]))
    star = cascades.build(np.array([-1, 0, 0, 0]))
    alone = cascades.build(np.array([-1]))

    # chain: distances 1, 1, 2 → 4/3; star: three pairs at 1, three at 2 → 9/6.
    assert cascades.structural_virality(chain).tolist() == pytest.approx([4 / 3])
    assert cascades.structural_virality(star).tolist() == pytest.approx([1.5])
    assert np.isnan(cascades.structural_virality(alone)[0])


def test_k_per_generation_and_per_cohort():
    forest = cascades.build(PARENT)

    assert cascades.k_per_generation(forest) == [(0, 2, 2.0), (1, 4, 0.25), (2, 1, 0.0)]
    # Days joined: the roots in week 0, everyone else in week 1.
    joined = np.array([0, 8, 8, 9, 10, 1, 12])
    assert cascades.k_per_cohort(forest, joined) == [(0, 2, 2.0), (7, 5, 0.2)]  # (3 + 1) / 2; 1 / 5


def test_a_night_from_120_000_to_1_200_000_reads_as_ten_times():
    joined = np.concatenate([np.zeros(120, np.int64), np.ones(1080, np.int64), np.full(60, 2)])

    first, cumulative = cascades.adoption_curve(joined)
    growth = cascades.daily_growth_factor(cumulative)

    assert first == 0 and cumulative.tolist() == [120, 1200, 1260]
    assert np.isnan(growth[0]) and growth[1:].tolist() == pytest.approx([10.0, 1.05])


def test_size_histogram_uses_powers_of_two():
    assert cascades.log2_histogram(np.array([1, 1, 2, 3, 5, 40])) == [
        (1, 1, 2),
        (2, 3, 2),
        (4, 7, 1),
        (32, 63, 1),
    ]


def test_downstream_sums_add_every_descendant_conversion():
    forest = cascades.build(PARENT)
    credited = np.array([1, 0, 2, 0, 3, 0, 4])

    downstream = cascades.subtree_sums(forest.parent, forest.depth, credited)

    assert downstream.tolist() == [6, 3, 2, 0, 3, 4, 4]


def test_a_cycle_is_refused():
    with pytest.raises(cascades.NotAForest):
        cascades.build(np.array([1, 2, 0, -1]))
    with pytest.raises(cascades.NotAForest):
        cascades.build(np.array([0]))


def test_summary_of_an_empty_forest_is_empty():
    summary = cascades.summarise(np.zeros(0, np.int64), np.zeros(0, np.int64), np.zeros(0, np.int64))

    assert (summary["people"], summary["cascades"], summary["adoption"], summary["largest"]) == (0, 0, [], [])


def random_forest(rng: np.random.Generator, size: int, roots: int) -> np.ndarray:
    """Random recursive trees, shuffled so that a parent may come after its child in the arrays."""
    parent = np.full(size, -1, dtype=np.int64)
    for node in range(roots, size):
        parent[node] = rng.integers(0, node)
    shuffle = rng.permutation(size)
    inverse = np.argsort(shuffle)
    shuffled = np.full(size, -1, dtype=np.int64)
    shuffled[inverse] = np.where(parent >= 0, inverse[np.maximum(parent, 0)], -1)
    return shuffled


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_metrics_match_networkx_on_random_forests(seed):
    rng = np.random.default_rng(seed)
    parent = random_forest(rng, 300, 7)
    forest = cascades.build(parent)
    graph = nx.DiGraph()
    graph.add_nodes_from(range(parent.shape[0]))
    graph.add_edges_from((int(p), child) for child, p in enumerate(parent) if p >= 0)

    for root in forest.roots:
        lengths = nx.single_source_shortest_path_length(graph, int(root))
        for node, length in lengths.items():
            assert forest.depth[node] == length and forest.root[node] == root
    for node in range(parent.shape[0]):
        assert forest.subtree_size[node] == len(nx.descendants(graph, node)) + 1
    virality = cascades.structural_virality(forest)
    for index, root in enumerate(forest.roots):
        tree = graph.subgraph(nx.descendants(graph, int(root)) | {int(root)}).to_undirected()
        if tree.number_of_nodes() > 1:
            assert virality[index] == pytest.approx(nx.average_shortest_path_length(tree))
