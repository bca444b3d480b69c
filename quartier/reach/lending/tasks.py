"""Celery tasks of lend your status: thin wrappers around `lending.actions` (found by `ReachConfig.ready`)."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from quartier.reach.lending import actions


@shared_task
def publish_due_statuses() -> dict[str, int]:
    """Every minute (celery beat): publish each lent status whose veto window is over, or retry a
    failed one whose delay is over. Each is claimed first, so overlapping runs never post twice."""
    now = timezone.now()
    outcomes: dict[str, int] = {}
    for status_id in actions.due_status_ids(now):
        outcome = actions.publish(status_id, now)
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes
