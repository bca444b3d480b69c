"""Template tags for pages outside the organizing app (the site navigation)."""

from __future__ import annotations

from django import template

from quartier.organizing.queries import events as events_queries

register = template.Library()


@register.simple_tag
def pending_review_count() -> int:
    """Events waiting for staff review; one COUNT query, asked only where staff see it."""
    return events_queries.pending_events().count()
