"""Celery tasks of fieldwork: thin wrappers around `importing` and `actions.walk_lists`."""

from __future__ import annotations

from celery import shared_task
from django.db import transaction

from quartier.fieldwork import import_files, importing
from quartier.fieldwork.actions import walk_lists as walk_lists_actions


@shared_task(acks_late=True)
def import_contacts(job_id: int) -> None:
    importing.run_import(job_id)


def start_import(job_id: int) -> None:
    """Queue the import once the job's mapping is committed."""
    transaction.on_commit(lambda: import_contacts.delay(job_id), robust=True)


@shared_task
def sweep() -> dict[str, int]:
    """Periodic (celery beat): walk lists nobody worked on go back to the pool after their deadline;
    contact files uploaded but never mapped are deleted."""
    return {
        "lists_returned": walk_lists_actions.return_unworked_lists(),
        "imports_discarded": import_files.discard_abandoned(),
    }
