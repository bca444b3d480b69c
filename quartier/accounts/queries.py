"""Reads about supporters."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db.models import Avg, Count, Exists, OuterRef
from django.utils.translation import get_language_info
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Cause, Consent, PostalCode, Profile, Supporter, Visibility
from quartier.lib import places
from quartier.lib.places import Place

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


def profile_audience(owner_pk: int, viewer: Supporter | AnonymousUser | None) -> str:
    """Which of the viewers `can_see` tells apart `viewer` is, for a profile of `owner_pk`: the person
    themselves (`own`), a signed-in supporter with a confirmed address (`supporters`), anyone else
    (`public`). Two viewers of one audience see the same fields of any profile."""
    if viewer is not None and viewer.is_authenticated and viewer.pk == owner_pk:
        return "own"
    if viewer is not None and viewer.is_authenticated and viewer.is_verified:
        return "supporters"
    return "public"


def read_together(supporter: Supporter, expressions: dict) -> dict:
    """Several scalar reads about one supporter in one query: each expression (a subquery, an
    `Exists`) becomes a column of a single row. Pages that show many small counts (the personal
    dashboard's panels) ask their apps for expressions and read them all at once."""
    if not expressions:
        return {}
    found = Supporter.objects.filter(pk=supporter.pk).values(**expressions).first()
    return found or dict.fromkeys(expressions)


def guest_account(email: str) -> Supporter | None:
    """The account made for a guest RSVP at this address, if it was never claimed: no password set,
    never signed in, not deleted."""
    found = Supporter.objects.filter(
        email__iexact=email.strip(), last_login__isnull=True, deleted_at__isnull=True, is_active=True
    ).first()
    if found is None or found.has_usable_password():
        return None
    return found


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
        causes=list(profile.causes.all())
        if profile.pk and shown("causes") and getattr(supporter, "has_causes", True)
        else None,
        languages=[language_name(code) for code in profile.languages_spoken] if shown("languages") else None,
        links=list(profile.links) if shown("links") else None,
        is_own=bool(viewer is not None and viewer.is_authenticated and viewer.pk == supporter.pk),
    )


# What a profile page shows of a supporter and their profile: `profile_to_show` reads only these.
PROFILE_COLUMNS = (
    "handle", "display_name", "town", "affiliation", "is_staff", "email_verified_at", "is_active", "deleted_at",
    "shown_badges", "profile__photo", "profile__bio_html", "profile__why_involved_html", "profile__languages_spoken",
    "profile__links", *(f"profile__{field}_visibility" for field in Profile.FIELDS_WITH_VISIBILITY),
)  # fmt: skip


def profile_to_show(**lookup: object) -> Supporter | None:
    """The supporter found by `lookup` (`pk=` or `handle=`) with the columns of their profile page, in one
    query (and whether they chose causes, so that `visible_profile` reads them only then)."""
    chosen = Profile.causes.through.objects.filter(profile_id=OuterRef("pk"))
    return (
        Supporter.objects.select_related("profile")
        .only(*PROFILE_COLUMNS)
        .annotate(has_causes=Exists(chosen))
        .filter(**lookup)
        .first()
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


def current_consent(supporter: Supporter, audience: str) -> Consent | None:
    """The supporter's decision in force for `audience`, with its record (None: never asked, a no)."""
    return Consent.objects.filter(supporter=supporter, audience=audience).select_related("record").first()


def has_consented(supporter: Supporter, audience: str) -> bool:
    """Whether the supporter's decision in force for `audience` is a yes."""
    return Consent.objects.filter(supporter=supporter, audience=audience, granted=True).exists()


def find_place(country: str, postal_code: str) -> Place | None:
    """The town and centroid of a postal code: imported GeoNames codes first, then `lib.places`.

    One query at most. The exact code wins; for Canada the 3-character FSA (`H2X` from CA.txt) also
    matches a full code, and for the US the 5-digit ZIP matches a ZIP+4. A code that the table does
    not hold falls back to `lib.places.find_place` (bundled table, `zipcodes`, Canadian province).
    Invalid codes give None without touching the database.
    """
    if not places.is_valid_postal_code(country, postal_code):
        return None
    code = places.normalise_postal_code(country, postal_code)
    candidates = [code]
    if country == "CA":
        candidates.append(code[:3])
    elif country == "US" and len(code) > 5:
        candidates.append(code[:5])
    rows = {
        row[0]: row[1:]
        for row in PostalCode.objects.filter(country=country, code__in=candidates).values_list(
            "code", "place_name", "latitude", "longitude"
        )
    }
    for candidate in candidates:
        if candidate in rows:
            place_name, latitude, longitude = rows[candidate]
            return Place(country, code, town_from_place_name(place_name), latitude, longitude)
    return places.find_place(country, postal_code)


TOWN_MAX_LENGTH = Supporter._meta.get_field("town").max_length


def town_from_place_name(place_name: str) -> str:
    """The town to show for a GeoNames place name, short enough for `Supporter.town`.

    Canadian FSA names qualify a town with the neighbourhoods it covers, sometimes at length
    (`Downtown Toronto (CN Tower / King and Spadina / …)`): the town is the part before them.
    """
    town = place_name.split(" (", 1)[0].strip() or place_name.strip()
    return town[:TOWN_MAX_LENGTH].strip()


TOWN_INDEX_SECONDS = 3600


def _imported_towns(country: str) -> dict[str, places.Town]:
    rows = (
        PostalCode.objects.filter(country=country)
        .values("place_name", "admin_name1")  # one row per town and region: namesakes stay apart
        .annotate(latitude=Avg("latitude"), longitude=Avg("longitude"), codes=Count("id"))
        .values_list("place_name", "latitude", "longitude", "codes")
    )
    return places.index_towns(country, rows)


def find_town(country: str, name: str) -> Place | None:
    """The town of that name in `country`, accents, case and hyphens aside (`saint etienne`).

    Imported GeoNames postal codes first (their names grouped once an hour per country, in the
    cache), then the bundled table. Of two towns with one name, the one with more postal codes (the
    larger, as a rule) wins. The place has no postal code: a town is all the visitor gave.
    """
    key = places.town_key(name)
    if not key or country not in settings.QUARTIER_COUNTRIES:
        return None
    imported = cache.get_or_set(
        f"quartier:towns:{country}", lambda: _imported_towns(country), TOWN_INDEX_SECONDS
    )
    town = imported.get(key) or places.bundled_towns(country).get(key)
    return Place(country, "", town.name, town.latitude, town.longitude) if town else None


def towns_in_box(
    countries: Iterable[str], box: tuple[float, float, float, float], limit: int = 60
) -> list[places.Town]:
    """Place names for a map: the towns of `countries` whose centre lies in `box` (min_lat, max_lat,
    min_lon, max_lon), larger towns (more postal codes) first. Imported GeoNames towns (the same
    cached index as `find_town`) and the bundled table, offline; a name found in both is given once."""
    min_lat, max_lat, min_lon, max_lon = box
    found: dict[tuple[str, str], places.Town] = {}
    for country in countries:
        if country not in settings.QUARTIER_COUNTRIES:
            continue
        imported = cache.get_or_set(
            f"quartier:towns:{country}", lambda c=country: _imported_towns(c), TOWN_INDEX_SECONDS
        )
        for key, town in [*places.bundled_towns(country).items(), *imported.items()]:
            if min_lat <= town.latitude <= max_lat and min_lon <= town.longitude <= max_lon:
                found[(country, key)] = town  # the imported town, when there is one, wins
    return sorted(found.values(), key=lambda town: (-town.postal_codes, town.name))[:limit]


def find_places(codes: set[tuple[str, str]]) -> dict[tuple[str, str], Place | None]:
    """`find_place` for many (country, postal code) pairs in one query (contact imports)."""
    wanted: dict[tuple[str, str], list[str]] = {}
    for country, postal_code in codes:
        if not places.is_valid_postal_code(country, postal_code):
            continue
        code = places.normalise_postal_code(country, postal_code)
        candidates = [code]
        if country == "CA":
            candidates.append(code[:3])
        elif country == "US" and len(code) > 5:
            candidates.append(code[:5])
        wanted[(country, postal_code)] = candidates
    rows: dict[tuple[str, str], tuple[str, float, float]] = {}
    by_country: dict[str, set[str]] = {}
    for (country, _code), candidates in wanted.items():
        by_country.setdefault(country, set()).update(candidates)
    for country, candidates in by_country.items():
        for code, place_name, latitude, longitude in PostalCode.objects.filter(
            country=country, code__in=candidates
        ).values_list("code", "place_name", "latitude", "longitude"):
            rows[(country, code)] = (place_name, latitude, longitude)
    found: dict[tuple[str, str], Place | None] = {}
    for country, postal_code in codes:
        candidates = wanted.get((country, postal_code))
        if candidates is None:
            found[(country, postal_code)] = None
            continue
        hit = next((rows[(country, c)] for c in candidates if (country, c) in rows), None)
        if hit is not None:
            found[(country, postal_code)] = Place(
                country, candidates[0], town_from_place_name(hit[0]), hit[1], hit[2]
            )
        else:
            found[(country, postal_code)] = places.find_place(country, postal_code)
    return found


def labelled_supporters() -> list[Supporter]:
    """Everyone the campaign labels (staff, paid, ambassadors; staff organisers always): the public
    transparency page lists them, by label then name. Only the columns a name shows."""
    from django.db.models import Q

    return list(
        Supporter.objects.filter(
            Q(is_staff=True) | ~Q(affiliation=""), is_active=True, deleted_at__isnull=True
        )
        .only("display_name", "handle", "is_active", "is_staff", "affiliation", "shown_badges")
        .order_by("display_name", "pk")
    )
