"""Lend your status: a supporter lets the campaign publish short messages in their name, on their
Quartier blog and on the Mastodon and Bluesky accounts they connect, at most `weekly_cap` a week, each
announced in advance with a veto window, always labelled, revocable at any time (tokens deleted).
"""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Supporter

MAX_WEEKLY_CAP = 7


class LendingConsent(models.Model):
    """A supporter's opt-in (off until they tick it) and how many lent statuses a week they accept."""

    supporter = models.OneToOneField(Supporter, on_delete=models.CASCADE, primary_key=True)
    is_active = models.BooleanField(default=False)
    weekly_cap = models.PositiveSmallIntegerField(default=1)
    opted_in_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(weekly_cap__gte=1, weekly_cap__lte=MAX_WEEKLY_CAP), name="reach_lending_cap_range"
            )
        ]

    def __str__(self) -> str:
        return f"{self.supporter_id}:{'on' if self.is_active else 'off'}"


class Service(models.TextChoices):
    MASTODON = "mastodon", "Mastodon"
    BLUESKY = "bluesky", "Bluesky"


class MastodonApp(models.Model):
    """Quartier's client registration on one Mastodon instance (`POST /api/v1/apps`), made on first use."""

    instance = models.CharField(max_length=253, unique=True)
    client_id = models.CharField(max_length=200)
    client_secret_encrypted = models.TextField()
    redirect_uri = models.CharField(max_length=500)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.instance


class ConnectedAccount(models.Model):
    """A supporter's Mastodon or Bluesky account Quartier may post to; its credentials are encrypted and
    never shown, and deleted on disconnect, on revoking the consent and with the account."""

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="lending_accounts")
    service = models.CharField(max_length=16, choices=Service.choices)
    host = models.CharField(max_length=253)  # the Mastodon instance or the Bluesky service (PDS)
    handle = models.CharField(max_length=300)  # @name@instance or name.bsky.social, as shown
    credentials_encrypted = models.TextField()  # an access token (Mastodon) or a session (Bluesky)
    connected_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["supporter", "service"], name="reach_one_account_per_service")
        ]

    def __str__(self) -> str:
        return f"{self.service}:{self.handle}"


class LendingMessage(models.Model):
    """A short message staff write for lenders to carry; each lender gets their own `LentStatus`."""

    campaign = models.CharField(_("campaign"), max_length=100)
    text = models.CharField(_("message"), max_length=200)
    link_path = models.CharField(_("link"), max_length=300, blank=True)
    veto_hours = models.PositiveSmallIntegerField(_("veto window (hours)"), default=24)
    author = models.ForeignKey(Supporter, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.text[:50]


class LentStatus(models.Model):
    """One lender's copy of a message: when it goes out, whether they vetoed it, how it went."""

    class State(models.TextChoices):
        SCHEDULED = "scheduled", _("scheduled")
        VETOED = "vetoed", _("vetoed")
        PUBLISHING = "publishing", _("publishing")
        PUBLISHED = "published", _("published")
        FAILED = "failed", _("failed")  # retried with backoff until `attempts` reaches the limit
        GAVE_UP = "gave_up", _("could not be published")
        CANCELLED = "cancelled", _("cancelled")  # the lender revoked their consent before it went out

    message = models.ForeignKey(LendingMessage, on_delete=models.CASCADE, related_name="statuses")
    lender = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="lent_statuses")
    state = models.CharField(max_length=16, choices=State.choices, default=State.SCHEDULED)
    publish_at = models.DateTimeField()  # after the veto window, within the lender's weekly cap
    announced_at = models.DateTimeField(null=True, blank=True)
    vetoed_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    last_error = models.CharField(max_length=300, blank=True)
    link_token = models.CharField(max_length=24, unique=True)  # the `/lent/<token>/` link it carries
    visits = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["message", "lender"], name="reach_one_status_per_lender")
        ]
        indexes = [
            models.Index(fields=["state", "publish_at"]),
            models.Index(fields=["lender", "publish_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.message_id}:{self.lender_id}"


class LentPublication(models.Model):
    """Where a lent status went out: one row per destination, unique, so a retry never posts twice."""

    status = models.ForeignKey(LentStatus, on_delete=models.CASCADE, related_name="publications")
    destination = models.CharField(max_length=16)  # "quartier", "mastodon", "bluesky"
    remote_id = models.CharField(max_length=300)
    url = models.CharField(max_length=500, blank=True)
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["status", "destination"], name="reach_one_publication_per_destination"
            )
        ]

    def __str__(self) -> str:
        return f"{self.status_id}:{self.destination}"
