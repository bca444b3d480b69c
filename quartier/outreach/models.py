"""Email to supporters who asked for it: consents per audience, messages and their deliveries.

An *audience* is a string key naming who a message goes to and what a supporter consented to:
`group:12` (a local group's members), `event:34` (an event's attendees), `campaign_news` (the
campaign itself) or `personal` (a supporter writing to people of their own network, who are not
necessarily supporters: those deliveries go to a plain `address`). Consent to `campaign_news` lives in `accounts.EmailConsent` (one truth, read and
written through this app's `queries` and `actions`); consent to every other audience lives here.
"""

from __future__ import annotations

import re
from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import EmailConsent, Supporter

CAMPAIGN_NEWS = EmailConsent.Topic.CAMPAIGN_NEWS.value
# Messages a supporter writes to addresses of their own network (see `actions.send_personal_email`).
PERSONAL = "personal"
ADDRESS_MAX_LENGTH = 254
SOURCE_MAX_LENGTH = 100
AUDIENCE_MAX_LENGTH = 64
_AUDIENCE = re.compile(r"[a-z][a-z_]*(:[0-9]+)?")


def validate_audience(audience: str) -> str:
    """Return `audience` if it is a well-formed key (`campaign_news`, `group:12`); raise otherwise."""
    if (
        not isinstance(audience, str)
        or len(audience) > AUDIENCE_MAX_LENGTH
        or not _AUDIENCE.fullmatch(audience)
    ):
        raise ValueError(f"not an audience key (such as 'group:12' or 'campaign_news'): {audience!r}")
    return audience


def audience_kind(audience: str) -> str:
    """`group` for `group:12`, `campaign_news` for `campaign_news`."""
    return audience.split(":", 1)[0]


class AudienceConsent(models.Model):
    """An append-only record of each yes or no a supporter gave to messages for one audience.

    Like `accounts.EmailConsent`, it keeps the exact wording shown, in the language shown; the latest
    record per (supporter, audience) is the supporter's current choice. An unsubscription is a "no"
    with the source `unsubscribe`. `campaign_news` is never stored here (a database check says so).
    """

    class Source(models.TextChoices):
        JOIN = "join", _("Joining a group or signing up for an event")
        SIGNUP = "signup", _("Sign-up form")
        SETTINGS = "settings", _("Email preferences")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")
        IMPORT = "import", _("Import")
        DEMO = "demo", _("Demo data")

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="audience_consents")
    audience = models.CharField(max_length=AUDIENCE_MAX_LENGTH)
    granted = models.BooleanField()
    wording = models.TextField()
    language = models.CharField(max_length=8)
    source = models.CharField(max_length=32, choices=Source.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("audience consent")
        verbose_name_plural = _("audience consents")
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["supporter", "audience", "-created_at"])]
        constraints: ClassVar = [
            # Campaign news consent is `accounts.EmailConsent`: there must be only one truth.
            models.CheckConstraint(
                condition=~Q(audience=CAMPAIGN_NEWS), name="audience_consent_not_campaign_news"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.audience}={'yes' if self.granted else 'no'} for {self.supporter_id}"


class Message(models.Model):
    """One email written once and delivered to each consenting member of an audience."""

    sender = models.ForeignKey(
        Supporter,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="outreach_messages_sent",
        help_text=_("Empty for messages from the campaign itself, or once the sender deleted their account."),
    )
    audience = models.CharField(max_length=AUDIENCE_MAX_LENGTH)
    audience_label = models.CharField(_("audience"), max_length=200)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"))
    body_html = models.TextField(editable=False)
    reply_to_sender = models.BooleanField(default=True)
    # Personal messages: where the sender wrote from (`fundraising_page:12`) and the link they share.
    source = models.CharField(max_length=SOURCE_MAX_LENGTH, blank=True)
    link_url = models.CharField(max_length=500, blank=True)
    # The language the message is written in, for readers whose own language is unknown.
    language = models.CharField(max_length=8, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [models.Index(fields=["audience", "-created_at"])]

    def __str__(self) -> str:
        return self.subject


class Delivery(models.Model):
    """One message to one supporter, or to one plain address for a personal message.

    Unique per (message, supporter) and per (message, address), so no one is sent a message twice;
    a personal message's deliveries also carry its `source`, unique with the address, so that an
    address gets at most one email from a given source (a fundraising page) ever.

    `queued` → `sending` (claimed by one worker) → `sent` or `failed`; `skipped` when the supporter
    withdrew consent (or left), or the address was suppressed, between the message being written
    and sent.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        FAILED = "failed", _("Failed")
        SKIPPED = "skipped", _("Skipped")

    message = models.ForeignKey(Message, on_delete=models.CASCADE, related_name="deliveries")
    supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, null=True, blank=True, related_name="outreach_deliveries"
    )
    # A plain address (lower case), for the deliveries of personal messages; empty for supporters.
    address = models.CharField(max_length=ADDRESS_MAX_LENGTH, blank=True)
    source = models.CharField(max_length=SOURCE_MAX_LENGTH, blank=True)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["message", "supporter"], name="delivery_once_per_supporter"),
            models.UniqueConstraint(
                fields=["message", "address"], condition=~Q(address=""), name="delivery_once_per_address"
            ),
            models.UniqueConstraint(
                fields=["source", "address"],
                condition=~Q(source="") & ~Q(address=""),
                name="delivery_once_per_source_and_address",
            ),
            models.CheckConstraint(
                condition=Q(supporter__isnull=False, address="") | Q(supporter__isnull=True) & ~Q(address=""),
                name="delivery_to_a_supporter_or_an_address",
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["message", "status"])]

    def __str__(self) -> str:
        return f"{self.message_id} → {self.supporter_id or self.address}: {self.status}"


class Suppression(models.Model):
    """An address no marketing or personal email goes to, whoever sends it: the global suppression list.

    One row per address (lower case), for supporters and plain addresses alike: a one-click
    unsubscribe from a personal message, "unsubscribe from everything", a hard bounce or a spam
    complaint reported by the mail provider. Transactional mail (verification, receipts) ignores it.
    """

    class Reason(models.TextChoices):
        UNSUBSCRIBED = "unsubscribed", _("Unsubscribed")
        BOUNCED = "bounced", _("Bounced")
        COMPLAINED = "complained", _("Complained of spam")

    address = models.CharField(max_length=ADDRESS_MAX_LENGTH, unique=True)
    reason = models.CharField(max_length=16, choices=Reason.choices)
    # Where it came from: `unsubscribe`, `preferences`, `esp:<event id>`, `admin`…
    source = models.CharField(max_length=SOURCE_MAX_LENGTH, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("suppressed address")
        verbose_name_plural = _("suppressed addresses")
        ordering: ClassVar = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.address} ({self.reason})"
