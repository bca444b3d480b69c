"""Reads about supporters."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Cause, EmailConsent, Profile, Supporter, Visibility

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser


def can_see(level: str, *, owner: Supporter, viewer: Supporter | AnonymousUser | None) -> bool:
    """Whether `viewer` may see a field that `owner` shows to `level`."""
    if viewer is not None and viewer.is_authenticated and viewer.pk == owner.pk:
        return True
    if level == Visibility.PUBLIC:
        return True
    if level == Visibility.SUPPORTERS:
        # Signed in with a confirmed address: signing up without confirming reveals nothing more.
        return viewer is not None and viewer.is_authenticated and viewer.is_verified
    return False


@dataclass
class VisibleProfile:
    """The part of a profile one viewer may see; a field is None when it is hidden from them."""

    supporter: Supporter
    photo_url: str | None
    bio_html: str | None
    why_involved_html: str | None
    town: str | None
    causes: list[Cause] | None
    languages: list[str] | None
    links: list[str] | None
    is_own: bool


def visible_profile(supporter: Supporter, viewer: Supporter | AnonymousUser | None) -> VisibleProfile:
    profile: Profile | None = getattr(supporter, "profile", None)
    if profile is None:
        profile = Profile(supporter=supporter)

    def shown(field: str) -> bool:
        return can_see(profile.visibility_of(field), owner=supporter, viewer=viewer)

    return VisibleProfile(
        supporter=supporter,
        photo_url=profile.photo.url if profile.photo and shown("photo") else None,
        bio_html=profile.bio_html if shown("bio") else None,
        why_involved_html=profile.why_involved_html if shown("why_involved") else None,
        town=supporter.town if shown("town") else None,
        causes=list(profile.causes.all()) if profile.pk and shown("causes") else None,
        languages=[language_name(code) for code in profile.languages_spoken] if shown("languages") else None,
        links=list(profile.links) if shown("links") else None,
        is_own=bool(viewer is not None and viewer.is_authenticated and viewer.pk == supporter.pk),
    )


# Languages people speak that Django's own table does not name.
EXTRA_LANGUAGE_NAMES = {"ht": _("Haitian Creole")}


def language_name(code: str) -> str:
    if code in EXTRA_LANGUAGE_NAMES:
        return str(EXTRA_LANGUAGE_NAMES[code])
    try:
        return str(get_language_info(code)["name_translated"])
    except KeyError:
        return code


def current_email_consent(supporter: Supporter, topic: str) -> EmailConsent | None:
    return (
        EmailConsent.objects.filter(supporter=supporter, topic=topic).order_by("-created_at", "-id").first()
    )
