"""Provinces, states and regions from a postal code, offline: the areas dashboards filter by.

An area is keyed `CC-XX` (ISO 3166-2: `CA-QC`, `US-NY`, `FR-IDF`) and read from the first characters
of a postal code, the part a supporter's activity keeps (`accounts.activity.region_of`):

- Canada: the first letter of the code (`H` is Québec), except `X`, shared by the Northwest
  Territories and Nunavut (X0A, X0B and X0C are Nunavut's).
- United States: the 3-digit ZIP prefix, whose state comes from the `zipcodes` package (the state most
  of the prefix's ZIP codes are in: a handful of prefixes straddle a border by one or two codes).
- France: the département (the first two digits; 97x overseas), grouped into the 2016 régions. A few
  communes near a border are served by a neighbouring département's post office and count there.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from functools import cache

import zipcodes
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

CANADA = {
    "AB": _("Alberta"), "BC": _("British Columbia"), "MB": _("Manitoba"), "NB": _("New Brunswick"),
    "NL": _("Newfoundland and Labrador"), "NS": _("Nova Scotia"), "NT": _("Northwest Territories"),
    "NU": _("Nunavut"), "ON": _("Ontario"), "PE": _("Prince Edward Island"),
    "QC": pgettext_lazy("province", "Québec"), "SK": _("Saskatchewan"), "YT": _("Yukon"),
}  # fmt: skip
CANADA_BY_LETTER = {
    "A": "NL", "B": "NS", "C": "PE", "E": "NB", "G": "QC", "H": "QC", "J": "QC", "K": "ON", "L": "ON",
    "M": "ON", "N": "ON", "P": "ON", "R": "MB", "S": "SK", "T": "AB", "V": "BC", "X": "NT", "Y": "YT",
}  # fmt: skip
NUNAVUT_PREFIXES = ("X0A", "X0B", "X0C")

UNITED_STATES = {
    "AL": _("Alabama"), "AK": _("Alaska"), "AZ": _("Arizona"), "AR": _("Arkansas"), "CA": _("California"),
    "CO": _("Colorado"), "CT": _("Connecticut"), "DE": _("Delaware"), "DC": _("District of Columbia"),
    "FL": _("Florida"), "GA": pgettext_lazy("US state", "Georgia"), "HI": _("Hawaii"), "ID": _("Idaho"),
    "IL": _("Illinois"), "IN": _("Indiana"), "IA": _("Iowa"), "KS": _("Kansas"), "KY": _("Kentucky"),
    "LA": _("Louisiana"), "ME": _("Maine"), "MD": _("Maryland"), "MA": _("Massachusetts"),
    "MI": _("Michigan"), "MN": _("Minnesota"), "MS": _("Mississippi"), "MO": _("Missouri"),
    "MT": _("Montana"), "NE": _("Nebraska"), "NV": _("Nevada"), "NH": _("New Hampshire"),
    "NJ": _("New Jersey"), "NM": _("New Mexico"), "NY": pgettext_lazy("US state", "New York"),
    "NC": _("North Carolina"), "ND": _("North Dakota"), "OH": _("Ohio"), "OK": _("Oklahoma"),
    "OR": _("Oregon"), "PA": _("Pennsylvania"), "RI": _("Rhode Island"), "SC": _("South Carolina"),
    "SD": _("South Dakota"), "TN": _("Tennessee"), "TX": _("Texas"), "UT": _("Utah"), "VT": _("Vermont"),
    "VA": _("Virginia"), "WA": pgettext_lazy("US state", "Washington"), "WV": _("West Virginia"),
    "WI": _("Wisconsin"), "WY": _("Wyoming"), "AS": _("American Samoa"), "GU": _("Guam"),
    "MP": _("Northern Mariana Islands"), "PR": _("Puerto Rico"), "VI": _("U.S. Virgin Islands"),
}  # fmt: skip

FRANCE = {
    "ARA": _("Auvergne-Rhône-Alpes"), "BFC": _("Bourgogne-Franche-Comté"), "BRE": _("Brittany"),
    "CVL": _("Centre-Val de Loire"), "COR": _("Corsica"), "GES": _("Grand Est"),
    "HDF": _("Hauts-de-France"), "IDF": _("Île-de-France"), "NOR": _("Normandy"),
    "NAQ": _("Nouvelle-Aquitaine"), "OCC": _("Occitania"), "PDL": _("Pays de la Loire"),
    "PAC": _("Provence-Alpes-Côte d'Azur"), "GP": _("Guadeloupe"), "MQ": _("Martinique"),
    "GF": _("French Guiana"), "RE": _("Réunion"), "YT": _("Mayotte"),
}  # fmt: skip
FRENCH_DEPARTEMENTS = {
    "ARA": "01 03 07 15 26 38 42 43 63 69 73 74", "BFC": "21 25 39 58 70 71 89 90", "BRE": "22 29 35 56",
    "CVL": "18 28 36 37 41 45", "COR": "20", "GES": "08 10 51 52 54 55 57 67 68 88",
    "HDF": "02 59 60 62 80", "IDF": "75 77 78 91 92 93 94 95", "NOR": "14 27 50 61 76",
    "NAQ": "16 17 19 23 24 33 40 47 64 79 86 87", "OCC": "09 11 12 30 31 32 34 46 48 65 66 81 82",
    "PDL": "44 49 53 72 85", "PAC": "04 05 06 13 83 84",
    "GP": "971", "MQ": "972", "GF": "973", "RE": "974", "YT": "976",
}  # fmt: skip
FRANCE_BY_DEPARTEMENT = {
    departement: region for region, listed in FRENCH_DEPARTEMENTS.items() for departement in listed.split()
}

AREAS = {"CA": CANADA, "US": UNITED_STATES, "FR": FRANCE}
COUNTRIES = {"CA": _("Canada"), "US": _("United States"), "FR": _("France")}


@cache
def _us_states_by_prefix() -> dict[str, str]:
    """3-digit ZIP prefix → the state most of its ZIP codes are in (read once per process)."""
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for entry in zipcodes.list_all():
        if entry["state"] in UNITED_STATES:
            counts[entry["zip_code"][:3]][entry["state"]] += 1
    return {prefix: found.most_common(1)[0][0] for prefix, found in counts.items()}


def area_of(country: str, prefix: str) -> str:
    """The `CC-XX` area of a postal prefix (3 characters or more), or "" when it has none we know."""
    prefix = prefix.replace(" ", "").upper()
    if country == "CA" and prefix:
        if prefix[:3] in NUNAVUT_PREFIXES:
            return "CA-NU"
        code = CANADA_BY_LETTER.get(prefix[0])
    elif country == "US" and len(prefix) >= 3:
        code = _us_states_by_prefix().get(prefix[:3])
    elif country == "FR" and len(prefix) >= 2:
        code = FRANCE_BY_DEPARTEMENT.get(prefix[:3]) or FRANCE_BY_DEPARTEMENT.get(prefix[:2])
    else:
        code = None
    return f"{country}-{code}" if code else ""


def prefixes_of(area: str) -> list[str]:
    """The postal prefixes an area is made of (each a start of the codes in it), shortest form."""
    country, _dash, code = area.partition("-")
    if country == "CA":
        if code == "NU":
            return list(NUNAVUT_PREFIXES)
        if code == "NT":
            return [f"X{rest}" for rest in ("0E", "0G", "1A")]
        return [letter for letter, province in CANADA_BY_LETTER.items() if province == code]
    if country == "US":
        return sorted(prefix for prefix, state in _us_states_by_prefix().items() if state == code)
    if country == "FR":
        return FRENCH_DEPARTEMENTS.get(code, "").split()
    return []


def area_choices() -> list[tuple[object, list[tuple[str, object]]]]:
    """Grouped choices for a form: each country, its areas sorted by name in the reader's language."""
    return [
        (COUNTRIES[country], sorted(((f"{country}-{code}", name) for code, name in areas.items()),
                                    key=lambda choice: str(choice[1])))
        for country, areas in AREAS.items()
    ]  # fmt: skip


def area_name(area: str) -> str:
    country, _dash, code = area.partition("-")
    name = AREAS.get(country, {}).get(code)
    return str(name) if name else area
