"""Time zones as people name them: "Toronto time", "heure de Montréal", never `America/Toronto`.

A zone's label is its city (the last part of the IANA name, with the spelling and accents people
use), translated where the city has a name of its own in French. `is_time_zone` checks a name a
browser sent before anything trusts it.
"""

from __future__ import annotations

import zoneinfo
from functools import cache
from urllib.parse import unquote

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

# Cities whose name is not simply the IANA one with spaces for underscores.
CITY_NAMES = {
    "America/Montreal": _("Montreal"),
    "America/St_Johns": _("St. John's"),
    "America/Mexico_City": _("Mexico City"),
    "Europe/Brussels": _("Brussels"),
    "Europe/London": _("London"),
    "Europe/Zurich": _("Zurich"),
    "Europe/Geneva": _("Geneva"),
    "America/Guadeloupe": _("Guadeloupe"),
    "America/Martinique": _("Martinique"),
    "Indian/Reunion": _("Réunion"),
    "Pacific/Tahiti": _("Tahiti"),
    "America/Cayenne": _("Cayenne"),
    "Indian/Mayotte": _("Mayotte"),
    "America/Miquelon": _("Saint-Pierre"),
    "Pacific/Noumea": _("Nouméa"),
}


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def is_time_zone(name: str | None) -> bool:
    """Whether `name` is a zone this machine knows (so a cookie cannot make us load anything else)."""
    return bool(name) and len(name) <= 64 and name in _known_zones()


def zone_city(zone_name: str) -> str:
    """The city a zone is named after: `America/Toronto` → Toronto, `America/St_Johns` → St. John's."""
    if zone_name in CITY_NAMES:
        return str(CITY_NAMES[zone_name])
    if zone_name in {"UTC", "Etc/UTC"} or "/" not in zone_name:
        return zone_name
    return zone_name.rsplit("/", 1)[-1].replace("_", " ")


def zone_label(zone_name: str) -> str:
    """ "Toronto time" in English, "heure de Toronto" in French (in the active language)."""
    city = zone_city(zone_name)
    if city in {"UTC", "Etc/UTC"}:
        return str(_("UTC"))
    if city[:1].lower() in "aeiouéèêëîïôöûüàâh":
        # French elides before a vowel ("heure d'Edmonton"); English reads the same either way.
        return pgettext("city name starting with a vowel", "%(city)s time") % {"city": city}
    return pgettext("city name", "%(city)s time") % {"city": city}


# Set by quartier/time-zone.js: the zone the visitor's browser reports (online events show times in it).
TIME_ZONE_COOKIE = "quartier_tz"


def viewer_time_zone(request: HttpRequest | None) -> str | None:
    """The zone the visitor's browser reported, when it is a real one."""
    if request is None:
        return None
    name = unquote(request.COOKIES.get(TIME_ZONE_COOKIE, ""))
    return name if is_time_zone(name) else None
