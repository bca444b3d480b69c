"""The follow graph leaves the database as numpy arrays (binary COPY on PostgreSQL), for reach's analytics;
every deleted follow leaves a tombstone, and reach's snapshot of the graph catches up from them and from
the new follows instead of reading every follow again."""

from __future__ import annotations

import dataclasses
import time
from datetime import timedelta

import numpy as np
import pytest
from django.conf import settings as project_settings
from django.utils import timezone

from quartier.accounts import actions as accounts_actions
from quartier.accounts.models import Supporter
from quartier.reach import graph as reach_graph
from quartier.reach import registry
from quartier.reach import snapshot as reach_snapshot
from quartier.social import tasks
from quartier.social.actions import connections
from quartier.social.models import Follow, FollowRemoval
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


def test_the_follows_and_tombstones_above_an_id_come_out_with_their_ids(people):
    follow([(0, 1), (2, 1), (3, 1), (1, 0)], people)
    rows = list(Follow.objects.order_by("pk").values_list("pk", "follower_id", "followed_id"))
    after = rows[1][0]
    chunks = list(graph.follow_row_chunks(1, after_id=after))
    assert sorted(tuple(int(column[0]) for column in chunk) for chunk in chunks) == rows[2:]
    followers, followed = next(graph.follow_edge_chunks(10, after_id=after))
    assert sorted(zip(followers.tolist(), followed.tolist(), strict=True)) == sorted(
        row[1:] for row in rows[2:]
    )
    Follow.objects.filter(pk__in=[rows[0][0], rows[3][0]]).delete()
    removals = [column.tolist() for column in next(graph.follow_removal_chunks(10, after_id=0))]
    assert sorted(zip(*removals[1:], strict=True)) == sorted([rows[0], rows[3]])
    assert list(graph.follow_removal_chunks(10, after_id=max(removals[0]))) == []


def test_no_follow_gives_no_chunk(people):
    assert list(graph.follow_edge_chunks(10)) == []
    assert reach_snapshot.load_follow_graph(use_cache=False).edge_count == 0


def test_social_lends_reach_its_follow_graph_as_csr(people):
    follow([(0, 1), (2, 1), (3, 1), (1, 0)], people)
    loaded = reach_snapshot.load_follow_graph(use_cache=False)
    assert loaded.edge_count == 4 and loaded.node_count == 4
    hub = int(loaded.nodes_of([people[1].pk])[0])
    followers = loaded.followers[loaded.followers_indptr[hub] : loaded.followers_indptr[hub + 1]]
    assert sorted(loaded.node_ids[followers].tolist()) == sorted(
        p.pk for p in (people[0], people[2], people[3])
    )
    assert loaded.nodes_of([people[4].pk]).tolist() == [-1]  # follows nobody, followed by nobody
    assert loaded.followers.dtype == np.int32


# --- tombstones --------------------------------------------------------------------------------------


def removals() -> list[tuple[int, int, int]]:
    return list(FollowRemoval.objects.order_by("pk").values_list("follow_id", "follower_id", "followed_id"))


def follow_row(a, b) -> tuple[int, int, int]:
    row = Follow.objects.get(follower=a, followed=b)
    return row.pk, a.pk, b.pk


def test_unfollowing_and_blocking_leave_tombstones(people):
    follow([(0, 1), (1, 0), (2, 0)], people)
    unfollowed = follow_row(people[2], people[0])
    both_ways = [follow_row(people[0], people[1]), follow_row(people[1], people[0])]
    assert connections.unfollow(follower=people[2], followed=people[0])
    assert removals() == [unfollowed]
    connections.block(blocker=people[0], blocked=people[1])
    assert sorted(removals()[1:]) == sorted(both_ways)
    assert not Follow.objects.exists()
    assert FollowRemoval.objects.filter(removed_at__gte=timezone.now() - timedelta(minutes=5)).count() == 3


def test_an_erased_account_and_a_deleted_supporter_leave_tombstones_for_every_follow(people):
    follow([(0, 1), (1, 0), (2, 0), (2, 1), (3, 2), (4, 3)], people)
    erased = [
        follow_row(people[0], people[1]),
        follow_row(people[1], people[0]),
        follow_row(people[2], people[0]),
    ]
    accounts_actions.delete_account(supporter=people[0])
    assert sorted(removals()) == sorted(erased)
    # Django's cascade deletes the follows of a deleted supporter with one DELETE: the trigger sees it.
    cascaded = [follow_row(people[2], people[1]), follow_row(people[3], people[2])]
    Supporter.objects.filter(pk=people[2].pk).delete()
    assert sorted(removals()[3:]) == sorted(cascaded)
    assert list(Follow.objects.values_list("follower_id", "followed_id")) == [(people[4].pk, people[3].pk)]


def test_tombstones_are_purged_after_the_retention(people, settings):
    settings.SOCIAL_FOLLOW_REMOVALS_DAYS = 30
    follow([(0, 1), (1, 0)], people)
    Follow.objects.filter(follower=people[0]).delete()
    FollowRemoval.objects.update(removed_at=timezone.now() - timedelta(days=31))
    Follow.objects.filter(follower=people[1]).delete()
    assert tasks.purge_follow_removals.delay().get() == 1  # eager in the tests
    assert removals() == [(FollowRemoval.objects.get().follow_id, people[1].pk, people[0].pk)]
    entry = project_settings.CELERY_BEAT_SCHEDULE["social-follow-removals-purge"]
    assert entry["task"] == tasks.purge_follow_removals.name and entry["schedule"] <= 86400


# --- the snapshot catches up ----------------------------------------------------------------------


class Reads:
    """What `load_follow_graph` asked the registry for: (reader, after_id, rows handed out) per call."""

    def __init__(self, monkeypatch) -> None:
        self.calls: list[list] = []
        for name in ("follow_edge_chunks", "follow_row_chunks", "follow_removal_chunks"):
            monkeypatch.setattr(registry, name, self._spy(name, getattr(registry, name)))

    def _spy(self, name, real):
        def spy(size, *, after_id=0):
            call = [name, after_id, 0]
            self.calls.append(call)
            for chunk in real(size, after_id=after_id):
                call[2] += int(chunk[0].size)
                yield chunk

        return spy

    def rows(self, name: str) -> int:
        return sum(rows for called, _after, rows in self.calls if called == name)

    @property
    def read_whole(self) -> bool:
        return any(name == "follow_edge_chunks" for name, _after, _rows in self.calls)

    def clear(self) -> None:
        self.calls.clear()


@pytest.fixture
def reads(monkeypatch):
    return Reads(monkeypatch)


def assert_same_graph(got: reach_graph.FollowGraph, expected: reach_graph.FollowGraph) -> None:
    """The same arrays, dtypes and order included (each row's neighbours sorted in both)."""
    for name, array in expected.arrays().items():
        assert got.arrays()[name].dtype == array.dtype, name
        np.testing.assert_array_equal(got.arrays()[name], array, err_msg=name)


def load_and_compare() -> reach_graph.FollowGraph:
    """The graph from the snapshot, checked against the graph built from every follow now."""
    loaded = reach_snapshot.load_follow_graph(use_cache=True)
    edges = np.array(list(Follow.objects.values_list("follower_id", "followed_id")), dtype=np.int64)
    assert_same_graph(loaded, reach_graph.graph_from_edges(*edges.reshape(-1, 2).T))
    return loaded


def rewrite_snapshot(**changes) -> None:
    path = reach_snapshot.snapshot_path()
    reach_snapshot.store_snapshot(dataclasses.replace(reach_snapshot.read_snapshot(path), **changes), path)


@pytest.fixture
def crowd(make_supporter):
    """Ten supporters; the follows below start among the middle ones, so that people who join later
    have ids both below and above every id in the graph."""
    return [make_supporter(f"Member {number}") for number in range(10)]


def test_the_snapshot_catches_up_with_every_kind_of_change(crowd, reads):
    follow([(3, 4), (4, 3), (4, 5), (5, 6), (6, 3), (5, 3)], crowd)
    load_and_compare()
    assert reads.read_whole and reach_snapshot.snapshot_path().exists()
    reads.clear()

    follow([(0, 4), (9, 3), (4, 8), (1, 9)], crowd)  # newcomers with ids below and above the graph's
    connections.unfollow(follower=crowd[5], followed=crowd[6])  # 6 keeps an edge; 5 too
    connections.block(blocker=crowd[3], blocked=crowd[4])  # both directions go
    loaded = load_and_compare()
    assert not reads.read_whole
    assert set(loaded.node_ids.tolist()) == {crowd[n].pk for n in (0, 1, 3, 4, 5, 6, 8, 9)}

    reads.clear()
    accounts_actions.delete_account(supporter=crowd[6])  # erased: leaves the graph
    Supporter.objects.filter(pk=crowd[8].pk).delete()  # deleted: the cascade's follows go
    follow([(5, 9)], crowd)
    load_and_compare()
    assert not reads.read_whole

    reads.clear()
    connections.unfollow(follower=crowd[5], followed=crowd[9])
    follow([(5, 9)], crowd)  # followed again after an unfollow: a new follow id
    loaded = load_and_compare()
    assert not reads.read_whole
    assert crowd[6].pk not in loaded.node_ids.tolist() and crowd[8].pk not in loaded.node_ids.tolist()


def test_a_follow_added_and_removed_between_two_loads_changes_nothing(crowd, reads):
    follow([(3, 4), (4, 5)], crowd)
    first = load_and_compare()
    follow([(0, 9)], crowd)
    Follow.objects.filter(follower=crowd[0]).delete()
    reads.clear()
    assert_same_graph(load_and_compare(), first)
    assert not reads.read_whole and reads.rows("follow_removal_chunks") == 1


def test_a_load_reads_only_the_changes(crowd, reads, monkeypatch):
    monkeypatch.setattr(reach_snapshot, "LATE_IDS", 0)  # no late commit to look for in a test
    follow([(a, b) for a in range(6) for b in range(6) if a != b], crowd)  # 30 follows
    load_and_compare()
    reads.clear()
    follow([(6, 0), (0, 7)], crowd)
    connections.unfollow(follower=crowd[1], followed=crowd[2])
    reach_snapshot.load_follow_graph(use_cache=True)
    assert not reads.read_whole
    assert reads.rows("follow_row_chunks") == 2 and reads.rows("follow_removal_chunks") == 1

    reads.clear()
    path = reach_snapshot.snapshot_path()
    written = path.stat().st_mtime_ns
    assert_same_graph(
        reach_snapshot.load_follow_graph(use_cache=True), reach_snapshot.load_follow_graph(use_cache=False)
    )
    assert reads.rows("follow_row_chunks") == reads.rows("follow_removal_chunks") == 0
    assert path.stat().st_mtime_ns == written  # nothing changed: nothing written


def test_follows_and_tombstones_committed_late_are_applied(crowd, reads):
    """A transaction that commits after a later one leaves an id below the last one the snapshot saw."""
    follow([(3, 4), (4, 5), (5, 3)], crowd)
    last = Follow.objects.order_by("-pk").first().pk
    Follow.objects.create(pk=last + 10, follower=crowd[6], followed=crowd[3])
    # The last tombstone seen: of a follow that came and went before the graph was read.
    seen = FollowRemoval.objects.create(pk=10**9, follow_id=10**12, follower_id=1, followed_id=2)
    load_and_compare()

    Follow.objects.create(pk=last + 5, follower=crowd[7], followed=crowd[3])  # committed late
    Follow.objects.filter(follower=crowd[4], followed=crowd[5]).delete()
    FollowRemoval.objects.exclude(pk=seen.pk).update(id=seen.pk - 5)  # its tombstone too
    reads.clear()
    loaded = load_and_compare()
    assert not reads.read_whole and crowd[7].pk in loaded.node_ids.tolist()
    reads.clear()
    load_and_compare()  # applied once: the snapshot remembers the late ids it holds
    assert not reads.read_whole


def test_a_snapshot_older_than_the_tombstones_kept_is_read_whole(crowd, reads, settings):
    follow([(3, 4), (4, 5), (5, 3)], crowd)
    load_and_compare()
    rewrite_snapshot(updated_at=time.time() - (settings.SOCIAL_FOLLOW_REMOVALS_DAYS + 1) * 86400)
    Follow.objects.filter(follower=crowd[3]).delete()
    FollowRemoval.objects.update(
        removed_at=timezone.now() - timedelta(days=settings.SOCIAL_FOLLOW_REMOVALS_DAYS + 1)
    )
    connections.purge_follow_removals()
    reads.clear()
    load_and_compare()
    assert reads.read_whole
    reads.clear()
    load_and_compare()  # the new snapshot is young again
    assert not reads.read_whole


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param(
            lambda path: rewrite_snapshot(database="sqlite::elsewhere.sqlite3"), id="another-database"
        ),
        pytest.param(lambda path: path.write_bytes(b"not a snapshot"), id="unreadable"),
        pytest.param(lambda path: path.write_bytes(path.read_bytes()[:100]), id="cut-short"),
        # A tombstone of a follow the snapshot holds by its id, but of an edge it does not have.
        pytest.param(
            lambda path: FollowRemoval.objects.create(
                follow_id=Follow.objects.first().pk, follower_id=10**9, followed_id=1
            ),
            id="changes-that-do-not-fit",
        ),
    ],
)
def test_a_snapshot_that_cannot_be_caught_up_is_read_whole(crowd, reads, spoil):
    follow([(3, 4), (4, 5), (5, 3)], crowd)
    load_and_compare()
    spoil(reach_snapshot.snapshot_path())
    follow([(6, 3)], crowd)
    reads.clear()
    load_and_compare()
    assert reads.read_whole


def test_many_changes_are_read_whole(crowd, reads, monkeypatch):
    monkeypatch.setattr(reach_snapshot, "DELTA_MIN_IDS", 2)
    follow([(a, b) for a in range(4) for b in range(4) if a != b], crowd)  # 12 follows
    load_and_compare()
    follow([(5, 6), (6, 5)], crowd)
    reads.clear()
    load_and_compare()
    assert not reads.read_whole  # 2 new ids: caught up
    follow([(5, 7), (7, 5), (6, 7)], crowd)
    reads.clear()
    load_and_compare()
    assert reads.read_whole  # 3: read whole


@pytest.mark.parametrize("seed", [1, 2])
def test_random_changes_between_loads_match_a_whole_read(crowd, seed):
    rng = np.random.default_rng(seed)
    ids = {person.pk: person for person in crowd}
    load_and_compare()  # an empty graph to start from
    for _round in range(6):
        present = set(Follow.objects.values_list("follower_id", "followed_id"))
        candidates = [(a, b) for a in ids for b in ids if a != b and (a, b) not in present]
        picked = rng.choice(
            len(candidates), size=min(len(candidates), int(rng.integers(0, 12))), replace=False
        )
        Follow.objects.bulk_create(
            [Follow(follower_id=candidates[i][0], followed_id=candidates[i][1]) for i in picked]
        )
        present = sorted(Follow.objects.values_list("follower_id", "followed_id"))
        for i in rng.choice(len(present), size=min(len(present), int(rng.integers(0, 6))), replace=False):
            connections.unfollow(follower=ids[present[i][0]], followed=ids[present[i][1]])
        if rng.random() < 0.3:
            a, b = rng.choice(list(ids), size=2, replace=False)
            connections.block(blocker=ids[int(a)], blocked=ids[int(b)])
        load_and_compare()


@pytest.mark.django_db(transaction=True)
def test_a_load_outside_any_transaction_reads_in_one_transaction_of_its_own(crowd, reads):
    """In a worker no transaction is open: the load opens one (REPEATABLE READ, READ ONLY on PostgreSQL)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    follow([(3, 4), (4, 5)], crowd)
    load_and_compare()
    follow([(5, 3)], crowd)
    connections.unfollow(follower=crowd[3], followed=crowd[4])
    reads.clear()
    with CaptureQueriesContext(connection) as queries:
        load_and_compare()
    assert not reads.read_whole and not connection.in_atomic_block
    if connection.vendor == "postgresql":
        assert "REPEATABLE READ" in next(q["sql"] for q in queries if q["sql"] != "BEGIN")
