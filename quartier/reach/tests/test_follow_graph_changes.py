"""Changes applied to the follow graph's CSR arrays give exactly the arrays of a build from every edge."""

from __future__ import annotations

import numpy as np
import pytest

from quartier.reach import graph as reach_graph
from quartier.reach.graph import FollowGraph, StaleSnapshot, apply_changes, graph_from_edges


def built(pairs) -> FollowGraph:
    edges = np.array(sorted(pairs), dtype=np.int64).reshape(-1, 2)
    return graph_from_edges(edges[:, 0], edges[:, 1])


def columns(pairs) -> tuple[np.ndarray, np.ndarray]:
    edges = np.array(list(pairs), dtype=np.int64).reshape(-1, 2)
    return edges[:, 0], edges[:, 1]


def assert_same_graph(got: FollowGraph, expected: FollowGraph) -> None:
    for name, array in expected.arrays().items():
        assert got.arrays()[name].dtype == array.dtype, name
        np.testing.assert_array_equal(got.arrays()[name], array, err_msg=name)


@pytest.fixture(autouse=True)
def _small_blocks(monkeypatch):
    monkeypatch.setattr(reach_graph, "SPLICE_BLOCK", 5)  # many blocks, even in small graphs


def test_people_joining_below_between_and_above_the_graphs_ids_and_leaving_it():
    before = {(20, 30), (30, 20), (30, 40), (40, 50)}
    removed = {(40, 50)}  # 50 leaves the graph; 40 stays (followed by 30)
    added = {(10, 30), (35, 20), (60, 10), (30, 35)}
    got = apply_changes(built(before), removed=columns(removed), added=columns(added))
    assert_same_graph(got, built((before - removed) | added))
    assert got.node_ids.tolist() == [10, 20, 30, 35, 40, 60]


def test_new_sign_ups_after_everyone_join_without_moving_anyone():
    before = {(20, 30), (30, 20), (30, 40)}
    added = {(50, 20), (40, 60), (60, 50)}
    got = apply_changes(built(before), removed=columns(set()), added=columns(added))
    assert_same_graph(got, built(before | added))


def test_from_an_empty_graph_and_back_to_one():
    some = {(1, 2), (2, 3), (3, 1)}
    grown = apply_changes(built(set()), removed=columns(set()), added=columns(some))
    assert_same_graph(grown, built(some))
    emptied = apply_changes(grown, removed=columns(some), added=columns(set()))
    assert_same_graph(emptied, built(set()))


def test_unfollowed_and_followed_again_in_the_same_changes():
    before = {(1, 2), (2, 1), (3, 1)}
    got = apply_changes(built(before), removed=columns({(1, 2)}), added=columns({(1, 2), (3, 2)}))
    assert_same_graph(got, built(before | {(3, 2)}))


@pytest.mark.parametrize(
    ("removed", "added"),
    [
        pytest.param([(1, 3)], [], id="removed-edge-missing"),
        pytest.param([(9, 1)], [], id="removed-person-missing"),
        pytest.param([(1, 2), (1, 2)], [], id="removed-twice"),
        pytest.param([], [(2, 1)], id="added-edge-there"),
        pytest.param([], [(4, 1), (4, 1)], id="added-twice"),
    ],
)
def test_changes_that_do_not_fit_the_graph_are_refused(removed, added):
    with pytest.raises(StaleSnapshot):
        apply_changes(built({(1, 2), (2, 1), (3, 1)}), removed=columns(removed), added=columns(added))


@pytest.mark.parametrize("seed", range(40))
def test_random_changes_give_the_graph_built_from_every_edge(seed):
    rng = np.random.default_rng(seed)
    universe = np.sort(rng.choice(np.arange(1, 10**6 if seed % 2 else 200), size=30, replace=False))
    present = {(int(a), int(b)) for a, b in rng.choice(universe[:20], size=(60, 2)) if a != b}
    graph = built(present)
    for _round in range(4):
        removed = {edge for edge in present if rng.random() < 0.2}
        wanted = {
            (int(a), int(b)) for a, b in rng.choice(universe, size=(int(rng.integers(0, 25)), 2)) if a != b
        }
        added = wanted - (present - removed)
        order = rng.permutation(len(added))  # the changes come in any order
        graph = apply_changes(
            graph, removed=columns(removed), added=columns([sorted(added)[i] for i in order])
        )
        present = (present - removed) | added
        assert_same_graph(graph, built(present))
