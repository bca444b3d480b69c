"""Merge fields: `{{ first_name }}`, `{{ town }}`, `{{ next_event }}`, `{{ group }}` in a subject or body.

The syntax is checked before anything is sent (`unknown_fields`), and filled per recipient by plain
string substitution (`fill`): a reader's name can never be interpreted as template code, and the
Markdown is rendered to HTML once per language, not once per recipient. In HTML the values are escaped.
A field with no value for a reader (no town, no group, no event near them) gets a neutral wording.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping

from django.utils.html import escape
from django.utils.translation import gettext_lazy as _

PATTERN = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]{0,40})\s*\}\}")
# Any `{{`/`}}` left after removing the known fields is a typo to report.
_BRACES = re.compile(r"\{\{|\}\}")

FIELDS = {
    "first_name": _("first name"),
    "town": _("town"),
    "next_event": _("nearest upcoming event"),
    "group": _("their group"),
}
FALLBACKS = {
    "first_name": _("friend"),
    "town": _("your area"),
    "next_event": _("an event near you"),
    "group": _("a local group"),
}


def used_fields(*texts: str) -> set[str]:
    return {match.group(1) for text in texts for match in PATTERN.finditer(text or "")}


def unknown_fields(*texts: str) -> list[str]:
    """Merge fields that are not known, and stray `{{`/`}}`, in the order met: empty when all is well."""
    problems: list[str] = []
    for text in texts:
        for match in PATTERN.finditer(text or ""):
            if match.group(1) not in FIELDS and match.group(0) not in problems:
                problems.append(match.group(0))
        rest = PATTERN.sub("", text or "")
        if _BRACES.search(rest) and "{{ … }}" not in problems:
            problems.append("{{ … }}")
    return problems


def fill(text: str, values: Mapping[str, str], *, html: bool) -> str:
    """`text` with each known field replaced by its value (escaped when `html`), or its fallback."""
    if "{{" not in text:
        return text

    def replace(match: re.Match) -> str:
        name = match.group(1)
        value = values.get(name) or str(FALLBACKS.get(name, ""))
        return escape(value) if html else value

    return PATTERN.sub(replace, text)


def sample_values(fields: Iterable[str]) -> dict[str, str]:
    """What a preview shows for a recipient-less preview."""
    return {name: f"[{FIELDS[name]}]" for name in fields if name in FIELDS}
