"""One line of a people file as the values of a person, with the problems found in it (never the
values themselves: the error report is downloadable and must not copy the file)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from quartier.lib import contacts, places

LANGUAGE_WORDS = {"fr": "fr", "french": "fr", "francais": "fr", "en": "en", "english": "en", "anglais": "en"}


@dataclass
class PersonRow:
    line: int
    email: str  # lower case, or ""
    phone: str  # E.164, or ""
    name: str
    given_name: str
    family_name: str
    country: str
    postal_code: str
    language: str
    tags: list[str]
    problems: list[tuple[str, bool]] = field(default_factory=list)  # (reason, loaded anyway)


def _cell(cells: list[str], mapping: dict[str, int], name: str) -> str:
    index = mapping.get(name)
    if index is None or index >= len(cells):
        return ""
    return cells[index].strip()


def parse_row(line: int, cells: list[str], mapping: dict[str, int], default_country: str) -> PersonRow:
    """The person a line describes. A row with neither a valid email address nor a valid phone number
    comes back with a problem whose `loaded` is False (the caller skips it)."""
    problems: list[tuple[str, bool]] = []
    email = _cell(cells, mapping, "email").lower()[:254]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            email = ""
            problems.append((_("The email address is not valid: loaded without it."), True))
    country = _cell(cells, mapping, "country").upper()
    if len(country) != 2 or not country.isalpha():
        country = default_country
    phone = ""
    raw_phone = _cell(cells, mapping, "phone")
    if raw_phone:
        parsed = contacts.parse_phone(raw_phone, country)
        if parsed is None:
            problems.append((_("The phone number is not valid: loaded without it."), True))
        else:
            phone = parsed.e164
    given_name, family_name = (
        _cell(cells, mapping, "first_name")[:80],
        _cell(cells, mapping, "last_name")[:80],
    )
    name = _cell(cells, mapping, "full_name") or " ".join(part for part in (given_name, family_name) if part)
    postal_code = _cell(cells, mapping, "postal_code")
    if postal_code and not places.is_valid_postal_code(country, postal_code):
        problems.append((_("The postal code is not valid for the country: loaded without it."), True))
        postal_code = ""
    elif postal_code:
        postal_code = places.normalise_postal_code(country, postal_code)
    language = LANGUAGE_WORDS.get(contacts.fold(_cell(cells, mapping, "language"))[:10], "")
    if language not in {code for code, _name in settings.LANGUAGES}:
        language = ""
    tags = [tag.strip()[:100] for tag in contacts.split_tags(_cell(cells, mapping, "tags"))]
    row = PersonRow(
        line, email, phone, name[:80], given_name, family_name, country, postal_code, language, tags, problems
    )
    if not email and not phone:
        row.problems = [(_("No valid email address or phone number: not loaded."), False)]
    return row
