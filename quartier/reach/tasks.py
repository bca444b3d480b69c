"""Celery tasks of reach: thin wrappers around its jobs."""

from __future__ import annotations

from celery import shared_task

from quartier.reach import analysis


@shared_task
def analyse_spread(run_id: int) -> None:
    analysis.analyse_spread(run_id)
