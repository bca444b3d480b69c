"""Integrity's section of social's moderation queue (registered from `IntegrityConfig.ready()`)."""

from __future__ import annotations

from typing import Any

from quartier.integrity import queries
from quartier.social.registry import QueueSection


def proposed_clusters_section(viewer: Any) -> QueueSection | None:
    """The clusters waiting for a decision, least trusted first; for active staff only."""
    if not (viewer.is_authenticated and viewer.is_staff and viewer.is_active):
        return None
    return QueueSection(
        template="integrity/_queue_section.html", context={"clusters": queries.clusters_for_review(limit=20)}
    )
