"""Celery tasks of the api app: thin wrappers around `webhooks.actions` and `exchange.people_import`."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from quartier.api.exchange import import_files, people_import
from quartier.api.webhooks import actions as webhook_actions


@shared_task
def run_webhooks() -> dict[str, int]:
    """Periodic (celery beat, every 10 s): new journal rows become deliveries; due ones are queued."""
    read = webhook_actions.pull_journal()
    due = webhook_actions.due_deliveries()
    for delivery_id in due:
        deliver_webhook.delay(delivery_id)
    return {"journal_rows": read, "queued": len(due)}


@shared_task(acks_late=True)
def deliver_webhook(delivery_id: int, replay: bool = False) -> bool:
    return webhook_actions.deliver(delivery_id, replay=replay)


@shared_task(acks_late=True)
def import_people(job_id: int) -> None:
    people_import.run_import(job_id)


def start_import(job_id: int) -> None:
    """Queue the import once the job's mapping is committed."""
    transaction.on_commit(lambda: import_people.delay(job_id), robust=True)


@shared_task
def sweep_imports() -> int:
    """Periodic (hourly): files uploaded but never mapped are deleted."""
    return import_files.discard_abandoned()
