"""Whom to ask first and how far word of mouth goes: one analysis run over the follow graph."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class SpreadRun(models.Model):
    """An analysis an organiser asked for at `/organize/reach/spread/`, computed by a Celery job.

    `results` holds figures and the chosen people's supporter ids (never names or contact details: the
    page reads names when it shows them, so a deleted account is never shown). The job writes its
    progress here so that the page can show it.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting for a worker")
        RUNNING = "running", _("Computing")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    seeds_wanted = models.PositiveSmallIntegerField()
    memory_mb = models.PositiveIntegerField()
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text="Percent done.")
    stage = models.CharField(max_length=20, blank=True)
    results = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"spread run {self.pk} ({self.status})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
