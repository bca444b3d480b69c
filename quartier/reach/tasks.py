"""Celery tasks of reach (thin wrappers; scheduled by celery beat in `settings_reach.py`)."""

from __future__ import annotations

from celery import shared_task

from quartier.reach import analysis
from quartier.reach.actions import analytics, attribution


@shared_task
def sync_conversions() -> int:
    """Read the journal's new rows into conversions (every `REACH_JOURNAL_SYNC_SECONDS`; a backfill
    reads for 20 seconds a run)."""
    return attribution.sync_everything(seconds=20)


@shared_task
def recompute_cascades() -> float:
    """Recompute every cascade metric into the snapshot (every `REACH_RECOMPUTE_SECONDS`)."""
    attribution.sync_from_journal()
    return analytics.recompute_cascades().seconds


@shared_task
def analyse_spread(run_id: int) -> None:
    analysis.analyse_spread(run_id)
