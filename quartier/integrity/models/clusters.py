"""Clusters of accounts the detectors found acting together: a proposal for staff, never a sanction."""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Supporter


class Cluster(models.Model):
    """One finding of a detector: the accounts, what they did together (`evidence`) and a sentence
    a moderator can read (`explanation`). Detection only proposes: staff confirm or dismiss, and any
    sanction is a separate moderation action taken by a person."""

    class Kind(models.TextChoices):
        NEAR_DUPLICATE = "near_duplicate", _("Near-duplicate posts")
        SYNCHRONISED = "synchronised", _("Synchronised actions")
        SHARED_FINGERPRINT = "shared_fingerprint", _("Shared signup fingerprint")
        DENSE_LOW_TRUST = "dense_low_trust", _("Dense low-trust cluster")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        CONFIRMED = "confirmed", _("Confirmed")
        DISMISSED = "dismissed", _("Dismissed")

    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The same finding found again (the detectors run periodically) updates this row, not a new one.
    key = models.CharField(max_length=64, unique=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PROPOSED)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(_("note"), max_length=2000, blank=True)
    evidence = models.JSONField(default=dict, blank=True)
    explanation = models.TextField(blank=True)
    # Mean trust of the members when found (0 = untrusted, 1 = trusted): low-trust clusters come first.
    mean_trust = models.FloatField(default=0.0)

    class Meta:
        verbose_name = _("cluster")
        verbose_name_plural = _("clusters")
        indexes: ClassVar = [models.Index(fields=["status", "created_at"])]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"


class ClusterMember(models.Model):
    """One account of a cluster, with what it contributed to the finding (post ids, times, …)."""

    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="members")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="integrity_clusters")
    evidence = models.JSONField(default=dict, blank=True)
    added_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["cluster", "supporter"], name="integrity_cluster_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.cluster_id}:{self.supporter_id}"
