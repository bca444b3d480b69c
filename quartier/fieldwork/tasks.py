"""Celery tasks of fieldwork: thin wrappers around `importing`."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from quartier.fieldwork import importing


@shared_task(acks_late=True)
def import_contacts(job_id: int) -> None:
    importing.run_import(job_id)


def start_import(job_id: int) -> None:
    """Queue the import once the job's mapping is committed."""
    transaction.on_commit(lambda: import_contacts.delay(job_id), robust=True)
