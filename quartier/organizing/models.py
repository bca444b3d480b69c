"""Local groups, events, their shifts and the RSVPs to them ("keep it local")."""

from __future__ import annotations

import secrets
from typing import ClassVar

from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Supporter
from quartier.lib.geo import approximate_point


class Group(models.Model):
    class JoinPolicy(models.TextChoices):
        OPEN = "open", _("Anyone can join")
        APPROVAL = "approval", _("Leaders approve new members")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")
        MERGED = "merged", _("Merged into another group")

    name = models.CharField(_("name"), max_length=120)
    slug = models.SlugField(max_length=140, unique=True)
    description = models.TextField(_("description"), max_length=8000, blank=True)
    description_html = models.TextField(blank=True, editable=False)
    area = models.CharField(
        _("area"), max_length=120, help_text=_("The neighbourhood, town or riding it covers.")
    )
    country = models.CharField(max_length=2, default="CA")
    postal_code = models.CharField(max_length=10, blank=True)
    town = models.CharField(max_length=80, blank=True)
    latitude = models.FloatField()
    longitude = models.FloatField()
    photo = models.ImageField(upload_to="groups/", blank=True)
    join_policy = models.CharField(max_length=10, choices=JoinPolicy.choices, default=JoinPolicy.OPEN)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    is_featured = models.BooleanField(default=False)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(Supporter, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    member_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes: ClassVar = [
            models.Index(fields=["status", "latitude", "longitude"], name="group_status_location"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("organizing:group", args=[self.slug])

    @property
    def is_active(self) -> bool:
        return self.status == self.Status.ACTIVE


class Membership(models.Model):
    class Role(models.TextChoices):
        LEADER = "leader", _("Leader")
        CO_LEADER = "co_leader", _("Co-leader")
        MEMBER = "member", _("Member")

    class Status(models.TextChoices):
        ACTIVE = "active", _("Member")
        PENDING = "pending", _("Waiting for approval")

    group = models.ForeignKey(Group, on_delete=models.CASCADE, related_name="memberships")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="group_memberships")
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.MEMBER)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.ACTIVE)
    referrer = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    joined_at = models.DateTimeField(default=timezone.now)
    # Whether the member appears in the group's public member list (leaders always see them).
    is_listed = models.BooleanField(default=True, db_default=True)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["group", "supporter"], name="membership_once_per_group"),
        ]
        indexes: ClassVar = [models.Index(fields=["supporter", "status"])]

    def __str__(self) -> str:
        return f"{self.supporter_id} in {self.group_id} ({self.role})"

    @property
    def leads(self) -> bool:
        return self.status == self.Status.ACTIVE and self.role in {self.Role.LEADER, self.Role.CO_LEADER}


class EventType(models.TextChoices):
    CANVASS = "canvass", _("Door-to-door canvass")
    PHONE_BANK = "phone_bank", _("Phone bank")
    HOUSE_PARTY = "house_party", _("House party")
    RALLY = "rally", _("Rally")
    MEETING = "meeting", _("Meeting")
    FUNDRAISER = "fundraiser", _("Fundraiser")
    VOTER_REGISTRATION = "voter_registration", _("Voter registration")
    TRAINING = "training", _("Training")
    OTHER = "other", _("Other")


class EventTypePolicy(models.Model):
    """Whether events of a type wait for staff approval before they are public (set by staff)."""

    event_type = models.CharField(max_length=24, choices=EventType.choices, unique=True)
    requires_approval = models.BooleanField(default=False)

    class Meta:
        verbose_name_plural = _("event type policies")

    def __str__(self) -> str:
        return f"{self.event_type}: {'approval' if self.requires_approval else 'open'}"


class Event(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting for approval")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Not approved")
        CANCELLED = "cancelled", _("Cancelled")

    class AddressVisibility(models.TextChoices):
        PUBLIC = "public", _("Everyone")
        ATTENDEES = "attendees", _("Only people who RSVPed")

    title = models.CharField(_("title"), max_length=140)
    description = models.TextField(_("description"), max_length=8000, blank=True)
    description_html = models.TextField(blank=True, editable=False)
    event_type = models.CharField(_("type"), max_length=24, choices=EventType.choices)
    host = models.ForeignKey(Supporter, on_delete=models.PROTECT, related_name="hosted_events")
    group = models.ForeignKey(Group, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PUBLISHED)
    rejection_reason = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_virtual = models.BooleanField(_("online event"), default=False)
    join_url = models.URLField(_("link to join"), blank=True, help_text=_("Shown only to people who RSVPed."))
    venue = models.CharField(_("place"), max_length=140, blank=True)
    address = models.CharField(_("street address"), max_length=200, blank=True)
    address_visibility = models.CharField(
        _("who sees the address"),
        max_length=10,
        choices=AddressVisibility.choices,
        default=AddressVisibility.PUBLIC,
    )
    country = models.CharField(max_length=2, default="CA")
    postal_code = models.CharField(max_length=10, blank=True)
    town = models.CharField(max_length=80, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    # Where searches, distances and maps put the event for anyone who may not see its address: the
    # exact point when the address is public, else a fixed grid node about a kilometre away at most.
    # Set by `place_publicly` whenever the point or the address visibility changes.
    public_latitude = models.FloatField(null=True, blank=True, editable=False)
    public_longitude = models.FloatField(null=True, blank=True, editable=False)
    time_zone = models.CharField(max_length=64, default="America/Toronto")
    starts_at = models.DateTimeField(help_text="Start of the first shift (kept in step by actions).")
    ends_at = models.DateTimeField(help_text="End of the last shift (kept in step by actions).")
    max_guests_per_rsvp = models.PositiveSmallIntegerField(
        _("guests each person may bring"), default=0, help_text=_("0: people come on their own.")
    )
    duplicated_from = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes: ClassVar = [
            # Covers the radius search's first query (ids and coordinates only): no table lookups.
            models.Index(
                fields=["status", "public_latitude", "public_longitude", "ends_at", "is_virtual"],
                name="event_near_public",
            ),
            models.Index(fields=["status", "starts_at"], name="event_upcoming"),
            models.Index(fields=["host", "starts_at"]),
            models.Index(fields=["group", "status", "ends_at"], name="event_group_upcoming"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("organizing:event", args=[self.pk])

    @property
    def is_published(self) -> bool:
        return self.status == self.Status.PUBLISHED

    def place_publicly(self) -> None:
        """Derive the public point from the exact one and the address visibility (not saved here)."""
        self.public_latitude, self.public_longitude = public_point(
            self.latitude, self.longitude, exact=self.address_visibility == self.AddressVisibility.PUBLIC
        )

    @property
    def is_past(self) -> bool:
        return self.ends_at <= timezone.now()


def public_point(
    latitude: float | None, longitude: float | None, *, exact: bool
) -> tuple[float | None, float | None]:
    if latitude is None or longitude is None:
        return None, None
    return (latitude, longitude) if exact else approximate_point(latitude, longitude)


class Shift(models.Model):
    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="shifts")
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"))
    capacity = models.PositiveIntegerField(_("places"))
    # Places taken by confirmed RSVPs (each RSVP takes 1 + its guests); kept with F() under a row lock.
    confirmed_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering: ClassVar = ["starts_at", "pk"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(ends_at__gt=F("starts_at")), name="shift_ends_after_start"),
            models.CheckConstraint(condition=Q(capacity__gt=0), name="shift_capacity_positive"),
            models.CheckConstraint(
                condition=Q(confirmed_count__lte=F("capacity")), name="shift_never_over_capacity"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_id} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def places_left(self) -> int:
        return max(self.capacity - self.confirmed_count, 0)

    @property
    def is_full(self) -> bool:
        return self.confirmed_count >= self.capacity


class Rsvp(models.Model):
    class Status(models.TextChoices):
        CONFIRMED = "confirmed", _("Going")
        WAITLISTED = "waitlisted", _("On the waiting list")
        CANCELLED = "cancelled", _("Cancelled")

    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="rsvps")
    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="rsvps")
    status = models.CharField(max_length=10, choices=Status.choices)
    guests = models.PositiveSmallIntegerField(default=0)
    phone = models.CharField(max_length=30, blank=True)
    shares_contact = models.BooleanField(default=False)
    referrer = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    attended = models.BooleanField(null=True)
    is_walk_in = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering: ClassVar = ["created_at", "pk"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["shift", "supporter"], name="rsvp_once_per_shift"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["shift", "status", "created_at"]),
            models.Index(fields=["supporter", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.supporter_id} → shift {self.shift_id} ({self.status})"

    @property
    def places(self) -> int:
        return 1 + self.guests


class PendingRsvp(models.Model):
    """An RSVP asked for an email address by someone not signed in as its owner.

    Nothing touches the account behind the address (if there is one) until the owner follows the
    link emailed to it: only then are the RSVPs created and the consents recorded.
    """

    class Kind(models.TextChoices):
        GUEST = "guest", _("Guest RSVP")
        WALK_IN = "walk_in", _("Walk-in")

    event = models.ForeignKey(Event, on_delete=models.CASCADE, related_name="pending_rsvps")
    shifts = models.ManyToManyField(Shift, related_name="+")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.GUEST)
    email = models.EmailField()
    # The account the address belonged to when asked (kept for the owner's data export and erasure).
    supporter = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.CASCADE, related_name="pending_rsvps"
    )
    name = models.CharField(max_length=80, blank=True)
    country = models.CharField(max_length=2, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    language = models.CharField(max_length=10, default="en")
    guests = models.PositiveSmallIntegerField(default=0)
    phone = models.CharField(max_length=30, blank=True)
    shares_contact = models.BooleanField(default=False)
    accepts_messages = models.BooleanField(default=False)
    news_consent = models.BooleanField(default=False)
    referrer = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    # SHA-256 of the secret in the emailed link: the database never holds a usable link.
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_rsvps = models.ManyToManyField("Rsvp", related_name="+", blank=True)

    class Meta:
        indexes: ClassVar = [models.Index(fields=["expires_at"])]

    def __str__(self) -> str:
        return f"pending {self.kind} for event {self.event_id}"

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class SentReminder(models.Model):
    """One row per reminder sent, so that a job run twice never sends the same reminder twice."""

    rsvp = models.ForeignKey(Rsvp, on_delete=models.CASCADE, related_name="sent_reminders")
    hours_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["rsvp", "hours_before"], name="reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.hours_before} h reminder for {self.rsvp_id}"


def new_calendar_token() -> str:
    return secrets.token_urlsafe(24)


class CalendarFeed(models.Model):
    """The secret address of a supporter's personal iCal feed."""

    supporter = models.OneToOneField(Supporter, on_delete=models.CASCADE, primary_key=True)
    token = models.CharField(max_length=64, unique=True, default=new_calendar_token)

    def __str__(self) -> str:
        return f"calendar of {self.supporter_id}"
