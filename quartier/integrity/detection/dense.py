"""Densely linked groups of accounts that no trust reaches (the sybil region of the trust graph).

Take the accounts whose trust score is below `low_score` and that have at least two edges, keep the
edges among them only, and report each connected group of at least `min_accounts` whose density
(edges over possible pairs) is at least `min_density`. Newcomers with no trust yet are usually not
linked to each other at all; a ring of fake accounts befriending each other is.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from scipy.sparse import csgraph

from quartier.integrity.detection.findings import Finding


def find(
    ids: np.ndarray,
    adjacency: sparse.csr_matrix,
    scores: np.ndarray,
    *,
    low_score: float = 0.2,
    min_accounts: int = 4,
    min_density: float = 0.3,
    max_accounts: int = 500,
) -> list[Finding]:
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    low = np.flatnonzero((scores < low_score) & (degree >= 2))
    if len(low) < min_accounts:
        return []
    sub = adjacency[low][:, low].tocsr()
    count, labels = csgraph.connected_components(sub, directed=False)
    findings = []
    for label in range(count):
        nodes = np.flatnonzero(labels == label)
        size = len(nodes)
        if size < min_accounts or size > max_accounts:
            continue
        edges = sub[nodes][:, nodes].nnz // 2
        density = edges / (size * (size - 1) / 2)
        if density < min_density:
            continue
        inner = np.asarray(sub[nodes][:, nodes].sum(axis=1)).ravel()
        members = {
            int(ids[low[node]]): {
                "links_inside": int(links),
                "links_total": int(degree[low[node]]),
                "trust": round(float(scores[low[node]]), 4),
            }
            for node, links in zip(nodes, inner, strict=True)
        }
        outside = int(degree[low[nodes]].sum() - 2 * edges)
        findings.append(
            Finding(
                kind="dense_low_trust",
                members=members,
                evidence={
                    "accounts": size,
                    "links_inside": int(edges),
                    "links_outside": outside,
                    "density": round(density, 3),
                    "trust_threshold": low_score,
                },
            )
        )
    return findings
