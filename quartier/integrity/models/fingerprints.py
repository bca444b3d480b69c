"""Signup fingerprints, kept only as salted hashes and only for a limited time."""

from __future__ import annotations

import uuid
from typing import ClassVar

from django.db import models
from django.utils import timezone

from quartier.accounts.models import Supporter


class SignupFingerprint(models.Model):
    """What a signup looked like, hashed with a secret salt (`INTEGRITY_FINGERPRINT_SALT`): the
    network (/24 or /48), the user-agent family and the email's pattern. No raw address, agent or
    email is stored. Rows older than `INTEGRITY_FINGERPRINT_RETENTION_DAYS` are deleted by a beat task."""

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="signup_fingerprints")
    network_hash = models.CharField(max_length=64, db_index=True)
    agent_hash = models.CharField(max_length=64)
    email_pattern_hash = models.CharField(max_length=64)
    signed_up_at = models.DateTimeField(default=timezone.now)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.supporter_id} {self.network_hash[:8]}"


class ContentSignature(models.Model):
    """The MinHash signature of one post or comment (`signature`: 64 little-endian uint32, 256 bytes):
    what the near-duplicate index is rebuilt from (its band keys) and what confirms a candidate pair
    (the share of equal values estimates the texts' similarity). The text itself stays in social."""

    class Kind(models.TextChoices):
        POST = "post", "post"
        COMMENT = "comment", "comment"

    kind = models.CharField(max_length=8, choices=Kind.choices)
    object_id = models.BigIntegerField()
    author = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()
    signature = models.BinaryField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["kind", "object_id"], name="integrity_signature_once")
        ]
        indexes: ClassVar = [models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.kind}:{self.object_id}"


class NearDuplicateLink(models.Model):
    """Text `later` is a near copy of the earlier text `earlier`, written by another author: found by
    the periodic job as texts arrive (at most a few links a text, see `detection.near_duplicates`)
    and grouped into findings. Goes with either text's signature."""

    earlier = models.ForeignKey(ContentSignature, on_delete=models.CASCADE, related_name="+")
    later = models.ForeignKey(ContentSignature, on_delete=models.CASCADE, related_name="+")
    shared_bands = models.PositiveSmallIntegerField()
    similarity = models.FloatField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["later", "earlier"], name="integrity_near_duplicate_once")
        ]

    def __str__(self) -> str:
        return f"{self.later_id} ~ {self.earlier_id}"


class NearDuplicateProgress(models.Model):
    """One row: the last signature the periodic job has checked (`checked_through`), and a token made
    with the row, by which the index a worker holds in memory knows it still matches the database.
    The job locks this row while it runs, so two runs never check the same texts."""

    token = models.UUIDField(default=uuid.uuid4)
    checked_through = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"checked through {self.checked_through}"
