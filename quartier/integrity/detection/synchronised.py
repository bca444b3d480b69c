"""Many accounts doing the same thing to the same items within seconds, again and again.

Actions are (actor, item, time) triples: "liked post 12", "commented on post 40", "joined group 3".
Sorted by item then time, each action is compared with at most `neighbours` actions that follow it
on the same item within `window` seconds (top-k neighbours: cost O(actions x k), never the
account x account projection). Items acted on more than `max_item_actions` times in the period are
left out (everyone likes the candidate's big announcement: no signal). Two accounts are linked when
they acted together on at least `min_items` distinct items; a connected group of at least
`min_accounts` linked accounts is a finding.
"""

from __future__ import annotations

import numpy as np

from quartier.integrity.detection.findings import Finding, components


def co_actions(
    actors: np.ndarray,
    items: np.ndarray,
    times: np.ndarray,
    *,
    window: float,
    neighbours: int,
    max_item_actions: int,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(account a, account b, item) for each pair a < b that acted on the item within the window
    (each triple once)."""
    actors = np.asarray(actors, dtype=np.int64)
    items = np.asarray(items, dtype=np.int64)
    times = np.asarray(times, dtype=np.float64)
    if len(actors) < 2:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    unique_items, item_counts = np.unique(items, return_counts=True)
    keep = ~np.isin(items, unique_items[item_counts > max_item_actions])
    actors, items, times = actors[keep], items[keep], times[keep]
    order = np.lexsort((times, items))
    actors, items, times = actors[order], items[order], times[order]
    found_a, found_b, found_item = [], [], []
    for distance in range(1, min(neighbours, len(actors) - 1) + 1):
        same = (items[distance:] == items[:-distance]) & (times[distance:] - times[:-distance] <= window)
        if not same.any():
            break  # sorted by time within an item: nothing further away is within the window either
        first, second = actors[:-distance][same], actors[distance:][same]
        different = first != second
        found_a.append(np.minimum(first, second)[different])
        found_b.append(np.maximum(first, second)[different])
        found_item.append(items[:-distance][same][different])
    if not found_a:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty, empty
    first, second, item = np.concatenate(found_a), np.concatenate(found_b), np.concatenate(found_item)
    order = np.lexsort((item, second, first))  # sort-based dedupe: np.unique(axis=1) is far slower
    first, second, item = first[order], second[order], item[order]
    new = np.ones(len(first), dtype=bool)
    new[1:] = (first[1:] != first[:-1]) | (second[1:] != second[:-1]) | (item[1:] != item[:-1])
    return first[new], second[new], item[new]


def find(
    actors: np.ndarray,
    items: np.ndarray,
    times: np.ndarray,
    *,
    window: float = 30.0,
    neighbours: int = 20,
    max_item_actions: int = 2000,
    min_items: int = 3,
    min_accounts: int = 3,
    item_labels: dict[int, str] | None = None,
) -> list[Finding]:
    """Groups of accounts acting in step (see the module's docstring); times in seconds."""
    first, second, item = co_actions(
        actors, items, times, window=window, neighbours=neighbours, max_item_actions=max_item_actions
    )
    if not len(first):
        return []
    width = int(max(first.max(), second.max())) + 1
    pair_codes = first * width + second
    codes, counts = np.unique(pair_codes, return_counts=True)
    strong = codes[counts >= min_items]
    linked = [(int(code // width), int(code % width)) for code in strong]
    in_strong = np.isin(pair_codes, strong)
    first, second, item = first[in_strong], second[in_strong], item[in_strong]  # linked pairs' co-actions
    findings = []
    for group in components(linked):
        if len(group) < min_accounts:
            continue
        members_array = np.fromiter(group, dtype=np.int64)
        in_group = np.isin(first, members_array)
        shared_items = np.unique(item[in_group])
        labels = [
            item_labels.get(int(value), str(value)) if item_labels else str(int(value))
            for value in shared_items
        ]
        group_first, group_second, group_item = first[in_group], second[in_group], item[in_group]
        members = {
            account: {
                "items_in_step": int(
                    np.unique(group_item[(group_first == account) | (group_second == account)]).size
                )
            }
            for account in sorted(group)
        }
        findings.append(
            Finding(
                kind="synchronised",
                members=members,
                evidence={
                    "accounts": len(group),
                    "items": int(shared_items.size),
                    "window_seconds": window,
                    "min_items_per_pair": min_items,
                    "sample": labels[:10],
                },
            )
        )
    return findings
