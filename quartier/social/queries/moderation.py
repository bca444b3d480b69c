"""The moderation queue, who may moderate what, and the decisions about a person."""

from __future__ import annotations

from typing import TYPE_CHECKING

from quartier.accounts.models import Supporter
from quartier.accounts.trust import TrustLevel, trust_levels
from quartier.organizing.queries import groups as organizing_groups
from quartier.social.models import (
    ModerationAction,
    Report,
)

if TYPE_CHECKING:
    from datetime import datetime

    from django.contrib.auth.models import AnonymousUser

    Viewer = Supporter | AnonymousUser
from quartier.social.queries.visibility import is_moderator


def report_queue(viewer: Supporter) -> list[Report]:
    """Open reports: all of them for staff, their groups' for group leaders.

    Oldest first, except that reports from well-trusted reporters or about accounts no trust reaches
    (`accounts.trust`) come before the others: earned reputation sets moderation priority."""
    reports = Report.objects.filter(status=Report.Status.OPEN)
    if not is_moderator(viewer):
        reports = reports.filter(group_id__in=organizing_groups.leader_group_ids(viewer))
    queue = list(
        reports.select_related(
            "reporter", "subject", "post", "comment", "comment__post", "message", "profile", "group"
        ).order_by("created_at")[:100]
    )
    levels = trust_levels([pk for report in queue for pk in (report.reporter_id, report.subject_id)])

    def urgent_first(report: Report) -> int:
        urgent = (
            levels.get(report.reporter_id) == TrustLevel.HIGH
            or levels.get(report.subject_id) == TrustLevel.LOW
        )
        return 0 if urgent else 1

    return sorted(queue, key=urgent_first)


def may_moderate(viewer: Viewer | None, report: Report) -> bool:
    if is_moderator(viewer):
        return True
    if viewer is None or not viewer.is_authenticated or report.group_id is None:
        return False
    return organizing_groups.leader_group_ids(viewer).filter(group_id=report.group_id).exists()


def decisions_about(supporter: Supporter) -> list[ModerationAction]:
    return list(
        ModerationAction.objects.filter(subject=supporter)
        .exclude(kind=ModerationAction.Kind.DISMISS)
        .select_related("appeal", "post", "comment", "message")[:50]
    )


def moderation_counts_between(start: datetime, end: datetime) -> dict[str, dict[str, int]]:
    """What moderation did in a period, for the public transparency report: decisions by kind, reports
    received by reason, appeals decided (granted or refused). Every kind present, 0 if none; no names."""
    from django.db.models import Count

    from quartier.social.models import Appeal

    def counted(rows, field: str, values: list[str]) -> dict[str, int]:
        counts = dict.fromkeys(values, 0)
        for row in rows.values(field).annotate(n=Count("id")).order_by():
            counts[row[field]] = row["n"]
        return counts

    return {
        "actions": counted(
            ModerationAction.objects.filter(created_at__gte=start, created_at__lt=end), "kind",
            ModerationAction.Kind.values,
        ),
        "reports": counted(Report.objects.filter(created_at__gte=start, created_at__lt=end), "reason",
                           Report.Reason.values),
        "appeals": counted(
            Appeal.objects.filter(decided_at__gte=start, decided_at__lt=end).exclude(status=Appeal.Status.OPEN),
            "status", [Appeal.Status.GRANTED, Appeal.Status.REFUSED],
        ),
    }  # fmt: skip
