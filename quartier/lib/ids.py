"""Identifiers people see: handles, and the row ids in addresses (the `id` URL converter)."""

from __future__ import annotations

import re
import unicodedata

HANDLE_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{1,28}[a-z0-9])$")
RESERVED_HANDLES = {
    "admin", "api", "accounts", "settings", "staff", "static", "media", "people", "groups", "events",
    "donate", "new", "edit", "me", "quartier", "deleted", "support", "help",
}  # fmt: skip


def handle_from_name(name: str) -> str:
    """A handle candidate from a display name: ascii, lower case, hyphens, 3 to 30 characters."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")[:30].strip("-")
    if len(slug) < 3:
        slug = f"supporter-{slug}".strip("-")
    return slug


def is_valid_handle(handle: str) -> bool:
    return bool(HANDLE_PATTERN.fullmatch(handle)) and "--" not in handle and handle not in RESERVED_HANDLES


# The largest primary key any database here stores (a signed 64-bit integer). A larger number in an
# address can name no row; SQLite even raises OverflowError on it, so it never reaches a query.
MAX_ID = 2**63 - 1


def parse_id(value: object) -> int | None:
    """A row id from text (an address, a form field), or None when it cannot be one."""
    text = str(value if value is not None else "")
    if not (text.isascii() and text.isdigit()) or len(text) > 19:
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


class IdConverter:
    """`<id:name>` in a route: a positive row id; any other number is no match (404), never a 500.

    Every route of the project takes ids through it, never `<int:…>` (checked by
    `quartier/tests/test_url_ids.py`). Registered by `AccountsConfig.ready`.
    """

    regex = "[0-9]{1,19}"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        if number is None:
            raise ValueError(f"not a row id: {value!r}")
        return number

    def to_url(self, value: object) -> str:
        return str(int(value))
