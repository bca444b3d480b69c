"""Signup forms (OSDI `forms`) and their submissions: each submission creates or merges a person."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Supporter


class Form(models.Model):
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=8000, blank=True)
    call_to_action = models.CharField(_("call to action"), max_length=100, blank=True)
    # Tags each submitter gets (names), as OSDI's add_tags on the signup helper.
    add_tags = models.JSONField(default=list, blank=True)
    created_by = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    submission_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.title


class Submission(models.Model):
    form = models.ForeignKey(Form, on_delete=models.CASCADE, related_name="submissions")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["form", "id"], name="api_submission_form_idx")]

    def __str__(self) -> str:
        return f"{self.supporter_id} → form {self.form_id}"
