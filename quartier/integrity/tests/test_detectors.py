"""The detectors on crafted data: copies and rings found, organic activity left alone, every finding explained."""

from __future__ import annotations

import numpy as np
import pytest

from quartier.integrity.detection import (
    band_index,
    dense,
    fingerprints,
    minhash,
    near_duplicates,
    synchronised,
)
from quartier.integrity.explanations import explain
from quartier.integrity.reputation import build_graph, propagate

SOURCE = (
    "The new bike lanes on Saint-Denis are a disaster for local shops, the city wasted our money on a "
    "project nobody asked for and the traffic is worse than ever before."
)
PARAPHRASES = [
    SOURCE,
    "The new bike lanes on Saint-Denis are a real disaster for local shops: the city wasted our money on a "
    "project nobody asked for, and traffic is worse than ever before.",
    "New bike lanes on Saint-Denis are a disaster for the local shops, the city wasted our money on a "
    "project that nobody asked for and the traffic is worse than ever!",
    "The new bike lanes on Saint Denis are a disaster for local shops. The city wasted our money on a project "
    "nobody asked for and the traffic is now worse than ever before.",
]
ORGANIC = [
    "Great canvass this morning in Rosemont, thanks to everyone who came out despite the rain and the cold.",
    "Does anyone know if the town hall on Thursday will have childcare? I would love to bring my two kids along.",
    "I think the bike lanes on Saint-Denis are mostly fine but the delivery zones need to be rethought with merchants.",
    "Phone bank tonight at 7pm from the Plateau office, pizza provided, bring your own headset if you have one.",
    "Voting day is coming: check your registration online and tell three friends to do the same this week please.",
]


def _index(texts: list[str], authors: list[int]) -> tuple[list[str], np.ndarray, np.ndarray]:
    signatures, long_enough = minhash.signatures(texts)
    assert long_enough.all()
    return [f"post:{i}" for i in range(len(texts))], np.array(authors), signatures


def test_paraphrased_copies_by_several_accounts_are_found_and_organic_posts_are_not():
    texts = PARAPHRASES + ORGANIC
    labels, authors, signatures = _index(texts, [101, 102, 103, 104, 201, 202, 203, 204, 205])

    findings = near_duplicates.find(labels, authors, signatures, min_accounts=3)

    assert len(findings) == 1
    assert set(findings[0].members) == {101, 102, 103, 104}
    assert not set(findings[0].members) & {201, 202, 203, 204, 205}


def test_one_author_repeating_themselves_is_not_coordination():
    labels, authors, signatures = _index(PARAPHRASES, [7, 7, 7, 7])

    assert near_duplicates.find(labels, authors, signatures, min_accounts=2) == []


def test_streaming_index_finds_the_copies_of_a_new_post_and_rebuild_agrees():
    index = band_index.BandIndex()
    signatures, _ok = minhash.signatures(PARAPHRASES[:3] + ORGANIC)
    keys = minhash.band_keys(signatures)
    for row, row_keys in enumerate(keys):
        index.add(row, 100 + row, row_keys)
    new_keys = minhash.band_keys(minhash.signature(minhash.shingle_hashes(PARAPHRASES[3])))

    streamed = set(index.candidates(new_keys))
    rebuilt = band_index.BandIndex()
    rebuilt.rebuild(np.arange(len(keys)), np.arange(len(keys)) + 100, keys)

    assert streamed >= {0, 1, 2}
    assert not streamed & {3, 4, 5, 6, 7}
    assert set(rebuilt.candidates(new_keys)) == streamed
    assert rebuilt.nbytes / len(rebuilt) <= 200  # bytes per text: band keys, rows, item id, author


def test_short_texts_are_not_indexed():
    _signatures, long_enough = minhash.signatures(["Thank you!", "Merci !", SOURCE])
    assert long_enough.tolist() == [False, False, True]


def test_accounts_acting_in_step_are_found_and_people_who_meet_once_are_not():
    rng = np.random.default_rng(3)
    actors, items, times = [], [], []
    ring = [11, 12, 13, 14, 15]
    for item in range(6):  # the ring likes six posts, each within ten seconds of each other
        start = 1000.0 + item * 3600
        for account in ring:
            actors.append(account)
            items.append(item)
            times.append(start + rng.uniform(0, 10))
    for account in range(100, 400):  # organic: a few items each, at random times over the day
        for item in rng.choice(50, size=4, replace=False):
            actors.append(account)
            items.append(int(item) + 100)
            times.append(rng.uniform(0, 86400))

    findings = synchronised.find(np.array(actors), np.array(items), np.array(times), window=30, min_items=3)

    assert [set(finding.members) for finding in findings] == [set(ring)]
    assert findings[0].evidence["items"] == 6


def test_synchronised_detector_ignores_very_popular_items():
    actors = np.arange(500)
    times = np.linspace(0, 100, 500)
    findings = synchronised.find(
        np.tile(actors, 3), np.repeat([1, 2, 3], 500), np.tile(times, 3), max_item_actions=400
    )
    assert findings == []


def test_signups_sharing_network_browser_and_email_shape_within_an_hour_are_found():
    same = ("net-a", "agent-a", "pattern-a")
    signups = [(1, *same, 0.0), (2, *same, 600.0), (3, *same, 1200.0)]
    household = [(4, "net-b", "agent-a", "pattern-b", 0.0), (5, "net-b", "agent-a", "pattern-c", 30.0)]
    spread = [(6, *("net-c", "agent-c", "pattern-c"), day * 86400.0) for day in range(3)]
    spread = [(6 + day, *row[1:]) for day, row in enumerate(spread)]

    findings = fingerprints.find(signups + household + spread, gap=3600)

    assert [set(finding.members) for finding in findings] == [{1, 2, 3}]


def _honest_graph_with_a_ring(ring_size: int, ring_density: float, seed: int = 5):
    rng = np.random.default_rng(seed)
    honest = np.arange(1, 301)
    edges = [(a, b) for a in honest for b in rng.choice(honest, size=4) if a != b]
    ring = np.arange(1001, 1001 + ring_size)
    edges += [(a, b) for i, a in enumerate(ring) for b in ring[i + 1 :] if rng.random() < ring_density]
    edges.append((int(ring[0]), 5))  # one attack edge: someone real followed back one fake account
    ids = np.concatenate([honest, ring])
    return build_graph(ids, np.array(edges), seed_ids=np.array([1, 2, 3])), ring


def test_a_ring_of_fake_accounts_befriending_each_other_gains_no_trust():
    sparse_graph, ring = _honest_graph_with_a_ring(30, 0.2)
    dense_graph, _ring = _honest_graph_with_a_ring(30, 1.0)

    def trust_held_by_ring(graph) -> tuple[float, float]:
        """(share of all trust the ring holds, share it would hold if trust were spread evenly)."""
        degree, in_ring = graph.degree, np.isin(graph.ids, ring)
        trust = propagate(graph) * degree  # undo the degree normalisation (same constant factor)
        return trust[in_ring].sum() / trust.sum(), degree[in_ring].sum() / degree.sum()

    held_dense, even_dense = trust_held_by_ring(dense_graph)
    scores = propagate(dense_graph)
    in_ring = np.isin(dense_graph.ids, ring)
    behind_the_attack_edge = in_ring & (dense_graph.ids != ring[0])

    assert np.median(scores[~in_ring]) > 0.5  # honest people are reached by the seeds' trust
    assert scores[behind_the_attack_edge].max() < 0.05  # the ring's members: next to nothing
    assert held_dense < even_dense / 20  # a clique of 30 holds a twentieth of its even share at most
    sparse_scores = propagate(sparse_graph)[np.isin(sparse_graph.ids, ring) & (sparse_graph.ids != ring[0])]
    assert (
        scores[behind_the_attack_edge].max() <= sparse_scores.max()
    )  # more edges in the ring: no more trust


def test_the_ring_is_a_dense_low_trust_cluster_and_honest_people_are_not():
    graph, ring = _honest_graph_with_a_ring(30, 0.6)

    findings = dense.find(graph.ids, graph.adjacency, propagate(graph), min_accounts=4)

    assert len(findings) == 1
    assert set(ring[1:].tolist()) <= set(findings[0].members) <= set(ring.tolist())


def test_every_finding_explains_itself():
    labels, authors, signatures = _index(PARAPHRASES, [1, 2, 3, 4])
    graph, _ring = _honest_graph_with_a_ring(30, 1.0)
    found = (
        near_duplicates.find(labels, authors, signatures)
        + synchronised.find(np.repeat([1, 2, 3], 3), np.tile([1, 2, 3], 3), np.zeros(9))
        + fingerprints.find([(pk, "n", "a", "p", 0.0) for pk in (1, 2, 3)])
        + dense.find(graph.ids, graph.adjacency, propagate(graph))
    )

    assert {finding.kind for finding in found} == {
        "near_duplicate",
        "synchronised",
        "shared_fingerprint",
        "dense_low_trust",
    }
    for finding in found:
        sentence = explain(finding.kind, finding.evidence)
        assert str(finding.size) in sentence and len(sentence) > 60


def test_a_carriers_shared_network_says_nothing_about_who_is_who():
    carrier = [(pk, "carrier", "chrome/android", "a.a@gmail.com", pk * 60.0) for pk in range(1, 80)]

    assert fingerprints.find(carrier, busy_network=50) == []
    assert len(fingerprints.find(carrier[:10], busy_network=50)) == 1


@pytest.mark.parametrize("spread", [1, 10**12])  # dense ids (a lookup table), then sparse (a search)
def test_the_trust_graph_holds_each_known_pair_once_both_ways(spread):
    rng = np.random.default_rng(7)
    ids = np.array([3, 8, 15, 16, 23, 42, 99]) * spread
    edges = rng.choice(
        np.concatenate([ids, [5, 1000 * spread, -1]]), size=(200, 2)
    )  # repeats, loops, unknown
    graph = build_graph(ids, edges, seed_ids=np.array([3]))
    known = set(ids.tolist())
    expected = {(a, b) for a, b in edges.tolist() if a in known and b in known and a != b} | {
        (b, a) for a, b in edges.tolist() if a in known and b in known and a != b
    }
    rows, cols = graph.adjacency.nonzero()
    assert {(int(graph.ids[r]), int(graph.ids[c])) for r, c in zip(rows, cols, strict=True)} == expected
    assert set(graph.adjacency.data.tolist()) == {1.0} and graph.adjacency.nnz == len(expected)
    assert graph.degree.tolist() == [sum(1 for a, _b in expected if a == pk) for pk in ids.tolist()]
    outside = build_graph(ids, np.array([[3 * spread, 1000 * spread], [-1, 99 * spread]]), seed_ids=ids[:1])
    assert outside.adjacency.nnz == 0  # nobody outside the campaign, not even past the largest id
