"""Reads of integrity for other parts of the site (the monthly transparency report, the queue)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils import timezone

from quartier.accounts.trust import TrustLevel
from quartier.integrity.explanations import evidence_rows
from quartier.integrity.models import Cluster, TrustScore
from quartier.integrity.reputation import level_for


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of the month and of the next one, in the site's time zone."""
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def cluster_counts_by_month(year: int, month: int) -> dict[str, int]:
    """How many clusters the detectors found in a month, per kind (every kind present, 0 if none)."""
    start, end = month_bounds(year, month)
    counts = dict.fromkeys(Cluster.Kind.values, 0)
    rows = (
        Cluster.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["kind"]] = row["n"]
    return counts


def trust_levels_of(supporter_ids: list[int]) -> dict[int, TrustLevel]:
    """The trust level of each supporter that has a score (the provider `accounts.trust` asks)."""
    if not supporter_ids:
        return {}
    scores = TrustScore.objects.filter(supporter_id__in=supporter_ids).values_list(
        "supporter_id", "score", "is_seed"
    )
    return {pk: level_for(score, is_seed=is_seed) for pk, score, is_seed in scores}


def clusters_for_review(*, status: str = Cluster.Status.PROPOSED, limit: int = 50) -> list[Cluster]:
    """Clusters in a status, the least trusted and oldest first, each with its member count."""
    return list(
        Cluster.objects.filter(status=status)
        .annotate(member_count=Count("members"))
        .select_related("decided_by")
        .order_by("mean_trust", "created_at", "pk")[:limit]
    )


def members_of(cluster: Cluster) -> list[dict]:
    """Each member with what they contributed and their trust level (for staff, never public)."""
    members = list(cluster.members.select_related("supporter").order_by("supporter__display_name", "pk"))
    levels = dict(
        TrustScore.objects.filter(supporter_id__in=[member.supporter_id for member in members]).values_list(
            "supporter_id", "score"
        )
    )
    return [
        {
            "supporter": member.supporter,
            "evidence": evidence_rows(member.evidence),
            "score": levels.get(member.supporter_id),
        }
        for member in members
    ]
