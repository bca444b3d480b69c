"""Unique reach by HyperLogLog: within the documented error of exact counts on graphs small enough to count."""

from __future__ import annotations

import numpy as np
import pytest

from quartier.reach import hll
from quartier.reach.graph import FollowGraph, graph_from_edges


def power_law_graph(nodes: int, edges: int, seed: int) -> FollowGraph:
    rng = np.random.default_rng(seed)
    followers = rng.integers(1, nodes + 1, edges)
    followed = (nodes * rng.random(edges) ** 3).astype(np.int64) + 1  # a few people followed by many
    pairs = np.unique(np.stack([followers, followed], axis=1), axis=0)
    pairs = pairs[pairs[:, 0] != pairs[:, 1]]
    return graph_from_edges(pairs[:, 0] * 7 + 3, pairs[:, 1] * 7 + 3)  # ids need not be dense


def exact_reach(graph: FollowGraph, sharers: np.ndarray) -> tuple[np.ndarray, np.ndarray, int, int]:
    def followers_of(node: int) -> set[int]:
        return set(graph.followers[graph.followers_indptr[node] : graph.followers_indptr[node + 1]].tolist())

    one, two, all_one, all_two = [], [], set(), set()
    for sharer in sharers.tolist():
        first = {sharer} | followers_of(sharer)
        second = set(first)
        for follower in first - {sharer}:
            second |= followers_of(follower)
        one.append(len(first))
        two.append(len(second))
        all_one |= first
        all_two |= second
    return np.array(one), np.array(two), len(all_one), len(all_two)


def test_the_hash_counts_leading_zeros_exactly():
    values = np.array([0, 1, 2**63, 2**63 - 1, 2**40 + 5], dtype=np.uint64)
    assert hll.leading_zeros(values).tolist() == [64, 63, 0, 1, 23]


def test_an_estimate_of_a_known_set_is_within_three_standard_errors():
    precision = 10
    for size in (50, 1_000, 30_000):
        index, rank = hll.registers_of(np.arange(size) * 13 + 1, precision, seed=4)
        sketch = np.zeros(2**precision, dtype=np.uint8)
        np.maximum.at(sketch, index, rank)
        assert abs(hll.estimate(sketch)[0] / size - 1) <= 3 * hll.standard_error(precision)


def test_unique_reach_of_every_sharer_is_within_the_documented_error():
    graph = power_law_graph(3_000, 30_000, seed=1)
    sharers = np.arange(0, graph.node_count, 5)
    precision = 10
    error = hll.standard_error(precision)
    reach = hll.unique_reach(graph, sharers, precision=precision)
    one, two, all_one, all_two = exact_reach(graph, reach.sharer_nodes)

    for estimated, exact in ((reach.one_hop, one), (reach.two_hops, two)):
        relative = np.abs(estimated / exact - 1)
        assert relative.mean() <= error  # on average within one standard error
        large = exact >= 100  # small sets are counted almost exactly by linear counting
        assert large.any()
        assert relative[large].max() <= 4 * error
        assert np.all(np.abs(estimated - exact)[~large] <= np.maximum(2, 4 * error * exact[~large]))
    assert abs(reach.campaign_one_hop / all_one - 1) <= 3 * error
    assert abs(reach.campaign_two_hops / all_two - 1) <= 3 * error
    assert reach.standard_error == pytest.approx(1.04 / 32)


def test_two_hops_reach_at_least_as_many_as_one():
    graph = power_law_graph(500, 3_000, seed=2)
    reach = hll.unique_reach(graph, np.arange(graph.node_count), precision=8)
    assert np.all(reach.two_hops >= reach.one_hop - 1e-9)


def test_a_chain_is_counted_hop_by_hop():
    # 2 follows 1, 3 follows 2, 4 follows 3: sharer 1 reaches itself and 2, then 3, never 4.
    graph = graph_from_edges(np.array([2, 3, 4]), np.array([1, 2, 3]))
    reach = hll.unique_reach(graph, graph.nodes_of([1]), precision=8)
    assert reach.one_hop.round().tolist() == [2]
    assert reach.two_hops.round().tolist() == [3]


def test_no_sharer_reaches_nobody():
    graph = graph_from_edges(np.array([2]), np.array([1]))
    reach = hll.unique_reach(graph, np.zeros(0, dtype=np.int64))
    assert reach.campaign_two_hops == 0.0
    assert reach.one_hop.size == 0


def test_the_same_graph_gives_the_same_estimates():
    graph = power_law_graph(800, 5_000, seed=3)
    sharers = np.arange(0, graph.node_count, 3)
    first = hll.unique_reach(graph, sharers, precision=9)
    second = hll.unique_reach(graph, sharers, precision=9)
    assert np.array_equal(first.two_hops, second.two_hops)


def test_no_estimate_exceeds_the_people_in_the_graph():
    # Everyone follows everyone among 3,000 people: every two-hop sketch holds the whole graph, and
    # HyperLogLog's error alone would read more people than there are for about half of the seeds.
    nodes = 3_000
    others = np.arange(2, nodes + 1)  # person 1 follows everyone and everyone follows person 1
    one = np.ones(others.size, dtype=np.int64)
    graph = graph_from_edges(np.concatenate([others, one]), np.concatenate([one, others]))
    over = 0
    for seed in range(8):
        reach = hll.unique_reach(graph, np.arange(graph.node_count), precision=6, seed=seed)
        assert reach.two_hops.max() <= graph.node_count and reach.campaign_two_hops <= graph.node_count
        assert reach.one_hop.max() <= graph.node_count and reach.campaign_one_hop <= graph.node_count
        over += reach.campaign_two_hops == graph.node_count
    assert over > 0  # the cap did apply: without it some estimates were above the graph's size
