"""Phone numbers of supporters (E.164), as imports and the OSDI `phone_numbers` bring them; the account
itself has none. Imports match people by email first, then by a number only one person has."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from quartier.accounts.models import Supporter


class SupporterPhone(models.Model):
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="+")
    number = models.CharField(max_length=20, db_index=True)  # E.164
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["supporter", "number"], name="api_phone_once")]

    def __str__(self) -> str:
        return f"{self.supporter_id}: {self.number}"
