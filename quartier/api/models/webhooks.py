"""Outgoing webhooks: endpoints staff register, the deliveries made to them, each attempt, and the
journal cursor the delivery task reads from (docs/webhooks.md)."""

from __future__ import annotations

import secrets
import uuid

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Supporter


def new_signing_secret() -> str:
    return "whsec_" + secrets.token_urlsafe(32)


class WebhookEndpoint(models.Model):
    """A URL that receives the events it subscribed to, signed with its own secret."""

    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=200, blank=True)
    event_types = models.JSONField(default=list)
    # Needed in clear to sign every delivery; shown to staff once, when the endpoint is created.
    secret = models.CharField(max_length=80, default=new_signing_secret)
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(Supporter, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.url


class WebhookDelivery(models.Model):
    """One event sent (or to send) to one endpoint. The body is frozen when the delivery is made, so a
    retry or a replay sends the same bytes with the same idempotency key."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        SENDING = "sending", _("Sending")
        RETRYING = "retrying", _("Will retry")
        SUCCEEDED = "succeeded", _("Delivered")
        FAILED = "failed", _("Failed")

    endpoint = models.ForeignKey(WebhookEndpoint, on_delete=models.CASCADE, related_name="deliveries")
    activity_id = models.BigIntegerField(null=True, blank=True)  # the journal row; None for a test ping
    event_type = models.CharField(max_length=60)
    idempotency_key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Whose data the body carries (erased with them; see api/exchange_privacy.py).
    supporter = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    payload = models.JSONField(default=dict)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    claimed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    delivered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["endpoint", "activity_id"], name="webhook_delivery_once_per_activity"
            )
        ]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} → {self.endpoint_id} ({self.status})"


class WebhookAttempt(models.Model):
    """The log of one try: when, the response code, how long it took, what went wrong."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="attempt_log")
    number = models.PositiveIntegerField()
    started_at = models.DateTimeField(default=timezone.now)
    status_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)
    error = models.CharField(max_length=300, blank=True)
    replay = models.BooleanField(default=False)

    class Meta:
        ordering = ["-pk"]

    def __str__(self) -> str:
        return f"#{self.number} {self.status_code or self.error}"


class JournalCursor(models.Model):
    """How far a reader of the activity journal got (`name` = the reader): the last row it settled."""

    name = models.CharField(max_length=40, unique=True)
    last_activity_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_activity_id}"
