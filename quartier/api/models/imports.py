"""People imports: a CSV kept in private storage while its job runs, its column mapping, progress and
the lines that could not load."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Supporter
from quartier.fieldwork.storage import private_storage


class PeopleImport(models.Model):
    class Status(models.TextChoices):
        UPLOADED = "uploaded", _("Choose the columns")
        QUEUED = "queued", _("Waiting to start")
        RUNNING = "running", _("Importing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    uploaded_by = models.ForeignKey(Supporter, null=True, on_delete=models.SET_NULL, related_name="+")
    original_name = models.CharField(max_length=200)
    # Private storage (never served); the file is deleted when the job ends.
    file = models.FileField(storage=private_storage, upload_to="api-imports/", blank=True)
    encoding = models.CharField(max_length=20, default="utf-8")
    delimiter = models.CharField(max_length=1, default=",")
    header = models.JSONField(default=list)
    layout = models.CharField(max_length=20, blank=True)  # van, actionkit, action_network, mobilize
    mapping = models.JSONField(default=dict)  # field name → column index
    country = models.CharField(max_length=2, default="CA")
    tag_names = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.UPLOADED)
    total_bytes = models.BigIntegerField(default=0)
    bytes_done = models.BigIntegerField(default=0)
    rows_done = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    merged_count = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    message = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.original_name} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == self.Status.DONE:
            return 100
        if not self.total_bytes:
            return 0
        return min(99, int(100 * self.bytes_done / self.total_bytes))

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)


class PeopleImportProblem(models.Model):
    """A line of the file that did not load, or loaded without one of its values (never the values)."""

    job = models.ForeignKey(PeopleImport, on_delete=models.CASCADE, related_name="problems")
    line = models.PositiveIntegerField()
    reason = models.CharField(max_length=300)
    loaded = models.BooleanField(default=False)

    class Meta:
        ordering = ["line", "pk"]

    def __str__(self) -> str:
        return f"{self.line}: {self.reason}"
