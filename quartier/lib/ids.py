"""Identifiers people see: handles."""

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
