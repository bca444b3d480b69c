"""Signups that share a network, a browser family and an email shape within a short time.

Input: per signup the supporter id, the three salted hashes and the signup time (seconds). Signups
with the same three hashes are sorted by time and cut wherever two follow each other by more than
`gap` seconds; a run of at least `min_accounts` signups is a finding. A household or an office
signing up together on one evening shares a network and often a browser, rarely the same email
shape as well, and rarely three of them within the gap. A network behind which more than
`busy_network` supporters signed up in the period (a mobile carrier's shared addresses, a campus) says
nothing about who is who: it is left out, as popular items are by the synchronised-action detector.
"""

from __future__ import annotations

from collections import defaultdict

from quartier.integrity.detection.findings import Finding


def find(
    signups: list[tuple[int, str, str, str, float]],
    *,
    gap: float = 3600.0,
    min_accounts: int = 3,
    busy_network: int = 50,
) -> list[Finding]:
    """signups: (supporter id, network hash, agent hash, email-pattern hash, time in seconds)."""
    per_network: dict[str, int] = defaultdict(int)
    for _pk, network, *_rest in signups:
        per_network[network] += 1
    by_print: dict[tuple[str, str, str], list[tuple[float, int]]] = defaultdict(list)
    for supporter_id, network, agent, pattern, when in signups:
        if network == "" or agent == "" or per_network[network] > busy_network:
            continue
        by_print[(network, agent, pattern)].append((when, supporter_id))
    findings = []
    for runs in by_print.values():
        runs.sort()
        current: list[tuple[float, int]] = []
        for when, supporter_id in [*runs, (float("inf"), -1)]:
            if current and when - current[-1][0] > gap:
                accounts = {pk for _when, pk in current}
                if len(accounts) >= min_accounts:
                    findings.append(_finding(current))
                current = []
            current.append((when, supporter_id))
    return findings


def _finding(run: list[tuple[float, int]]) -> Finding:
    times = [when for when, _pk in run]
    return Finding(
        kind="shared_fingerprint",
        members={pk: {"signed_up_at": when} for when, pk in run},
        evidence={
            "accounts": len({pk for _when, pk in run}),
            "span_seconds": round(max(times) - min(times), 1),
            "shared": ["network", "browser family", "email shape"],
        },
    )
