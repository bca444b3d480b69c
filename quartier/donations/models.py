"""Gifts, monthly gifts, donors' running totals, gateway bookkeeping and fundraising pages.

Money is always an integer of minor units (cents) with its currency; never a float.
"""

from __future__ import annotations

from typing import ClassVar

from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Supporter


class Frequency(models.TextChoices):
    ONCE = "once", _("One time")
    MONTHLY = "monthly", _("Monthly")


class Gateway(models.TextChoices):
    SANDBOX = "sandbox", _("Sandbox (no real money)")
    STRIPE = "stripe", "Stripe"


class Team(models.Model):
    """Several fundraising pages that add up together."""

    name = models.CharField(_("team name"), max_length=120)
    slug = models.SlugField(max_length=80, unique=True)
    captain = models.ForeignKey(
        Supporter, on_delete=models.SET_NULL, null=True, related_name="captained_teams"
    )
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("donations:team", args=[self.slug])


class FundraisingPage(models.Model):
    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        HIDDEN = "hidden", _("Hidden by the campaign")

    owner = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="fundraising_pages")
    slug = models.SlugField(max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=120)
    story = models.TextField(_("your story"), max_length=8000, blank=True)
    story_html = models.TextField(blank=True, editable=False)
    photo = models.ImageField(
        upload_to="fundraising/", blank=True, width_field="photo_width", height_field="photo_height"
    )
    photo_width = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, blank=True, editable=False)
    photo_alt = models.CharField(_("photo description"), max_length=300, blank=True)
    goal_minor = models.PositiveBigIntegerField(_("goal"))
    currency = models.CharField(max_length=3)
    event = models.ForeignKey(
        "organizing.Event", on_delete=models.SET_NULL, null=True, blank=True, related_name="fundraising_pages"
    )
    team = models.ForeignKey(Team, on_delete=models.SET_NULL, null=True, blank=True, related_name="pages")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    # Kept up to date in the same transaction as each gift and refund: a page never sums its gifts.
    total_minor = models.BigIntegerField(default=0)
    gift_count = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["status", "-total_minor"], name="page_leaderboard_idx"),
            models.Index(fields=["team", "-total_minor"], name="page_team_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("donations:page", args=[self.slug])

    @property
    def percent(self) -> int:
        if not self.goal_minor:
            return 0
        return max(0, min(100, self.total_minor * 100 // self.goal_minor))


class RecurringGift(models.Model):
    """A monthly gift: the processor charges the card it keeps; each charge is its own `Donation`."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the first payment")
        ACTIVE = "active", _("Active")
        CANCELLED = "cancelled", _("Cancelled")

    supporter = models.ForeignKey(
        Supporter, on_delete=models.SET_NULL, null=True, blank=True, related_name="recurring_gifts"
    )
    gateway = models.CharField(max_length=8, choices=Gateway.choices)
    subscription_reference = models.CharField(max_length=120, unique=True, null=True, blank=True)
    amount_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    next_charge_at = models.DateTimeField(null=True, blank=True)
    charges = models.PositiveIntegerField(default=0)
    # How many amount changes were applied: names the next change's processor call (its idempotency key).
    amount_changes = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(default=timezone.now)
    cancelled_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["status", "next_charge_at"], name="recurring_due_idx")]

    def __str__(self) -> str:
        return f"{self.amount_minor} {self.currency}/month ({self.status})"


class Donation(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for payment")
        SUCCEEDED = "succeeded", _("Paid")
        FAILED = "failed", _("Not paid")

    class Flag(models.TextChoices):
        NONE = "", _("None")
        OVER_LIMIT = "over_limit", _("Over the legal limit: refund or redesignate")
        MISSING_DETAILS = "missing_details", _("Employer or occupation missing")

    supporter = models.ForeignKey(
        Supporter, on_delete=models.SET_NULL, null=True, blank=True, related_name="donations"
    )
    # Who the donor is for the law: gifts add up by this key (see `compliance.identity_key`).
    identity_key = models.CharField(max_length=64, db_index=True)
    first_name = models.CharField(_("first name"), max_length=80)
    last_name = models.CharField(_("last name"), max_length=80)
    email = models.EmailField(_("email address"))
    address_line = models.CharField(_("street address"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=80, blank=True)
    region = models.CharField(_("state or province"), max_length=40, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=12, blank=True)
    country = models.CharField(_("country"), max_length=2, default="CA")
    employer = models.CharField(_("employer"), max_length=120, blank=True)
    occupation = models.CharField(_("occupation"), max_length=120, blank=True)
    attestation = models.TextField(blank=True)  # the exact wording the donor ticked, in their language
    language = models.CharField(max_length=8, default="en")

    amount_minor = models.PositiveIntegerField()
    currency = models.CharField(max_length=3)
    frequency = models.CharField(max_length=8, choices=Frequency.choices, default=Frequency.ONCE)
    recurring = models.ForeignKey(
        RecurringGift, on_delete=models.SET_NULL, null=True, blank=True, related_name="donations"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    refunded_minor = models.PositiveIntegerField(default=0)
    gateway = models.CharField(max_length=8, choices=Gateway.choices)
    checkout_reference = models.CharField(max_length=120, unique=True, null=True, blank=True)
    payment_reference = models.CharField(max_length=120, unique=True, null=True, blank=True)
    # A monthly charge's invoice at the processor (Stripe's invoices carry their payments separately).
    invoice_reference = models.CharField(max_length=120, unique=True, null=True, blank=True)
    # A hash of the browser session that started a checkout held only for that session (see `limits`).
    checkout_session = models.CharField(max_length=64, blank=True, default="")
    express = models.BooleanField(default=False)  # charged in one step with the card the processor kept

    page = models.ForeignKey(
        FundraisingPage, on_delete=models.SET_NULL, null=True, blank=True, related_name="donations"
    )
    credited_to = models.ForeignKey(
        Supporter, on_delete=models.SET_NULL, null=True, blank=True, related_name="credited_donations"
    )
    refcode = models.CharField(max_length=40, blank=True)
    show_name = models.BooleanField(_("show my name on the honour roll"), default=False)

    period = models.CharField(max_length=20, blank=True)  # the limit's period: "2026-primary", "2026"
    reservation_held = models.BooleanField(default=False)
    flag = models.CharField(max_length=16, choices=Flag.choices, blank=True, default=Flag.NONE)
    flagged_at = models.DateTimeField(null=True, blank=True)
    resolve_by = models.DateTimeField(null=True, blank=True)
    follow_up_sent_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    receipt_sent_at = models.DateTimeField(null=True, blank=True)

    created_at = models.DateTimeField(default=timezone.now)
    succeeded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["page", "status", "-succeeded_at"], name="donation_honour_roll_idx"),
            models.Index(fields=["supporter", "-created_at"], name="donation_history_idx"),
            models.Index(fields=["status", "-succeeded_at"], name="donation_staff_list_idx"),
            models.Index(fields=["flag", "flagged_at"], name="donation_flag_idx", condition=~Q(flag="")),
        ]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(amount_minor__gt=0), name="donation_amount_positive"),
            models.CheckConstraint(
                condition=Q(refunded_minor__lte=models.F("amount_minor")),
                name="donation_refund_at_most_amount",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.amount_minor} {self.currency} from {self.first_name} {self.last_name} ({self.status})"

    @property
    def net_minor(self) -> int:
        return self.amount_minor - self.refunded_minor

    @property
    def honour_roll_name(self) -> str:
        return f"{self.first_name} {self.last_name[:1]}." if self.last_name else self.first_name


class DonorAggregate(models.Model):
    """A donor's running total for one period of the limit, and what checkouts have reserved.

    `reserved + total + amount <= limit` is checked and written in one conditional UPDATE, so two
    simultaneous gifts cannot together pass the limit.
    """

    identity_key = models.CharField(max_length=64)
    period = models.CharField(max_length=20)
    total_minor = models.BigIntegerField(default=0)
    reserved_minor = models.BigIntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["identity_key", "period"], name="aggregate_identity_period_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.identity_key[:8]} {self.period}: {self.total_minor} (+{self.reserved_minor})"


class DailyTotal(models.Model):
    """The organisers' figures, kept up to date with each gift: a few rows a day, never a scan.

    Each day is split into a few shards so that concurrent gifts do not queue on one row.
    """

    day = models.DateField()
    currency = models.CharField(max_length=3)
    shard = models.PositiveSmallIntegerField(default=0)
    gift_count = models.PositiveIntegerField(default=0)
    amount_minor = models.BigIntegerField(default=0)
    under_50_count = models.PositiveIntegerField(default=0)
    under_200_count = models.PositiveIntegerField(default=0)
    recurring_count = models.PositiveIntegerField(default=0)
    recurring_minor = models.BigIntegerField(default=0)
    refund_count = models.PositiveIntegerField(default=0)
    refund_minor = models.BigIntegerField(default=0)
    # Monthly gifts started minus cancelled that day: their running sum is the monthly revenue.
    monthly_change_minor = models.BigIntegerField(default=0)
    monthly_change_count = models.IntegerField(default=0)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["day", "currency", "shard"], name="daily_total_unique")
        ]

    def __str__(self) -> str:
        return f"{self.day} {self.currency}#{self.shard}"


class WebhookEvent(models.Model):
    """Each processor event applied once: inserted in the same transaction as its state change."""

    gateway = models.CharField(max_length=8, choices=Gateway.choices)
    event_id = models.CharField(max_length=120)
    type = models.CharField(max_length=80)
    received_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="webhook_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.gateway}:{self.event_id} {self.type}"


class InboxEvent(models.Model):
    """A signed processor event as delivered: stored with one insert, applied later in batches (`inbox`).

    The delivery is answered as soon as this row exists; a duplicate delivery inserts nothing (the
    unique event id, `ON CONFLICT DO NOTHING`). An event that cannot be applied yet stays pending and is
    tried again; one that fails every try (`attempts`, `last_error`) is left `failed` for staff.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting to be applied")
        DONE = "done", _("Applied")
        FAILED = "failed", _("Failed: needs staff")

    gateway = models.CharField(max_length=8, choices=Gateway.choices)
    event_id = models.CharField(max_length=120)
    type = models.CharField(max_length=80)
    payload = models.JSONField()
    # Our gift's id from the event's metadata, when it names one: the thanks page applies its own events.
    donation_hint = models.BigIntegerField(null=True, blank=True)
    state = models.CharField(max_length=8, choices=State.choices, default=State.PENDING)
    outcome = models.CharField(max_length=16, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    next_try_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="inbox_event_once")
        ]
        indexes: ClassVar = [
            models.Index(fields=["id"], name="inbox_pending_idx", condition=Q(state="pending")),
            models.Index(fields=["state", "received_at"], name="inbox_state_idx"),
            models.Index(fields=["donation_hint"], name="inbox_donation_idx", condition=Q(state="pending")),
        ]

    def __str__(self) -> str:
        return f"{self.gateway}:{self.event_id} {self.type} ({self.state})"


class ParkedEvent(models.Model):
    """A processor event that matches no gift yet: kept with its payload, never marked applied.

    Applied when its gift appears (an event naming the same references) or by `reconcile_stripe`,
    which lists those that stay unmatched. The references were resolved (with the processor's API
    when needed) when the event was parked, so applying it later needs no call.
    """

    gateway = models.CharField(max_length=8, choices=Gateway.choices)
    event_id = models.CharField(max_length=120)
    type = models.CharField(max_length=80)
    payload = models.JSONField()
    donation_id_hint = models.BigIntegerField(null=True, blank=True)
    payment_intent = models.CharField(max_length=120, blank=True, db_index=True)
    invoice = models.CharField(max_length=120, blank=True, db_index=True)
    subscription = models.CharField(max_length=120, blank=True, db_index=True)
    parked_at = models.DateTimeField(default=timezone.now)
    last_tried_at = models.DateTimeField(default=timezone.now)
    attempts = models.PositiveIntegerField(default=1)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["gateway", "event_id"], name="parked_event_once")
        ]

    def __str__(self) -> str:
        return f"{self.gateway}:{self.event_id} {self.type} (parked)"


class GatewayCall(models.Model):
    """The idempotency key of each processor API call, reused by every retry of the same call."""

    purpose = models.CharField(max_length=120, unique=True)  # "checkout:12", "refund:5:1500"
    idempotency_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return self.purpose


class SavedPaymentMethod(models.Model):
    """What the processor gave back to charge a returning donor again: references, never card data."""

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="saved_payment_methods")
    gateway = models.CharField(max_length=8, choices=Gateway.choices)
    customer_reference = models.CharField(max_length=120)
    method_reference = models.CharField(max_length=120)
    label = models.CharField(max_length=60)  # "Visa •••• 4242", as the processor describes it
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["supporter", "gateway"], name="one_saved_method_per_gateway")
        ]

    def __str__(self) -> str:
        return self.label


class RefundRequest(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for the campaign")
        APPROVED = "approved", _("Refunded")
        DECLINED = "declined", _("Declined")

    donation = models.ForeignKey(Donation, on_delete=models.CASCADE, related_name="refund_requests")
    requested_by = models.ForeignKey(
        Supporter, on_delete=models.SET_NULL, null=True, related_name="refund_requests"
    )
    reason = models.TextField(_("reason"), max_length=2000, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        Supporter, on_delete=models.SET_NULL, null=True, blank=True, related_name="refund_decisions"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["donation"], condition=Q(status="pending"), name="one_pending_refund_request"
            )
        ]

    def __str__(self) -> str:
        return f"Refund of {self.donation_id} ({self.status})"
