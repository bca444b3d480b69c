"""Contact files without Django: phone numbers, addresses, the merge rule, walking order, polygons.

The merge (dedupe) rule, in order:
1. the file's own id (a voter id) when the file has one: `id:<id>`;
2. otherwise the normalised full name and household (street address and postal code):
   `home:<name>|<address>|<postal code>`;
3. otherwise (no address) the normalised name and the E.164 phone number: `phone:<name>|<phone>`;
4. otherwise the name and email address: `email:<name>|<email>`.
A row with none of these (a name alone) cannot be told apart from another: it is refused.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

import phonenumbers
from phonenumbers import timezone as phone_time_zones
from phonenumbers.phonenumberutil import (
    PhoneMetadata,
    PhoneNumberType,
    _number_type_helper,
    country_code_for_valid_region,
    is_number_type_geographical,
    national_significant_number,
    region_code_for_number,
)

DEFAULT_TIME_ZONES = {
    "CA": "America/Toronto",
    "US": "America/New_York",
    "FR": "Europe/Paris",
    "BE": "Europe/Brussels",
}
# Canadian provinces by the first letter of the postal code (the rest of Canada: Toronto's zone).
CANADIAN_TIME_ZONES = {
    "A": "America/St_Johns", "B": "America/Halifax", "C": "America/Halifax", "E": "America/Halifax",
    "G": "America/Toronto", "H": "America/Toronto", "J": "America/Toronto", "R": "America/Winnipeg",
    "S": "America/Regina", "T": "America/Edmonton", "V": "America/Vancouver", "X": "America/Edmonton",
    "Y": "America/Whitehorse",
}  # fmt: skip


def time_zone_for(country: str, postal_code: str) -> str:
    """A contact's time zone when neither the file nor the phone number says it."""
    if country == "CA" and postal_code[:1].upper() in CANADIAN_TIME_ZONES:
        return CANADIAN_TIME_ZONES[postal_code[:1].upper()]
    return DEFAULT_TIME_ZONES.get(country, "UTC")


_NOT_WORD = re.compile(r"[^\w]+")


def fold(text: str) -> str:
    """Lower case, accents and punctuation dropped, spaces collapsed: 'Rue  St-Denis' → 'rue st denis'.

    Contact files repeat names, streets and tags: the result is cached, and ASCII text (most of it)
    skips the Unicode decomposition it would come through unchanged (`fold_unicode` is the reference)."""
    return _fold(text or "")


@lru_cache(maxsize=65536)
def _fold(text: str) -> str:
    if text.isascii():
        return " ".join(_NOT_WORD.sub(" ", text.lower()).split())
    return fold_unicode(text)


def fold_unicode(text: str) -> str:
    """`fold` for any text: decomposed, combining accents dropped (NFKD leaves ASCII as it is)."""
    text = unicodedata.normalize("NFKD", text or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).lower()
    return " ".join(_NOT_WORD.sub(" ", text).split())


@dataclass(frozen=True)
class Phone:
    e164: str
    time_zone: str | None


def parse_phone(raw: str, country: str) -> Phone | None:
    """A phone number as E.164 with its time zone, or None when it is not a valid number.

    The same answer as `parse_phone_reference` (phonenumbers' `is_valid_number`, then
    `time_zones_for_number`), with the number's region and type found once instead of three times,
    and cached: a file lists a household's number on each of its people, a number twice, …"""
    raw = (raw or "").strip()
    if not raw:
        return None
    return _parse_phone(raw, country or None)


@lru_cache(maxsize=65536)
def _parse_phone(raw: str, country: str | None) -> Phone | None:
    try:
        number = phonenumbers.parse(raw, country)
    except phonenumbers.NumberParseException:
        return None
    # `is_valid_number`: the number's region, then a type other than UNKNOWN in that region's metadata.
    region = region_code_for_number(number)
    if region is None:
        return None
    metadata = PhoneMetadata.metadata_for_region_or_calling_code(number.country_code, region)
    if metadata is None or (
        region != phonenumbers.REGION_CODE_FOR_NON_GEO_ENTITY
        and number.country_code != country_code_for_valid_region(region)
    ):
        return None
    kind = _number_type_helper(national_significant_number(number), metadata)
    if kind == PhoneNumberType.UNKNOWN:
        return None
    # `time_zones_for_number` with the type already known.
    if is_number_type_geographical(kind, number.country_code):
        found = phone_time_zones.time_zones_for_geographical_number(number)
    else:
        found = phone_time_zones._country_level_time_zones_for_number(number)
    zones = [zone for zone in found if "/" in zone]
    return Phone(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        time_zone=zones[0] if len(zones) == 1 else None,
    )


def parse_phone_reference(raw: str, country: str) -> Phone | None:
    """`parse_phone` through phonenumbers' public calls only: what the fast path must agree with."""
    raw = (raw or "").strip()
    if not raw:
        return None
    try:
        number = phonenumbers.parse(raw, country or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    zones = [zone for zone in phone_time_zones.time_zones_for_number(number) if "/" in zone]
    return Phone(
        e164=phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        time_zone=zones[0] if len(zones) == 1 else None,
    )


def display_phone(e164: str) -> str:
    """An E.164 number as people read it in its own country."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


_HOUSE = re.compile(r"^\s*(\d{1,6})\s*[a-zA-Z]?\b[\s,]*(.*)$")


def split_address(address: str) -> tuple[int | None, str]:
    """The house number and the folded street name: '12B, rue Saint-Denis' → (12, 'rue saint denis')."""
    match = _HOUSE.match(address or "")
    if match is None:
        return None, fold(address)
    return int(match.group(1)), fold(match.group(2))


def household_key(address: str, postal_code: str) -> str:
    """One door: the folded address and postal code (apartments with their unit are their own door)."""
    folded = fold(address)
    if not folded:
        return ""
    return f"{folded}|{fold(postal_code).replace(' ', '')}"[:240]


def dedupe_key(*, external_id: str, first_name: str, last_name: str, address: str, postal_code: str,
               phone: str, email: str) -> str | None:  # fmt: skip
    """The merge rule of the module docstring; None when the row cannot be told apart."""
    if external_id.strip():
        return f"id:{external_id.strip()}"[:255]
    name = fold(f"{first_name} {last_name}")
    if not name:
        return None
    if household := household_key(address, postal_code):
        return f"home:{name}|{household}"[:255]
    if phone:
        return f"phone:{name}|{phone}"[:255]
    if email.strip():
        return f"email:{name}|{email.strip().lower()}"[:255]
    return None


def tags_field(tags: Sequence[str]) -> str:
    """Tags stored as ',a,b,' (folded, sorted, without duplicates) so one tag is one LIKE '%,a,%'."""
    clean = sorted({fold(tag).replace(" ", "-") for tag in tags if fold(tag)})
    text = "," + ",".join(clean) + "," if clean else ""
    return text[:500]


def split_tags(text: str) -> list[str]:
    return [tag for tag in re.split(r"[;,|]", text or "") if tag.strip()]


def walking_order(doors: Sequence[tuple[str, int | None, object]]) -> list[object]:
    """Doors (street, house number, item) in walking order: street by street, up the odd side and
    back down the even side, so that a canvasser never crosses back and forth."""
    streets: dict[str, list[tuple[int | None, object]]] = {}
    for street, number, item in doors:
        streets.setdefault(street, []).append((number, item))
    ordered: list[object] = []
    for street in sorted(streets):
        houses = streets[street]
        odd_side = sorted((h for h in houses if (h[0] or 0) % 2 == 1), key=lambda h: h[0] or 0)
        even_side = sorted((h for h in houses if (h[0] or 0) % 2 == 0), key=lambda h: h[0] or 0, reverse=True)
        ordered.extend(item for _number, item in odd_side)
        ordered.extend(item for _number, item in even_side)
    return ordered


Point = tuple[float, float]  # (latitude, longitude)


def parse_polygon(data: object) -> list[Point] | None:
    """A list of at least three [latitude, longitude] pairs in range, or None."""
    if not isinstance(data, list) or not 3 <= len(data) <= 500:
        return None
    points: list[Point] = []
    for pair in data:
        if not (isinstance(pair, list | tuple) and len(pair) == 2):
            return None
        lat, lon = pair
        if not all(isinstance(v, int | float) and not isinstance(v, bool) for v in (lat, lon)):
            return None
        if not (-90 <= lat <= 90 and -180 <= lon <= 180):
            return None
        points.append((float(lat), float(lon)))
    return points


def polygon_box(polygon: Sequence[Point]) -> tuple[float, float, float, float]:
    lats = [p[0] for p in polygon]
    lons = [p[1] for p in polygon]
    return min(lats), max(lats), min(lons), max(lons)


def in_polygon(lat: float, lon: float, polygon: Sequence[Point]) -> bool:
    """Ray casting (even-odd rule) on latitude/longitude, fine for a neighbourhood-sized turf."""
    inside = False
    count = len(polygon)
    for index in range(count):
        lat1, lon1 = polygon[index]
        lat2, lon2 = polygon[(index + 1) % count]
        if (lat1 > lat) != (lat2 > lat):
            crossing = lon1 + (lat - lat1) * (lon2 - lon1) / (lat2 - lat1)
            if lon < crossing:
                inside = not inside
    return inside
