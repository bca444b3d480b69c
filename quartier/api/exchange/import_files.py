"""The life of a people file: kept in private storage (fieldwork's `PrivateStorage`, never served)
while its job waits or runs, deleted when the job ends (done or failed), when it is abandoned before
its columns were chosen, or when the person who uploaded it deletes their account."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _

from quartier.api.models import PeopleImport

ABANDONED_AFTER = timedelta(days=2)
# A job still queued or running this long after its upload lost its worker: its file goes too.
STALLED_AFTER = timedelta(days=1)


def finish(job: PeopleImport, status: str, message: str = "") -> None:
    """End a job (done or failed) and delete its file."""
    changes: dict[str, object] = {"status": status, "finished_at": timezone.now()}
    if message:
        changes["message"] = message[:300]
    PeopleImport.objects.filter(pk=job.pk).update(**changes)
    delete_file(job)


def delete_file(job: PeopleImport) -> None:
    if job.file:
        job.file.storage.delete(job.file.name)
        PeopleImport.objects.filter(pk=job.pk).update(file="")


def discard_abandoned(now: datetime | None = None) -> int:
    """Files uploaded but never mapped are not kept: their jobs fail after `ABANDONED_AFTER`; nor are
    those of jobs whose worker died (still queued or running after `STALLED_AFTER`)."""
    now = now or timezone.now()
    jobs = list(
        PeopleImport.objects.filter(
            status=PeopleImport.Status.UPLOADED, created_at__lte=now - ABANDONED_AFTER
        )[:500]
    )
    for job in jobs:
        if PeopleImport.objects.filter(pk=job.pk, status=PeopleImport.Status.UPLOADED).update(
            status=PeopleImport.Status.FAILED
        ):
            finish(job, PeopleImport.Status.FAILED, _("Nobody chose the columns: the file was deleted."))
    stalled = list(
        PeopleImport.objects.filter(
            status__in=[PeopleImport.Status.QUEUED, PeopleImport.Status.RUNNING],
            created_at__lte=now - STALLED_AFTER,
        )[:500]
    )
    for job in stalled:
        finish(
            job, PeopleImport.Status.FAILED, _("The import stopped and did not resume: the file was deleted.")
        )
    return len(jobs) + len(stalled)
