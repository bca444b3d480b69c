"""Earned reputation: one trust score per supporter, recomputed periodically, never shown publicly."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from quartier.accounts.models import Supporter


class TrustScore(models.Model):
    """The degree-normalised trust a supporter received from the seeds (staff, met in person) over
    the trust graph, and its rank among all supporters (`percentile`, 0 to 1), which the rest of the
    site reads as a level (low / neutral / high) through `accounts.trust`."""

    supporter = models.OneToOneField(
        Supporter, on_delete=models.CASCADE, primary_key=True, related_name="trust"
    )
    score = models.FloatField(default=0.0)
    percentile = models.FloatField(default=0.0)
    degree = models.PositiveIntegerField(default=0)
    is_seed = models.BooleanField(default=False)
    computed_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.supporter_id}: {self.score:.3g}"
