"""Supporters (the people who use Quartier), their profiles and the consents they gave."""

from __future__ import annotations

import re
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from quartier.accounts import signed_in


class Visibility(models.TextChoices):
    PUBLIC = "public", _("Everyone")
    SUPPORTERS = "supporters", _("Signed-in supporters")
    PRIVATE = "private", _("Only me")


class Affiliation(models.TextChoices):
    """What the campaign says a person is to it. Set by staff; the person cannot hide it."""

    NONE = "", _("Supporter")
    STAFF = "staff", _("Campaign staff")
    PAID = "paid", _("Paid by the campaign")
    AMBASSADOR = "ambassador", _("Campaign ambassador")


class SupporterQuerySet(models.QuerySet["Supporter"]):
    """Writes in bulk to supporters' rows tell the signed-in cache (`signed_in.forget`), as `save()` does."""

    def update(self, **changes: object) -> int:
        changed = list(self.values_list("pk", flat=True))
        count = super().update(**changes)
        signed_in.forget(*changed)
        return count

    update.alters_data = True

    def delete(self) -> tuple[int, dict[str, int]]:
        deleted = list(self.values_list("pk", flat=True))
        result = super().delete()
        signed_in.forget(*deleted)
        return result

    delete.alters_data = True
    delete.queryset_only = True


class SupporterManager(BaseUserManager.from_queryset(SupporterQuerySet)):  # type: ignore[misc]
    use_in_migrations = True

    def create_user(self, email: str, password: str | None = None, **fields: object) -> Supporter:
        if not email:
            raise ValueError("A supporter needs an email address")
        supporter = self.model(email=self.normalize_email(email).lower(), **fields)
        supporter.set_password(password)
        supporter.save(using=self._db)
        return supporter

    def create_superuser(self, email: str, password: str | None = None, **fields: object) -> Supporter:
        fields.setdefault("is_staff", True)
        fields.setdefault("is_superuser", True)
        fields.setdefault("affiliation", Affiliation.STAFF)
        return self.create_user(email, password, **fields)


class Supporter(AbstractBaseUser, PermissionsMixin):
    """A person with an account. Staff organisers are supporters with `is_staff`."""

    email = models.EmailField(_("email address"), unique=True)
    handle = models.CharField(_("handle"), max_length=30, unique=True)
    display_name = models.CharField(_("name"), max_length=80)
    country = models.CharField(_("country"), max_length=2, default="CA")
    postal_code = models.CharField(_("postal code"), max_length=10, blank=True)
    town = models.CharField(_("town"), max_length=80, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="en")
    affiliation = models.CharField(
        _("affiliation"), max_length=12, choices=Affiliation.choices, default=Affiliation.NONE, blank=True
    )
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # The verification badges shown next to the name (bits of `badges.Badge`), kept on the row so that
    # lists of names need no query: earned badges minus those the supporter hides (`verification.py`).
    shown_badges = models.PositiveSmallIntegerField(default=0, db_default=0)
    hidden_badges = models.PositiveSmallIntegerField(default=8, db_default=8)  # the donor badge: opt-in
    is_active = models.BooleanField(default=True)
    is_staff = models.BooleanField(
        _("organiser"), default=False, help_text=_("Campaign organisers can run the whole campaign.")
    )
    date_joined = models.DateTimeField(default=timezone.now)
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = SupporterManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = ["display_name", "handle"]

    class Meta:
        verbose_name = _("supporter")
        verbose_name_plural = _("supporters")
        constraints: ClassVar = [
            models.UniqueConstraint(Lower("email"), name="supporter_email_ci_unique"),
        ]
        # The API's people listing filters on when a person joined or last changed (`modified_date`,
        # `created_date`); with `api.PersonDetails.modified_at` this serves `modified_date gt …`.
        indexes: ClassVar = [models.Index(fields=["date_joined"], name="supporter_date_joined_idx")]

    def __str__(self) -> str:
        return self.display_name or self.email

    def get_absolute_url(self) -> str:
        return reverse("accounts:profile", args=[self.handle])

    def save(self, *args: object, **kwargs: object) -> None:
        super().save(*args, **kwargs)
        signed_in.forget(self.pk)  # the row the signed-in cache keeps for them changed (any caller)

    def delete(self, *args: object, **kwargs: object) -> tuple[int, dict[str, int]]:
        pk = self.pk
        result = super().delete(*args, **kwargs)
        signed_in.forget(pk)
        return result

    @property
    def is_verified(self) -> bool:
        return self.email_verified_at is not None and self.is_active

    @property
    def transparency_label(self) -> str:
        """The affiliation shown next to the name; staff organisers are always labelled."""
        if self.affiliation:
            return self.affiliation
        return Affiliation.STAFF if self.is_staff else ""

    def get_transparency_label_display(self) -> str:
        return str(Affiliation(self.transparency_label).label) if self.transparency_label else ""


class Cause(models.Model):
    """A cause or interest a supporter can pick, named in both languages by the campaign."""

    slug = models.SlugField(unique=True)
    name_en = models.CharField(max_length=80)
    name_fr = models.CharField(max_length=80)

    class Meta:
        ordering: ClassVar = ["name_en"]

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return self.name_fr if (get_language() or "en").startswith("fr") else self.name_en


class Profile(models.Model):
    """What a supporter chooses to show about themselves, each field with its own visibility."""

    supporter = models.OneToOneField(Supporter, on_delete=models.CASCADE, primary_key=True)
    photo = models.ImageField(upload_to="photos/", blank=True)
    photo_visibility = models.CharField(max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC)
    bio = models.TextField(_("about me"), blank=True, max_length=4000)
    bio_html = models.TextField(blank=True, editable=False)
    bio_visibility = models.CharField(max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC)
    why_involved = models.TextField(_("why I'm involved"), blank=True, max_length=4000)
    why_involved_html = models.TextField(blank=True, editable=False)
    why_involved_visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    town_visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.SUPPORTERS
    )
    causes = models.ManyToManyField(Cause, blank=True, related_name="profiles")
    causes_visibility = models.CharField(max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC)
    languages_spoken = models.JSONField(default=list, blank=True)
    languages_visibility = models.CharField(
        max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC
    )
    links = models.JSONField(default=list, blank=True)
    links_visibility = models.CharField(max_length=12, choices=Visibility.choices, default=Visibility.PUBLIC)
    updated_at = models.DateTimeField(auto_now=True)

    FIELDS_WITH_VISIBILITY: ClassVar[tuple[str, ...]] = (
        "photo", "bio", "why_involved", "town", "causes", "languages", "links",
    )  # fmt: skip

    def __str__(self) -> str:
        return f"Profile of {self.supporter}"

    def visibility_of(self, field: str) -> str:
        return getattr(self, f"{field}_visibility")


class AffiliationChange(models.Model):
    """Who changed whose transparency label, and when: the labels are the campaign's word."""

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="affiliation_changes")
    changed_by = models.ForeignKey(
        Supporter, on_delete=models.SET_NULL, null=True, related_name="affiliation_changes_made"
    )
    previous = models.CharField(max_length=12, choices=Affiliation.choices, blank=True)
    new = models.CharField(max_length=12, choices=Affiliation.choices, blank=True)
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-changed_at"]

    def __str__(self) -> str:
        return f"{self.previous or '-'} → {self.new or '-'} for {self.supporter_id}"


# The campaign's own news: the topic every supporter is asked about when signing up.
CAMPAIGN_NEWS = "campaign_news"
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


class ConsentRecord(models.Model):
    """An append-only record of each yes or no a supporter gave to email for one audience: the evidence.

    An *audience* is a topic (`campaign_news`, `local_events`…) or the people of one group or event
    (`group:12`, `event:34`). Each record keeps the exact wording shown, in the language shown, with
    where (source), when and from which address it was given. An unsubscription is a "no" with the
    source `unsubscribe`. `Consent` holds the decision in force; `actions.record_consent` writes both.
    """

    class Source(models.TextChoices):
        SIGNUP = "signup", _("Sign-up form")
        SETTINGS = "settings", _("Email preferences")
        UNSUBSCRIBE = "unsubscribe", _("Unsubscribe link")
        RSVP = "rsvp", _("RSVP to an event")
        JOIN = "join", _("Joining a group or signing up for an event")
        IMPORT = "import", _("Import")
        DEMO = "demo", _("Demo data")

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="consent_records")
    audience = models.CharField(max_length=AUDIENCE_MAX_LENGTH)
    granted = models.BooleanField()
    wording = models.TextField()
    language = models.CharField(max_length=8)
    source = models.CharField(max_length=32, choices=Source.choices)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("consent record")
        verbose_name_plural = _("consent records")
        ordering: ClassVar = ["-created_at", "-id"]
        indexes: ClassVar = [
            models.Index(fields=["supporter", "audience", "-created_at"], name="consent_record_history")
        ]

    def __str__(self) -> str:
        return f"{self.audience}={'yes' if self.granted else 'no'} for {self.supporter_id}"


class Consent(models.Model):
    """A supporter's current yes or no to email for one audience: the one model of record.

    One row per (supporter, audience), written only by `actions.record_consent` in the same
    transaction as the `ConsentRecord` it points at (the latest one, by time then id). Sending,
    counting and segments read it directly; no row means never asked, which is a no.
    """

    supporter = models.ForeignKey(Supporter, on_delete=models.CASCADE, related_name="consents")
    audience = models.CharField(max_length=AUDIENCE_MAX_LENGTH)
    granted = models.BooleanField()
    # The evidence of this decision: its wording, language, time, source and address.
    record = models.ForeignKey(ConsentRecord, on_delete=models.CASCADE, related_name="+")

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["supporter", "audience"], name="consent_once_per_audience"),
        ]
        # Who said yes to an audience: one index-only semi-join for counts over millions.
        indexes: ClassVar = [models.Index(fields=["audience", "granted", "supporter"], name="consent_yes")]

    def __str__(self) -> str:
        return f"{self.audience}={'yes' if self.granted else 'no'} for {self.supporter_id}"


class PostalCode(models.Model):
    """A postal code's place and centroid, imported from a GeoNames postal-code dump.

    Reference data, not personal data: `quartier import_postal_codes` fills it, and
    `accounts.queries.find_place` reads it before the bundled table of `lib.places`. Codes are stored
    as the file has them (Canada: `H2X` in CA.txt, `H2X 1Y4` in CA_full.txt), normalised by
    `lib.places.normalise_postal_code`. The unique (country, code) index serves every lookup.
    """

    country = models.CharField(max_length=2)
    code = models.CharField(max_length=20)
    place_name = models.CharField(max_length=180)
    admin_name1 = models.CharField(max_length=100, blank=True)  # province, state or region
    latitude = models.FloatField()
    longitude = models.FloatField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["country", "code"], name="postalcode_country_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.country} {self.code} {self.place_name}"


class Activity(models.Model):
    """One countable thing a supporter did, recorded by the app where it happened (see `activity.py`).

    The journal the dashboards roll up: who did what, when, how much, and whom it is credited to. A
    row is written in the same transaction as the change it records and never updated; a reversal (a
    refund, a cancelled RSVP) is a row of its own. `key` makes recording idempotent: one row per
    (kind, key). `detail` holds small facts about the action (a result code, a page id, a refcode),
    never contact details.
    """

    kind = models.CharField(max_length=40)
    key = models.CharField(max_length=120)
    supporter = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="activities"
    )
    credited_to = models.ForeignKey(
        Supporter, null=True, blank=True, on_delete=models.SET_NULL, related_name="credited_activities"
    )
    occurred_at = models.DateTimeField(default=timezone.now)
    recorded_at = models.DateTimeField(auto_now_add=True)
    count = models.IntegerField(default=1)
    amount = models.BigIntegerField(default=0, help_text="Minor units (cents) when it is money.")
    currency = models.CharField(max_length=3, blank=True)
    group_id = models.BigIntegerField(null=True, blank=True)
    region = models.CharField(
        max_length=10, blank=True, help_text="COUNTRY:PREFIX of the person (CA:H2X), if known."
    )
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["kind", "key"], name="activity_once_per_key")
        ]
        indexes: ClassVar = [
            models.Index(fields=["supporter", "occurred_at"]),
            models.Index(fields=["credited_to", "occurred_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.key}"


class Branding(models.Model):
    """The campaign's name, logo, colours and mail sender, set by staff: one row (pk 1).

    An empty field means "as configured" (`SITE_NAME`, `DEFAULT_FROM_EMAIL`, the stylesheet's
    colours): read it through `accounts.branding.current()`, which fills the defaults and caches it.
    """

    name = models.CharField(_("campaign name"), max_length=80, blank=True)
    logo = models.ImageField(upload_to="branding/", blank=True)
    logo_width = models.PositiveIntegerField(default=0)
    logo_height = models.PositiveIntegerField(default=0)
    primary_colour = models.CharField(max_length=7, blank=True)
    accent_colour = models.CharField(max_length=7, blank=True)
    sender_name = models.CharField(max_length=80, blank=True)
    sender_address = models.EmailField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.name or "branding"


# Verification levels (the badges) live in their own module; imported here so Django finds them.
from quartier.accounts.verification_models import PhoneChallenge, Verification, Vouch  # noqa: E402, F401
