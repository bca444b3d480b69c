"""Run the detectors over recent activity and file what they find as proposed clusters."""

from __future__ import annotations

from datetime import timedelta

import numpy as np
from django.conf import settings
from django.utils import timezone

from quartier.accounts.models import Activity
from quartier.integrity import reputation
from quartier.integrity.actions.clusters import file_finding
from quartier.integrity.actions.near_duplicates import check_new_texts, near_duplicate_findings
from quartier.integrity.detection import dense, fingerprints, synchronised
from quartier.integrity.detection.findings import Finding
from quartier.integrity.models import SignupFingerprint
from quartier.social.queries import bulk as social_bulk

# How far back each detector looks on every run (texts: `near_duplicates.TEXT_WINDOW`).
ACTION_WINDOW = timedelta(days=1)
SIGNUP_WINDOW = timedelta(days=2)


def synchronised_findings() -> list[Finding]:
    """Accounts acting in step over the last ACTION_WINDOW: reactions, comments, follows, group joins."""
    since = timezone.now() - ACTION_WINDOW
    actions = list(social_bulk.actions_since(since))
    joins = Activity.objects.filter(
        kind="organizing.group_joined", occurred_at__gte=since, supporter__isnull=False
    )
    actions += [
        (pk, f"group:{group}", when)
        for pk, group, when in joins.values_list("supporter_id", "group_id", "occurred_at")
    ]
    if not actions:
        return []
    codes: dict[str, int] = {}
    items = np.array([codes.setdefault(label, len(codes)) for _pk, label, _when in actions], dtype=np.int64)
    actors = np.array([pk for pk, _label, _when in actions], dtype=np.int64)
    times = np.array([when.timestamp() for _pk, _label, when in actions], dtype=np.float64)
    return synchronised.find(
        actors, items, times, window=float(settings.INTEGRITY_SYNC_WINDOW_SECONDS),
        min_accounts=settings.INTEGRITY_MIN_CLUSTER_SIZE, item_labels={code: label for label, code in codes.items()},
    )  # fmt: skip


def fingerprint_findings() -> list[Finding]:
    signups = SignupFingerprint.objects.filter(created_at__gte=timezone.now() - SIGNUP_WINDOW).values_list(
        "supporter_id", "network_hash", "agent_hash", "email_pattern_hash", "signed_up_at"
    )
    rows = [(pk, network, agent, pattern, when.timestamp()) for pk, network, agent, pattern, when in signups]
    return fingerprints.find(rows, min_accounts=settings.INTEGRITY_MIN_CLUSTER_SIZE)


def dense_findings(graph: reputation.TrustGraph, scores: np.ndarray) -> list[Finding]:
    return dense.find(
        graph.ids, graph.adjacency, scores, low_score=reputation.LOW_SCORE,
        min_accounts=max(settings.INTEGRITY_MIN_CLUSTER_SIZE, 4),
    )  # fmt: skip


def file_all(findings: list[Finding]) -> dict[str, int]:
    """File each finding; returns how many clusters were created per kind."""
    created: dict[str, int] = {}
    for finding in findings:
        _cluster, is_new = file_finding(finding)
        created[finding.kind] = created.get(finding.kind, 0) + int(is_new)
    return created


def run_detectors() -> dict[str, int]:
    """The periodic job: new texts checked for near copies, then the findings of every detector."""
    check_new_texts()
    return file_all(near_duplicate_findings() + synchronised_findings() + fingerprint_findings())
