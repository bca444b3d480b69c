"""The campaign's branding as pages and mail use it: `current()` is the staff's settings with the
configured defaults filled in, cached until staff change them (`actions.set_branding`).

Colours are validated here (`parse_colour`, `contrast_with_white`): each is drawn behind white text
(buttons, the mail header), so each must reach WCAG's 4.5:1 against white."""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.headerregistry import Address
from email.utils import parseaddr

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.urls import reverse

from quartier.accounts.models import Branding

CACHE_KEY = "branding:v1"
# A save empties the shared cache at once; a per-process cache (LocMemCache, several workers without
# Redis) catches up within this many seconds.
CACHE_SECONDS = 60
# The stylesheet's own accent (quartier.css `--accent`) and the Donate button's green.
DEFAULT_PRIMARY = "#0a58a8"
DEFAULT_ACCENT = "#1b6b34"
MIN_CONTRAST = 4.5
LOGO_MAX_WIDTH = 480
LOGO_MAX_HEIGHT = 160
_HEX = re.compile(r"#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})")


@dataclass(frozen=True)
class Brand:
    name: str
    logo_url: str  # "" without a logo; a path on this site (media), absolute in mail via `lib.urls`
    logo_width: int
    logo_height: int
    primary: str
    accent: str
    sender_name: str
    sender_address: str
    version: str  # changes with every save: in the stylesheet's URL and in cache keys

    @property
    def from_email(self) -> str:
        """The From header of every email the campaign sends."""
        return str(Address(display_name=self.sender_name, addr_spec=self.sender_address))

    @property
    def css_url(self) -> str:
        return f"{reverse('branding_css')}?v={self.version}"


def parse_colour(value: str) -> str | None:
    """`#rrggbb` in lower case, from `#RGB`, `#RRGGBB` or the same without `#`; None if not a colour."""
    match = _HEX.fullmatch(value.strip())
    if match is None:
        return None
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return f"#{digits}"


def _luminance(colour: str) -> float:
    def channel(hex_pair: str) -> float:
        value = int(hex_pair, 16) / 255
        return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4

    red, green, blue = (channel(colour[i : i + 2]) for i in (1, 3, 5))
    return 0.2126 * red + 0.7152 * green + 0.0722 * blue


def contrast_with_white(colour: str) -> float:
    """WCAG 2 contrast ratio of white text on `colour` (`#rrggbb`), from 1 to 21."""
    return 1.05 / (_luminance(colour) + 0.05)


def darken(colour: str, factor: float = 0.8) -> str:
    """A darker shade of `colour` for hover states (darker keeps the contrast with white)."""
    return "#" + "".join(f"{int(int(colour[i : i + 2], 16) * factor):02x}" for i in (1, 3, 5))


def tint(colour: str, amount: float = 0.88) -> str:
    """`colour` mixed with white (a pale background for the current menu item)."""
    return "#" + "".join(
        f"{round(int(colour[i : i + 2], 16) + (255 - int(colour[i : i + 2], 16)) * amount):02x}"
        for i in (1, 3, 5)
    )


def _defaults() -> tuple[str, str, str]:
    configured_name, configured_address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    return settings.SITE_NAME, configured_name, configured_address


def load() -> Brand:
    """The brand from the database (no cache): one query."""
    row = Branding.objects.filter(pk=1).first() or Branding(pk=1)
    site_name, configured_sender, configured_address = _defaults()
    name = row.name or site_name
    return Brand(
        name=name,
        logo_url=row.logo.url if row.logo else "",
        logo_width=row.logo_width,
        logo_height=row.logo_height,
        primary=row.primary_colour or DEFAULT_PRIMARY,
        accent=row.accent_colour or DEFAULT_ACCENT,
        sender_name=row.sender_name or (name if row.name else configured_sender) or name,
        sender_address=row.sender_address or configured_address,
        version=f"{row.updated_at:%Y%m%d%H%M%S%f}" if row.updated_at else "0",
    )


def current() -> Brand:
    """The brand, from the cache (filled from the database on a miss, emptied by every save)."""
    brand = cache.get(CACHE_KEY)
    if brand is None:
        try:
            brand = load()
        except DatabaseError:  # the error pages still render, with the configured name (not cached)
            return _configured()
        cache.set(CACHE_KEY, brand, CACHE_SECONDS)
    return brand


def _configured() -> Brand:
    site_name, configured_sender, configured_address = _defaults()
    return Brand(
        name=site_name, logo_url="", logo_width=0, logo_height=0, primary=DEFAULT_PRIMARY, accent=DEFAULT_ACCENT,
        sender_name=configured_sender or site_name, sender_address=configured_address, version="0",
    )  # fmt: skip


def forget() -> None:
    cache.delete(CACHE_KEY)
