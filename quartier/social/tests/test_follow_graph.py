"""The follow graph leaves the database as numpy arrays (binary COPY on PostgreSQL), for reach's analytics."""

from __future__ import annotations

import numpy as np
import pytest

from quartier.reach import graph as reach_graph
from quartier.reach import registry
from quartier.social.models import Follow
from quartier.social.queries import graph

pytestmark = pytest.mark.django_db


@pytest.fixture
def people(make_supporter):
    return [make_supporter(f"Person {number}") for number in range(5)]


def follow(pairs, people) -> None:
    Follow.objects.bulk_create([Follow(follower=people[a], followed=people[b]) for a, b in pairs])


def test_every_follow_comes_out_once_whatever_the_chunk_size(people):
    pairs = [(0, 1), (2, 1), (3, 1), (1, 0), (4, 3), (3, 4), (0, 4)]
    follow(pairs, people)
    expected = sorted((people[a].pk, people[b].pk) for a, b in pairs)
    for size in (1, 2, 3, 100):
        chunks = list(graph.follow_edge_chunks(size))
        assert all(followers.size <= size and followers.dtype == np.int64 for followers, _followed in chunks)
        got = sorted(
            zip(
                np.concatenate([c[0] for c in chunks]).tolist(),
                np.concatenate([c[1] for c in chunks]).tolist(),
                strict=True,
            )
        )
        assert got == expected


def test_no_follow_gives_no_chunk(people):
    assert list(graph.follow_edge_chunks(10)) == []
    assert reach_graph.load_follow_graph(use_cache=False).edge_count == 0


def test_social_lends_reach_its_follow_graph_as_csr(people):
    follow([(0, 1), (2, 1), (3, 1), (1, 0)], people)
    loaded = reach_graph.load_follow_graph(use_cache=False)
    assert loaded.edge_count == 4 and loaded.node_count == 4
    hub = int(loaded.nodes_of([people[1].pk])[0])
    followers = loaded.followers[loaded.followers_indptr[hub] : loaded.followers_indptr[hub + 1]]
    assert sorted(loaded.node_ids[followers].tolist()) == sorted(
        p.pk for p in (people[0], people[2], people[3])
    )
    assert loaded.nodes_of([people[4].pk]).tolist() == [-1]  # follows nobody, followed by nobody
    assert loaded.followers.dtype == np.int32


def test_the_cached_graph_is_reused_until_a_follow_changes(people, settings, tmp_path):
    settings.PRIVATE_STORAGE_ROOT = tmp_path
    follow([(0, 1)], people)
    first = reach_graph.load_follow_graph(use_cache=True)
    cached = list((tmp_path / "reach").glob("follow-graph-*.npz"))
    assert len(cached) == 1 and first.edge_count == 1
    assert registry.follow_edges_version() == graph.follow_edges_version()
    assert reach_graph.load_follow_graph(use_cache=True).edge_count == 1  # from the file
    follow([(2, 1)], people)
    assert reach_graph.load_follow_graph(use_cache=True).edge_count == 2
    assert len(list((tmp_path / "reach").glob("follow-graph-*.npz"))) == 1  # the stale file is gone
    Follow.objects.filter(follower=people[0]).delete()
    assert reach_graph.load_follow_graph(use_cache=True).edge_count == 1
