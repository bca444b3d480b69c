"""Near duplicates found as texts arrive (micro-batches, top-k links a text) group the same copies as
comparing every pair of texts would."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from quartier.integrity.detection import minhash, near_duplicates
from quartier.integrity.detection.findings import components
from quartier.integrity.tests.test_band_index import WORDS, _texts_with_copies


def _every_pair(signatures: np.ndarray, authors: np.ndarray, min_accounts: int) -> list[set[int]]:
    """The groups of accounts found by comparing every pair of texts (what the index must not miss)."""
    keys = minhash.band_keys(signatures)
    linked = [
        (a, b)
        for a, b in itertools.combinations(range(len(signatures)), 2)
        if authors[a] != authors[b]
        and np.intersect1d(keys[a], keys[b]).size >= near_duplicates.MIN_BANDS
        and (signatures[a] == signatures[b]).mean() >= near_duplicates.MIN_SIMILARITY
    ]
    groups = [{int(authors[text]) for text in group} for group in components(linked)]
    return sorted((group for group in groups if len(group) >= min_accounts), key=sorted)


def _found(signatures: np.ndarray, authors: np.ndarray, **options) -> list[set[int]]:
    labels = [f"post:{n}" for n in range(len(signatures))]
    findings = near_duplicates.find(labels, authors, signatures, min_accounts=2, **options)
    return sorted((set(finding.members) for finding in findings), key=sorted)


@pytest.mark.parametrize("batch", [1, 7, 512])
def test_checking_texts_as_they_arrive_groups_what_comparing_every_pair_groups(batch):
    texts = _texts_with_copies(400, seed=11)
    signatures, long_enough = minhash.signatures(texts)
    signatures = signatures[long_enough]
    authors = np.random.default_rng(12).integers(1, 300, size=len(signatures))

    expected = _every_pair(signatures, authors, min_accounts=2)

    assert len(expected) > 10
    assert _found(signatures, authors, batch=batch, top_k=10**6, max_bucket=10**6) == expected
    assert _found(signatures, authors, batch=batch) == expected  # the job's limits change nothing here


def test_each_text_keeps_its_top_k_most_similar_earlier_copies():
    base = " ".join(WORDS * 2)
    texts = [base + " " + " ".join(["extra"] * n) for n in range(30)]  # less like the first as n grows
    signatures, _ok = minhash.signatures(texts)
    index = near_duplicates.TextIndex(top_k=3)

    links = near_duplicates.Links.concatenate(
        [index.check(np.array([n]), np.array([100 + n]), signatures[n : n + 1]) for n in range(len(texts))]
    )

    per_text = np.bincount(links.later, minlength=len(texts))
    assert per_text.max() == 3 and per_text[1:4].tolist() == [1, 2, 3]
    for later in range(4, len(texts)):
        mine = links.later == later
        agree = [(signatures[later] == signatures[earlier]).mean() for earlier in range(later)]
        assert sorted(links.similarity[mine].tolist(), reverse=True) == sorted(agree, reverse=True)[:3]
    findings = near_duplicates.find(
        [str(n) for n in range(len(texts))], np.arange(100, 130), signatures, top_k=3
    )
    assert [len(finding.members) for finding in findings] == [30]  # still one group of every account
    assert findings[0].evidence["linked_pairs"] == len(links)


def test_texts_already_checked_are_held_without_links():
    signatures, _ok = minhash.signatures([" ".join(WORDS * 2)] * 3)
    index = near_duplicates.TextIndex()
    index.add(np.array([1, 2]), np.array([10, 20]), signatures[:2])

    links = index.check(np.array([3]), np.array([30]), signatures[2:])

    assert len(index) == 3
    assert sorted(links.earlier.tolist()) == [1, 2] and links.later.tolist() == [3, 3]
    assert links.similarity.tolist() == [1.0, 1.0]
