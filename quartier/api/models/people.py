"""What OSDI clients tell Quartier about a person beyond their account: names, phones, custom fields."""

from __future__ import annotations

from django.db import models
from django.utils import timezone

from quartier.accounts.models import Supporter


class PersonDetails(models.Model):
    """One row per supporter an API client (or a signup form) wrote about; `modified_at` dates the write.

    The account keeps what the site shows (display name, email, postal code, town); this keeps the rest
    of OSDI's person as the client sent it, merged as the spec says (arrays by their key, fields replaced).
    """

    supporter = models.OneToOneField(
        Supporter, on_delete=models.CASCADE, primary_key=True, related_name="osdi_details"
    )
    given_name = models.CharField(max_length=80, blank=True)
    family_name = models.CharField(max_length=80, blank=True)
    # [{"number": "+15145550100", "number_type": "Mobile", "primary": true}], merged by number.
    phone_numbers = models.JSONField(default=list, blank=True)
    # {"name": "value"}: merged key by key.
    custom_fields = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    modified_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return f"OSDI details of {self.supporter_id}"
