"""What every detector returns: a proposal, with everything a moderator needs to judge it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Finding:
    """Accounts a detector believes act together. `members` maps each supporter id to what it did
    (item ids, times); `evidence` holds the facts of the whole group (counts, windows, thresholds),
    from which `integrity.explanations` writes the sentence staff read. Nothing here is a sanction."""

    kind: str
    members: dict[int, dict[str, Any]]
    evidence: dict[str, Any] = field(default_factory=dict)

    @property
    def size(self) -> int:
        return len(self.members)


def components(pairs: list[tuple[int, int]]) -> list[set[int]]:
    """Connected components of an undirected graph given by its edges (union-find)."""
    parent: dict[int, int] = {}

    def find(node: int) -> int:
        parent.setdefault(node, node)
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for a, b in pairs:
        root_a, root_b = find(a), find(b)
        if root_a != root_b:
            parent[max(root_a, root_b)] = min(root_a, root_b)
    groups: dict[int, set[int]] = {}
    for node in parent:
        groups.setdefault(find(node), set()).add(node)
    return list(groups.values())
