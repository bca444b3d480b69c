"""Recompute every supporter's trust score from the trust graph (a Celery beat task calls this)."""

from __future__ import annotations

import numpy as np
from django.db import transaction
from django.utils import timezone

from quartier.accounts.models import Supporter, Vouch
from quartier.integrity import reputation
from quartier.integrity.models import TrustScore
from quartier.organizing.queries import attendance
from quartier.social.queries import bulk as social_bulk


def vouch_edges() -> np.ndarray:
    """(leader, vouched) pairs of every vouch still standing (a revoked vouch links no one)."""
    pairs = Vouch.objects.filter(revoked_at__isnull=True).values_list("voucher_id", "vouchee_id").order_by()
    return np.asarray(list(pairs), dtype=np.int64).reshape(-1, 2)


def load_graph() -> reputation.TrustGraph:
    """The trust graph of every active supporter: mutual follows, co-attendance, vouches."""
    supporters = Supporter.objects.filter(is_active=True, deleted_at__isnull=True).order_by()
    ids = np.fromiter(supporters.values_list("pk", flat=True).iterator(chunk_size=20000), dtype=np.int64)
    staff = np.fromiter(supporters.filter(is_staff=True).values_list("pk", flat=True), dtype=np.int64)
    follows = np.fromiter(
        (value for pair in social_bulk.follow_pairs() for value in pair), dtype=np.int64
    ).reshape(-1, 2)
    attended, met = reputation.co_attendance_edges(list(attendance.checked_in_rows()))
    edges = np.concatenate([reputation.mutual_follow_edges(follows), attended, vouch_edges()])
    seeds = np.union1d(staff, np.asarray(sorted(met), dtype=np.int64))
    return reputation.build_graph(ids, edges, seeds)


def recompute_trust() -> int:
    """Write every active supporter's score, percentile and degree, then file the dense low-trust
    groups of the graph as proposed clusters; returns how many scores were written."""
    from quartier.integrity.actions.detection import dense_findings, file_all

    graph = load_graph()
    scores = reputation.propagate(graph)
    degree = graph.degree.astype(int)
    n = len(graph.ids)
    order = scores.argsort(kind="stable")
    percentile = np.empty(n)
    percentile[order] = np.arange(n) / max(n - 1, 1)
    now = timezone.now()
    rows = [
        TrustScore(
            supporter_id=int(pk), score=float(score), percentile=float(rank), degree=int(deg),
            is_seed=bool(seed), computed_at=now,
        )
        for pk, score, rank, deg, seed in zip(graph.ids, scores, percentile, degree, graph.seeds, strict=True)
    ]  # fmt: skip
    with transaction.atomic():
        TrustScore.objects.bulk_create(
            rows,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=["supporter"],
            update_fields=["score", "percentile", "degree", "is_seed", "computed_at"],
        )
        TrustScore.objects.filter(computed_at__lt=now).delete()  # supporters gone or deactivated since
    file_all(dense_findings(graph, scores))
    return len(rows)
