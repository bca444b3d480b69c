"""The life of an imported contact file: kept in private storage (`storage.PrivateStorage`, never
served) while its job waits or runs, deleted when the job ends (done or failed), when it is abandoned
before its columns were chosen, or when the person who uploaded it deletes their account."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from quartier.fieldwork.models import ImportJob


def finish(job: ImportJob, status: str, message: str = "") -> None:
    """End a job (done or failed) and delete its file: a contact file is kept only while it loads."""
    changes: dict[str, object] = {"status": status, "finished_at": timezone.now(), "file": ""}
    if status == ImportJob.Status.DONE:
        changes["bytes_done"] = F("total_bytes")
    if message:
        changes["message"] = message
    ImportJob.objects.filter(pk=job.pk).update(**changes)
    delete_file(job)


def delete_file(job: ImportJob) -> None:
    if job.file:
        job.file.storage.delete(job.file.name)
        ImportJob.objects.filter(pk=job.pk).update(file="")


ABANDONED_AFTER = timedelta(days=2)


def discard_abandoned(now: datetime | None = None) -> int:
    """Files uploaded but never mapped are not kept: their jobs fail after `ABANDONED_AFTER`."""
    now = now or timezone.now()
    jobs = list(
        ImportJob.objects.filter(status=ImportJob.Status.UPLOADED, created_at__lte=now - ABANDONED_AFTER)[
            :500
        ]
    )
    for job in jobs:
        if ImportJob.objects.filter(pk=job.pk, status=ImportJob.Status.UPLOADED).update(
            status=ImportJob.Status.FAILED
        ):
            finish(job, ImportJob.Status.FAILED, _("Nobody chose the columns: the file was deleted."))
    return len(jobs)
