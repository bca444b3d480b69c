"""Email to supporters who asked for it: consents per audience, messages and their deliveries.

An *audience* is a string key naming who a message goes to and what a supporter consented to:
`group:12` (a local group's members), `event:34` (an event's attendees), `campaign_news` (the
campaign itself) or `personal` (a supporter writing to people of their own network, who are not
necessarily supporters: those deliveries go to a plain `address`). Consent to every audience is
`accounts.Consent` (the decision in force) and `accounts.ConsentRecord` (its evidence), written
only by `accounts.actions.record_consent`.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import AUDIENCE_MAX_LENGTH, CAMPAIGN_NEWS, Supporter

# Messages a supporter writes to addresses of their own network (see `actions.send_personal_email`).
PERSONAL = "personal"
ADDRESS_MAX_LENGTH = 254
SOURCE_MAX_LENGTH = 100


def audience_kind(audience: str) -> str:
    """`group` for `group:12`, `campaign_news` for `campaign_news`."""
    return audience.split(":", 1)[0]


# Subscription topics a supporter chooses on the preferences page, with `group:<id>` audiences (the
# groups they joined) and `event:<id>` ones.
TOPIC_LOCAL_EVENTS = "local_events"
TOPIC_FUNDRAISING = "fundraising"
TOPICS = {
    CAMPAIGN_NEWS: _("News and calls to action from the campaign"),
    TOPIC_LOCAL_EVENTS: _("Events near me"),
    TOPIC_FUNDRAISING: _("Fundraising appeals"),
}


class Message(models.Model):
    """One email (or text message) written once and delivered to each consenting member of an audience.

    Leaders' and hosts' messages are sent as they are written. Staff messages (`/organize/email/`) start
    as drafts, are tested and previewed, then sent now or at `scheduled_at`: the audience is
    snapshotted (its deliveries written) when the send starts, and staff can cancel while it runs.
    """

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SCHEDULED = "scheduled", _("Scheduled")
        SENDING = "sending", _("Sending")
        SENT = "sent", _("Sent")
        CANCELLED = "cancelled", _("Cancelled")

    class Channel(models.TextChoices):
        EMAIL = "email", _("Email")
        SMS = "sms", _("Text message")

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
    channel = models.CharField(max_length=8, choices=Channel.choices, default=Channel.EMAIL)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.SENDING)
    preview_text = models.CharField(_("preview text"), max_length=200, blank=True)
    # Other languages' versions: {"fr": {"subject": …, "preview_text": …, "body": …, "body_html": …}}.
    versions = models.JSONField(default=dict, blank=True)
    # The segment's filters as the builder saved them (see `segments.Segment`).
    segment = models.JSONField(default=dict, blank=True)
    # The message's own referral code (reach): its links carry it, and actions credited through it count.
    refcode = models.CharField(max_length=16, blank=True)
    scheduled_at = models.DateTimeField(null=True, blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    recipient_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    # The random key of the compose form it was sent from: a second click, a resubmitted form or a
    # retried request finds the message already written (unique), and no one gets it twice.
    send_key = models.CharField(max_length=64, blank=True, default="", db_default="")

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering: ClassVar = ["-created_at", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["send_key"], condition=~Q(send_key=""), name="message_once_per_send_key"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["audience", "-created_at"]),
            models.Index(fields=["status", "scheduled_at"]),
        ]

    def __str__(self) -> str:
        return self.subject

    def version(self, language: str) -> dict[str, str]:
        """Subject, preview text and body for a reader of `language`: theirs if written, else the default."""
        other = self.versions.get(language) if language != self.language else None
        if other and other.get("subject") and other.get("body"):
            return other
        return {
            "subject": self.subject,
            "preview_text": self.preview_text,
            "body": self.body,
            "body_html": self.body_html,
        }


class Delivery(models.Model):
    """One message to one supporter, or to one plain address for a personal message.

    Unique per (message, supporter) and per (message, address), so no one is sent a message twice;
    a personal message's deliveries also carry its `source`, unique with the address, so that an
    address gets at most one email from a given source (a fundraising page) ever.

    `queued` → `sending` (claimed by one worker) → `sent` or `failed`; a text that would arrive in the
    recipient's quiet hours goes back to `queued` with `not_before` (deferred); `skipped` when the supporter
    withdrew consent (or left), or the address was suppressed, between the message being written
    and sent. `failed` with an error starting `unknown:` when its worker went silent while handing it
    over: it may have arrived, and is not sent again.
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
    # When a worker claimed it (renewed while the worker works: its lease), which claim (a random
    # token: every later write of that worker checks it is still its own), and when that worker began
    # handing it to the mail server: a claimed delivery never attempted is safe to queue again after
    # its lease ran out; an attempted one is never sent again (see `actions.delivery`).
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True, default="", db_default="")
    attempted_at = models.DateTimeField(null=True, blank=True)
    # When its worker durably opened the chunk it belongs to (one durable commit per chunk, before
    # any email of the chunk goes): `attempted_at` itself is committed without waiting for the disk,
    # so after a database server restart the sweep trusts only what was handed over since.
    handover_at = models.DateTimeField(null=True, blank=True)
    # A text deferred by the recipient's quiet hours: not claimed before this time (their morning).
    not_before = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # What the mail provider said afterwards (anymail tracking webhooks); no open tracking.
    delivered_at = models.DateTimeField(null=True, blank=True)
    bounced_at = models.DateTimeField(null=True, blank=True)
    complained_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

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
        indexes: ClassVar = [
            models.Index(fields=["message", "status"]),
            models.Index(fields=["status", "claimed_at"], name="delivery_status_claimed"),
        ]

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


class SmsSubscription(models.Model):
    """A phone number that asked for the campaign's text messages, with the exact wording it agreed to.

    One row per number (E.164). `opted_out_at` is set at once by STOP (or ARRÊT, UNSUBSCRIBE…) and
    cleared only by START texted from the number itself, which records the new wording. A number
    typed into the form is subscribed only once the code texted to it is typed back
    (`SmsConfirmation`), and never while it is stopped.
    """

    class Source(models.TextChoices):
        FORM = "form", _("Opt-in form")
        KEYWORD = "keyword", _("Texted START")
        DEMO = "demo", _("Demo data")

    supporter = models.ForeignKey(
        Supporter, on_delete=models.CASCADE, null=True, blank=True, related_name="sms_subscriptions"
    )
    phone = models.CharField(max_length=20, unique=True)
    wording = models.TextField()
    language = models.CharField(max_length=8)
    source = models.CharField(max_length=16, choices=Source.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # IANA zone the quiet hours are counted in (the supporter's, or the campaign's).
    time_zone = models.CharField(max_length=64, blank=True)
    opted_in_at = models.DateTimeField(default=timezone.now)
    opted_out_at = models.DateTimeField(null=True, blank=True)
    # When the opt-out was confirmed by text (once per opt-out).
    opt_out_confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("text message subscription")
        verbose_name_plural = _("text message subscriptions")
        indexes: ClassVar = [
            # The texting segment's count and snapshot: the supporters with an active number.
            models.Index(
                fields=["supporter"],
                condition=Q(opted_out_at__isnull=True, supporter__isnull=False),
                name="sms_subscription_active",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.phone} ({'out' if self.opted_out_at else 'in'})"

    @property
    def is_active(self) -> bool:
        return self.opted_out_at is None


class SmsConfirmation(models.Model):
    """A number typed into the preferences form, waiting for the code texted to it (double opt-in).

    Typing a number proves nothing; receiving a text at it does: the subscription is recorded only
    when the code is typed back (`actions.sms.confirm_sms_opt_in`), and a number that texted STOP is
    sent no code at all (only START texted from it subscribes it again). The code is kept as a keyed
    hash; each row is one code sent, so the rows also count codes per number and per supporter.
    """

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="sms_confirmations")
    phone = models.CharField(max_length=20)
    code_hash = models.CharField(max_length=64)
    # The wording of the box ticked, recorded on the subscription once confirmed.
    wording = models.TextField()
    language = models.CharField(max_length=8)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveSmallIntegerField(default=0)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("text message confirmation")
        verbose_name_plural = _("text message confirmations")
        indexes: ClassVar = [
            models.Index(fields=["phone", "created_at"], name="sms_confirmation_phone"),
            models.Index(fields=["supporter", "created_at"], name="sms_confirmation_supporter"),
        ]

    def __str__(self) -> str:
        return f"{self.phone} ({'confirmed' if self.confirmed_at else 'waiting'})"


class InboundSms(models.Model):
    """A text received from a gateway's webhook, once per provider message id (retries are ignored)."""

    provider = models.CharField(max_length=32)
    provider_id = models.CharField(max_length=64)
    phone = models.CharField(max_length=20)
    body = models.TextField()
    keyword = models.CharField(max_length=16, blank=True)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("text message received")
        verbose_name_plural = _("text messages received")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["provider", "provider_id"], name="inbound_sms_once"),
        ]

    def __str__(self) -> str:
        return f"{self.phone}: {self.body[:20]}"
