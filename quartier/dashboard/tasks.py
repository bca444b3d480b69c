"""Celery tasks: the rollup celery beat runs every 30 seconds (settings.CELERY_BEAT_SCHEDULE)."""

from __future__ import annotations

from celery import shared_task

from quartier.dashboard import actions


@shared_task
def roll_up() -> int:
    return actions.roll_up()
