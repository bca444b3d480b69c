"""One row of a contact file as contact values: the cells read, the phone number, the place, the
merge key (`lib.contacts.dedupe_key`), the problems found; and the merge rule for a person already
known (`merge`, on a model; `merge_values`, on the plain values COPY writes).

Parsing is most of an import's time: each step is cached where a file repeats itself (phone numbers,
folded names and streets in `lib.contacts`, tag lists here, places per batch in `_Places`)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from django.utils.translation import gettext as _

from quartier.accounts.queries import find_place, find_places
from quartier.fieldwork.models import Contact, ImportJob
from quartier.lib import contacts as lib
from quartier.lib.zones import is_time_zone

TRUE_WORDS = {"1", "y", "yes", "true", "x", "o", "oui", "vrai"}


@dataclass
class Row:
    line: int
    values: dict[str, object]
    key: str
    email: str


def _cell(cells: list[str], mapping: dict[str, int], name: str) -> str:
    index = mapping.get(name)
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


class _Places:
    """Postal code → place: looked up for a whole batch in one query (`prefetch`), then by row."""

    def __init__(self) -> None:
        self.known: dict[tuple[str, str], object] = {}

    def prefetch(self, codes: set[tuple[str, str]]) -> None:
        missing = {code for code in codes if code not in self.known and code[1]}
        if missing:
            self.known.update(find_places(missing))
        if len(self.known) > 200_000:  # a national file: keep the memory bounded
            self.known.clear()
            self.known.update(find_places(missing))

    def find(self, country: str, postal_code: str):
        key = (country, postal_code)
        if key not in self.known:
            self.known[key] = find_place(country, postal_code) if postal_code else None
        return self.known[key]


def _number(text: str, low: float, high: float) -> float | None:
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        return None
    return value if low <= value <= high else None


def _picked(cells: list[str], mapping: dict[str, int]) -> dict[str, str]:
    """The mapped cells of a row, stripped, by field name (a field whose column is missing: absent)."""
    width = len(cells)
    return {name: cells[index].strip() for name, index in mapping.items() if index < width}


@lru_cache(maxsize=4096)
def _tags(cell: str, extra: str) -> str:
    """A row's tags and the import's own, as stored (`lib.tags_field`): a file repeats a few shapes."""
    return lib.tags_field([*lib.split_tags(cell), *lib.split_tags(extra)])


def parse_row(
    line: int, cells: list[str], job: ImportJob, places: _Places
) -> tuple[Row | None, list[tuple[str, bool]]]:
    """One file row as contact values, or None; with the problems found (reason, row still loaded)."""
    cell = _picked(cells, job.mapping).get
    problems: list[tuple[str, bool]] = []
    first, last = cell("first_name", ""), cell("last_name", "")
    if not (first or last) and (full := cell("full_name", "")):
        first, _space, last = full.partition(" ")
    country = (cell("country", "") or job.country).upper()[:2]
    if len(country) != 2 or not country.isalpha():
        country = job.country
    address = cell("address", "")[:200]
    postal_code = cell("postal_code", "")[:12]
    raw_phone = cell("phone", "")
    phone = lib.parse_phone(raw_phone, country)
    if raw_phone and phone is None:
        problems.append(
            (
                _("phone number “%(phone)s” not understood: loaded without it") % {"phone": raw_phone[:40]},
                True,
            )
        )
    email = cell("email", "")[:254].lower()
    if email and ("@" not in email or " " in email):
        problems.append((_("email address not understood: loaded without it"), True))
        email = ""
    external_id = cell("external_id", "")
    key = lib.dedupe_key(
        external_id=external_id[:60], first_name=first, last_name=last,
        address=address, postal_code=postal_code, phone=phone.e164 if phone else "", email=email,
    )  # fmt: skip
    if not (first or last):
        return None, [(_("no name"), False)]
    if key is None:
        return None, [(_("no address, phone number, email or id to tell this person apart"), False)]
    latitude = _number(cell("latitude", ""), -90, 90)
    longitude = _number(cell("longitude", ""), -180, 180)
    town = cell("town", "")[:80]
    place = places.find(country, postal_code)
    if latitude is None or longitude is None:
        latitude, longitude = (place.latitude, place.longitude) if place else (None, None)
        if latitude is None and address:
            problems.append((_("no coordinates and postal code not found: not on the map"), True))
    town = town or (place.town if place else "")
    zone = cell("time_zone", "")
    if not is_time_zone(zone):
        zone = (phone.time_zone if phone else None) or lib.time_zone_for(country, postal_code)
    number, street = lib.split_address(address)
    values = {
        "external_id": external_id[:64],
        "first_name": first[:80], "last_name": last[:80], "email": email, "address": address,
        "house_number": number if number is None or number < 2**31 else None, "street_name": street[:160],
        "town": town, "postal_code": postal_code, "country": country, "latitude": latitude, "longitude": longitude,
        "household_key": lib.household_key(address, postal_code), "phone": phone.e164 if phone else "",
        "time_zone": zone, "language": cell("language", "")[:10].lower(),
        "tags": _tags(cell("tags", ""), job.extra_tags),
        "do_not_call": cell("do_not_call", "").lower() in TRUE_WORDS,
        "do_not_knock": cell("do_not_knock", "").lower() in TRUE_WORDS,
    }  # fmt: skip
    return Row(line, values, key, email), problems


MERGED_FIELDS = [
    "external_id", "first_name", "last_name", "email", "address", "house_number", "street_name", "town",
    "postal_code", "country", "latitude", "longitude", "household_key", "phone", "time_zone", "language",
]  # fmt: skip


def merge(contact: Contact, values: dict[str, object]) -> None:
    """The merge rule for a contact already known: a new non-empty value replaces the old one, tags
    add up, and do-not-call / do-not-knock once set stay set (an import never clears them)."""
    merged = {
        name: getattr(contact, name) for name in (*MERGED_FIELDS, "tags", "do_not_call", "do_not_knock")
    }
    merge_values(merged, values)
    for name, value in merged.items():
        setattr(contact, name, value)


def merge_values(known: dict[str, object], values: dict[str, object]) -> None:
    """`merge` on plain values (a person listed twice in one batch, before COPY): no model instance."""
    for name in MERGED_FIELDS:
        value = values[name]
        if value not in ("", None):
            known[name] = value
    old_tags = [tag for tag in str(known["tags"]).split(",") if tag]
    known["tags"] = lib.tags_field([*old_tags, *lib.split_tags(str(values["tags"]))])
    known["do_not_call"] = bool(known["do_not_call"]) or bool(values["do_not_call"])
    known["do_not_knock"] = bool(known["do_not_knock"]) or bool(values["do_not_knock"])
