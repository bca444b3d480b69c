"""Posts and comments copied across accounts, lightly reworded: MinHash LSH over the band index.

Two texts of different authors are candidates when they share at least `min_bands` band keys; a
candidate pair is confirmed when their full signatures agree on at least `min_similarity` of their
values (the estimated Jaccard similarity of their shingles: lightly reworded copies are around 0.5 to
0.8, unrelated posts on the same subjects below 0.3). A connected group of confirmed pairs written by
at least `min_accounts` accounts is a finding. A band key
shared by more than `max_bucket` texts (a slogan everyone quotes) is skipped, so no bucket costs
more than max_bucket^2 pairs.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from quartier.integrity.detection.findings import Finding, components
from quartier.integrity.detection.minhash import BANDS, ROWS

MIN_SIMILARITY = 0.4


def candidate_pairs(
    keys: np.ndarray, authors: np.ndarray, *, max_bucket: int = 200
) -> Counter[tuple[int, int]]:
    """How many bands each pair of rows (different authors) shares; keys: shape (n, BANDS)."""
    count = len(keys)
    flat = np.asarray(keys, dtype=np.uint32).reshape(count * BANDS)
    rows = np.repeat(np.arange(count, dtype=np.int64), BANDS)
    order = np.argsort(flat, kind="stable")
    flat, rows = flat[order], rows[order]
    shared: Counter[tuple[int, int]] = Counter()
    if not count:
        return shared
    boundaries = np.flatnonzero(np.diff(flat)) + 1
    starts = np.concatenate([[0], boundaries])
    ends = np.concatenate([boundaries, [len(flat)]])
    sizes = ends - starts
    useful = (sizes > 1) & (sizes <= max_bucket)
    for start, end in zip(starts[useful].tolist(), ends[useful].tolist(), strict=True):
        bucket = rows[start:end].tolist()
        for i, a in enumerate(bucket):
            for b in bucket[i + 1 :]:
                if authors[a] != authors[b]:
                    shared[(a, b) if a < b else (b, a)] += 1
    return shared


def find(
    labels: list[str],
    authors: np.ndarray,
    keys: np.ndarray,
    *,
    signatures: np.ndarray | None = None,
    min_bands: int = 1,
    min_similarity: float = MIN_SIMILARITY,
    min_accounts: int = 3,
    max_bucket: int = 200,
) -> list[Finding]:
    """Groups of near-identical texts by at least `min_accounts` accounts. `labels[i]` names text i
    ("post:12"), `authors[i]` its author, `keys[i]` its BANDS band keys, `signatures[i]` its full
    signature (without signatures, candidates are confirmed by the bands they share alone)."""
    authors = np.asarray(authors, dtype=np.int64)
    shared = candidate_pairs(keys, authors, max_bucket=max_bucket)
    linked = [pair for pair, bands in shared.items() if bands >= min_bands]
    similar: dict[tuple[int, int], float] = {}
    if signatures is not None and linked:
        pairs = np.asarray(linked, dtype=np.int64)
        agree = (signatures[pairs[:, 0]] == signatures[pairs[:, 1]]).mean(axis=1)
        similar = {pair: float(value) for pair, value in zip(linked, agree.tolist(), strict=True)}
        linked = [pair for pair in linked if similar[pair] >= min_similarity]
    groups = components(linked)
    group_of = {row: number for number, group in enumerate(groups) for row in group}
    bands_in: dict[int, list[int]] = {}
    linked_in: dict[int, list[tuple[int, int]]] = {}
    for pair in linked:
        bands_in.setdefault(group_of[pair[0]], []).append(shared[pair])
        linked_in.setdefault(group_of[pair[0]], []).append(pair)
    findings = []
    for number, group in enumerate(groups):
        accounts = {int(authors[row]) for row in group}
        if len(accounts) < min_accounts:
            continue
        members: dict[int, dict] = {account: {"items": []} for account in accounts}
        for row in sorted(group):
            members[int(authors[row])]["items"].append(labels[row])
        bands = bands_in[number]
        findings.append(
            Finding(
                kind="near_duplicate",
                members=members,
                evidence={
                    "texts": len(group),
                    "accounts": len(accounts),
                    "linked_pairs": len(bands),
                    "median_shared_bands": int(np.median(bands)),
                    "median_similarity": round(
                        float(np.median([similar.get(pair, 0.0) for pair in linked_in[number]])), 2
                    )
                    if similar
                    else None,
                    "bands": BANDS,
                    "rows_per_band": ROWS,
                    "sample": sorted(labels[row] for row in group)[:10],
                },
            )
        )
    return findings
