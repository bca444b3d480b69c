"""Writes about supporters: every change a person or the campaign makes to an account goes here."""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from quartier.accounts import branding, privacy
from quartier.accounts.activity import record_activity
from quartier.accounts.models import (
    CAMPAIGN_NEWS,
    Activity,
    Affiliation,
    AffiliationChange,
    Branding,
    Cause,
    Consent,
    ConsentRecord,
    Profile,
    Supporter,
    validate_audience,
)
from quartier.accounts.queries import find_place
from quartier.lib import images
from quartier.lib.ids import handle_from_name, is_valid_handle
from quartier.lib.page_cache import SITE, bump, stamp
from quartier.lib.places import normalise_postal_code
from quartier.lib.text import render_markdown

PHOTO_SIZE = 400
LOGO_BOX = (branding.LOGO_MAX_WIDTH, branding.LOGO_MAX_HEIGHT)


def unique_handle(name: str) -> str:
    """A free handle close to the name: `marie-tremblay`, then `marie-tremblay-2`, …"""
    base = handle_from_name(name)
    if not is_valid_handle(base):
        base = f"supporter-{secrets.token_hex(3)}"
    taken = set(Supporter.objects.filter(handle__startswith=base[:26]).values_list("handle", flat=True))
    if base not in taken:
        return base
    for number in range(2, 1000):
        candidate = f"{base[:26]}-{number}"
        if candidate not in taken:
            return candidate
    return f"{base[:22]}-{secrets.token_hex(3)}"


def set_location(supporter: Supporter, *, country: str, postal_code: str) -> None:
    """Store the postal code (private) with the town and centroid it gives (shown: the town only)."""
    bump(stamp("supporter", supporter.pk))  # their profile, and every page that shows their name
    place = find_place(country, postal_code)
    supporter.country = country
    supporter.postal_code = normalise_postal_code(country, postal_code)
    supporter.town = place.town if place else ""
    supporter.latitude = place.latitude if place else None
    supporter.longitude = place.longitude if place else None


class EmailTaken(Exception):
    """Two sign-ups with the same address raced; the second one loses."""


@transaction.atomic
def complete_signup(
    *,
    supporter: Supporter,
    display_name: str,
    country: str,
    postal_code: str,
    language: str,
    news_consent: bool,
    consent_wording: str,
    ip_address: str | None,
    referred_by: Supporter | None = None,
    refcode: str = "",
) -> Supporter:
    """Fill in what the sign-up form asked beyond email and password, and record the email consent.

    Journal: `accounts.signup` (with `detail["refcode"]`, the code of the link that brought the person,
    if any), and `reach.referral_signup` credited to `referred_by` when a share link brought the person
    (see `activity.py`). The new account gets its share-link code here
    (`settings.SIGNUP_REFERRAL_CODE`), so that pages showing share links only read.
    """
    supporter.display_name = display_name.strip()
    supporter.language = language
    set_location(supporter, country=country, postal_code=postal_code)
    for _attempt in range(5):
        supporter.handle = unique_handle(supporter.display_name)
        try:
            with transaction.atomic():
                supporter.save()
            break
        except IntegrityError:
            if Supporter.objects.filter(email__iexact=supporter.email).exists():
                raise EmailTaken(supporter.email) from None
            # Someone took the same handle a moment ago: try the next one.
    else:
        raise IntegrityError(f"no free handle for {supporter.display_name!r} after 5 attempts")
    Profile.objects.get_or_create(supporter=supporter)
    record_consent(
        supporter=supporter,
        audience=CAMPAIGN_NEWS,
        granted=news_consent,
        wording=consent_wording,
        language=language,
        source=ConsentRecord.Source.SIGNUP,
        ip_address=ip_address,
    )
    record_activity(
        "accounts.signup",
        supporter=supporter,
        key=f"supporter:{supporter.pk}",
        occurred_at=supporter.date_joined,
        detail={"refcode": refcode[:16]} if refcode else None,
    )
    give_referral_code = getattr(settings, "SIGNUP_REFERRAL_CODE", "")
    if give_referral_code:  # in `reach`, which accounts may not import: the setting names it
        import_string(give_referral_code)(supporter)
    if referred_by is not None and referred_by.pk != supporter.pk:
        record_activity(
            "reach.referral_signup",
            supporter=supporter,
            key=f"supporter:{supporter.pk}",
            occurred_at=supporter.date_joined,
            credited_to=referred_by,
        )
    return supporter


@transaction.atomic
def mark_email_verified(supporter: Supporter) -> None:
    """Journal: `accounts.verified`, once per supporter."""
    bump(stamp("supporter", supporter.pk))  # their profile, and every page that shows their name
    if supporter.email_verified_at is None:
        now = timezone.now()
        changed = Supporter.objects.filter(pk=supporter.pk, email_verified_at__isnull=True).update(
            email_verified_at=now
        )
        supporter.refresh_from_db(fields=["email_verified_at"])
        if changed:
            record_activity(
                "accounts.verified", supporter=supporter, key=f"supporter:{supporter.pk}", occurred_at=now
            )
            from quartier.accounts.verification import refresh_badges

            refresh_badges(supporter)  # the email badge


class HandleTaken(Exception):
    """Someone else took the handle between the form's check and the save."""


@dataclass
class ProfileChanges:
    handle: str
    display_name: str
    country: str
    postal_code: str
    bio: str
    why_involved: str
    causes: list[Cause]
    languages_spoken: list[str]
    links: list[str]
    visibility: dict[str, str]


@transaction.atomic
def update_profile(*, supporter: Supporter, changes: ProfileChanges) -> Profile:
    bump(stamp("supporter", supporter.pk))  # their profile, and every page that shows their name
    profile, _created = Profile.objects.select_for_update().get_or_create(supporter=supporter)
    supporter.handle = changes.handle
    supporter.display_name = changes.display_name
    set_location(supporter, country=changes.country, postal_code=changes.postal_code)
    try:
        with transaction.atomic():
            supporter.save(
                update_fields=[
                    "handle",
                    "display_name",
                    "country",
                    "postal_code",
                    "town",
                    "latitude",
                    "longitude",
                ]
            )
    except IntegrityError:
        supporter.refresh_from_db()
        raise HandleTaken(changes.handle) from None
    profile.bio = changes.bio
    profile.bio_html = render_markdown(changes.bio)
    profile.why_involved = changes.why_involved
    profile.why_involved_html = render_markdown(changes.why_involved)
    profile.languages_spoken = changes.languages_spoken
    profile.links = changes.links
    photo_visibility_changed = (
        changes.visibility.get("photo", profile.photo_visibility) != profile.photo_visibility
    )
    for field, level in changes.visibility.items():
        setattr(profile, f"{field}_visibility", level)
    if photo_visibility_changed and profile.photo:
        _move_photo_to_a_new_address(profile, supporter)
    profile.save()
    profile.causes.set(changes.causes)
    return profile


def _photo_name(supporter: Supporter) -> str:
    return f"{supporter.pk}-{secrets.token_hex(8)}.webp"


def _move_photo_to_a_new_address(profile: Profile, supporter: Supporter) -> None:
    """Give the photo a new unguessable file name and delete the old file once the change is saved.

    Photos are plain files under `/media/`, served by the reverse proxy to whoever has the address: a
    visibility change therefore moves the file, so that everyone who saw the old address loses it. The
    new address is only shown to those the new visibility allows (see `docs/decisions.md`).
    """
    previous, storage = profile.photo.name, profile.photo.storage
    with storage.open(previous, "rb") as current:
        content = current.read()
    profile.photo.save(_photo_name(supporter), ContentFile(content), save=False)
    transaction.on_commit(lambda: storage.delete(previous))


@transaction.atomic
def set_photo(*, supporter: Supporter, upload: images.BinaryIO) -> Profile:
    """Re-encode the upload (raises `ImageRejected`) and replace the previous photo."""
    bump(stamp("supporter", supporter.pk))  # their profile, and every page that shows their name
    encoded = images.reencode_image(upload, size=PHOTO_SIZE)
    profile, _created = Profile.objects.select_for_update().get_or_create(supporter=supporter)
    previous = profile.photo.name if profile.photo else ""
    profile.photo.save(_photo_name(supporter), ContentFile(encoded), save=False)
    profile.save(update_fields=["photo", "updated_at"])
    if previous:
        storage = profile.photo.storage
        transaction.on_commit(lambda: storage.delete(previous))
    return profile


@transaction.atomic
def remove_photo(*, supporter: Supporter) -> None:
    bump(stamp("supporter", supporter.pk))  # their profile, and every page that shows their name
    profile = Profile.objects.select_for_update().filter(supporter=supporter).first()
    if profile and profile.photo:
        previous, storage = profile.photo.name, profile.photo.storage
        profile.photo = ""
        profile.save(update_fields=["photo", "updated_at"])
        transaction.on_commit(lambda: storage.delete(previous))


def set_language(*, supporter: Supporter, language: str) -> None:
    if supporter.language != language:
        supporter.language = language
        supporter.save(update_fields=["language"])


@transaction.atomic
def set_affiliation(*, supporter: Supporter, affiliation: str, changed_by: Supporter) -> bool:
    """Change the transparency label (staff only, checked by the caller); return whether it changed."""
    bump(stamp("supporter", supporter.pk))  # their profile, and every page that shows their name
    locked = Supporter.objects.select_for_update().get(pk=supporter.pk)
    if locked.affiliation == affiliation:
        return False
    AffiliationChange.objects.create(
        supporter=locked, changed_by=changed_by, previous=locked.affiliation, new=affiliation
    )
    locked.affiliation = affiliation
    locked.save(update_fields=["affiliation"])
    supporter.affiliation = affiliation
    return True


@transaction.atomic
def record_consent(
    *,
    supporter: Supporter,
    audience: str,
    granted: bool,
    wording: str,
    language: str,
    source: str,
    ip_address: str | None,
) -> ConsentRecord:
    """Record a yes or no to email for `audience` (`campaign_news`, `local_events`, `group:12`…).

    The one writer of consent: it appends the evidence (`ConsentRecord`: wording, language, source,
    time, address) and sets the decision in force (`Consent`) to it, in one transaction. The current
    row is locked (or created) first and the record timestamped after, so that of two decisions at
    once the later one in time is the one in force.
    """
    validate_audience(audience)
    current = Consent.objects.select_for_update().filter(supporter=supporter, audience=audience).first()
    if current is None:
        try:
            with transaction.atomic():
                record = _new_consent_record(
                    supporter, audience, granted, wording, language, source, ip_address
                )
                Consent.objects.create(supporter=supporter, audience=audience, granted=granted, record=record)
            return record
        except IntegrityError:
            # Someone else's first decision for this audience was written a moment ago: follow it.
            current = Consent.objects.select_for_update().get(supporter=supporter, audience=audience)
    record = _new_consent_record(supporter, audience, granted, wording, language, source, ip_address)
    current.granted, current.record = granted, record
    current.save(update_fields=["granted", "record"])
    return record


def _new_consent_record(supporter, audience, granted, wording, language, source, ip_address) -> ConsentRecord:
    return ConsentRecord.objects.create(
        supporter=supporter,
        audience=audience,
        granted=granted,
        wording=str(wording),
        language=language,
        source=source,
        ip_address=ip_address,
    )


@transaction.atomic
def delete_account(*, supporter: Supporter) -> None:
    """Erase a supporter's personal data; keep an anonymous row for records the law requires.

    Every registered personal-data source erases its own rows (see `privacy.py`); the supporter row
    itself stays, emptied, so that records other apps must keep (donations) still point somewhere.
    """
    bump(stamp("supporter", supporter.pk))  # their profile, and every page that shows their name
    locked = Supporter.objects.select_for_update().get(pk=supporter.pk)
    profile = Profile.objects.filter(supporter=locked).first()
    if profile and profile.photo:
        name, storage = profile.photo.name, profile.photo.storage
        transaction.on_commit(lambda: storage.delete(name))
    privacy.erase_personal_data(locked)
    # Erasing other sources can journal a last action (a cancelled RSVP): it keeps no name either.
    Activity.objects.filter(supporter=locked).update(supporter=None, region="")
    Activity.objects.filter(credited_to=locked).update(credited_to=None)
    token = secrets.token_hex(8)
    locked.email = f"deleted-{token}@deleted.invalid"
    locked.handle = f"deleted-{token}"
    locked.display_name = ""
    locked.postal_code = ""
    locked.town = ""
    locked.latitude = None
    locked.longitude = None
    locked.affiliation = Affiliation.NONE
    locked.is_active = False
    locked.is_staff = False
    locked.is_superuser = False
    locked.email_verified_at = None
    locked.shown_badges = 0
    locked.deleted_at = timezone.now()
    locked.set_unusable_password()
    locked.save()
    locked.groups.clear()
    locked.user_permissions.clear()


@transaction.atomic
def set_branding(
    *,
    name: str,
    primary_colour: str,
    accent_colour: str,
    sender_name: str,
    sender_address: str,
    logo: images.BinaryIO | None = None,
    remove_logo: bool = False,
) -> Branding:
    """Save the campaign's branding (colours already validated by the form); re-encode a new logo (raises
    `ImageRejected` before anything is saved) and delete the previous file once the change is saved."""
    encoded = None
    if logo is not None:
        encoded = images.reencode_image(logo, size=max(LOGO_BOX), within=LOGO_BOX)
    row, _created = Branding.objects.select_for_update().get_or_create(pk=1)
    row.name, row.sender_name, row.sender_address = name.strip(), sender_name.strip(), sender_address.strip()
    row.primary_colour, row.accent_colour = primary_colour, accent_colour
    previous = row.logo.name if row.logo and (encoded is not None or remove_logo) else ""
    if encoded is not None:
        row.logo.save(f"logo-{secrets.token_hex(8)}.webp", ContentFile(encoded), save=False)
        row.logo_width, row.logo_height = images.dimensions(encoded)
    elif remove_logo:
        row.logo, row.logo_width, row.logo_height = "", 0, 0
    row.save()
    if previous:
        storage = row.logo.storage
        transaction.on_commit(lambda: storage.delete(previous))
    transaction.on_commit(branding.forget)
    bump(SITE)  # every page shows the name, logo and colours: no cached page outlives a change
    return row
