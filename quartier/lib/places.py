"""Postal codes to towns and coordinates, offline.

Only the town of a postal code is ever shown to other people; the code itself stays private.
US codes come from the `zipcodes` package (every ZIP code with its centroid); Canadian and French
codes from a small bundled table (`data/places.csv`), which an operator can extend. Canadian codes
not in the table still give their province, read from the first letter. Towns can be looked up by
name too (`town_key`, `index_towns`, `bundled_towns`), accents and case aside.
"""

from __future__ import annotations

import csv
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import zipcodes

_DATA = Path(__file__).parent / "data" / "places.csv"

POSTAL_CODE_PATTERNS: dict[str, re.Pattern[str]] = {
    "CA": re.compile(r"^[ABCEGHJ-NPRSTVXY]\d[ABCEGHJ-NPRSTV-Z] ?\d[ABCEGHJ-NPRSTV-Z]\d$"),
    "FR": re.compile(r"^\d{5}$"),
    "US": re.compile(r"^\d{5}(-\d{4})?$"),
}

CANADIAN_PROVINCES_BY_LETTER = {
    "A": "Newfoundland and Labrador", "B": "Nova Scotia", "C": "Prince Edward Island",
    "E": "New Brunswick", "G": "Québec", "H": "Québec", "J": "Québec", "K": "Ontario",
    "L": "Ontario", "M": "Ontario", "N": "Ontario", "P": "Ontario", "R": "Manitoba",
    "S": "Saskatchewan", "T": "Alberta", "V": "British Columbia", "X": "Northwest Territories",
    "Y": "Yukon",
}  # fmt: skip


@dataclass(frozen=True)
class Place:
    country: str
    postal_code: str
    town: str
    latitude: float | None
    longitude: float | None


def normalise_postal_code(country: str, postal_code: str) -> str:
    """Canonical spelling of a postal code: upper case, Canadian codes as `H2X 1Y4`."""
    code = re.sub(r"\s+", "", postal_code or "").upper()
    if country == "CA" and len(code) == 6:
        return f"{code[:3]} {code[3:]}"
    return code


def is_valid_postal_code(country: str, postal_code: str) -> bool:
    pattern = POSTAL_CODE_PATTERNS.get(country)
    code = normalise_postal_code(country, postal_code)
    if pattern is None:
        return 2 <= len(code) <= 10 and bool(re.fullmatch(r"[A-Z0-9 -]+", code))
    return bool(pattern.fullmatch(code))


@cache
def _bundled() -> dict[tuple[str, str], Place]:
    with _DATA.open(encoding="utf-8") as handle:
        return {
            (row["country"], row["postal_code"]): Place(
                row["country"],
                row["postal_code"],
                row["town"],
                float(row["latitude"]),
                float(row["longitude"]),
            )
            for row in csv.DictReader(handle)
        }


def bundled_places() -> list[Place]:
    """Every place of the bundled table (the demo and benchmark generator draws from it)."""
    return list(_bundled().values())


def find_place(country: str, postal_code: str) -> Place | None:
    """The town (and centroid when known) of a valid postal code, or None when it is unknown."""
    if not is_valid_postal_code(country, postal_code):
        return None
    code = normalise_postal_code(country, postal_code)
    if country == "US":
        matches = zipcodes.matching(code[:5])
        if not matches:
            return None
        found = matches[0]
        return Place("US", code, found["city"], float(found["lat"]), float(found["long"]))
    if country == "CA":
        known = _bundled().get(("CA", code[:3]))
        if known:
            return Place("CA", code, known.town, known.latitude, known.longitude)
        province = CANADIAN_PROVINCES_BY_LETTER.get(code[0])
        return Place("CA", code, province, None, None) if province else None
    known = _bundled().get((country, code))
    return Place(country, code, known.town, known.latitude, known.longitude) if known else None


# --- Towns by name --------------------------------------------------------------------------------

_ABBREVIATIONS = {"st": "saint", "ste": "sainte", "mt": "mount"}


def town_key(name: str) -> str:
    """How a town name compares: no accents, no case, hyphens and apostrophes as spaces, `St` as
    `Saint`, and no arrondissement number (`Paris 13` is Paris)."""
    folded = unicodedata.normalize("NFKD", name or "")
    folded = "".join(char for char in folded if not unicodedata.combining(char)).casefold()
    folded = folded.split(" (", 1)[0]  # GeoNames qualifies some names: "Montreal (Plateau Mont-Royal)"
    words = re.sub(r"[^\w]+", " ", folded).split()
    words = [_ABBREVIATIONS.get(word, word) for word in words]
    while len(words) > 1 and (words[-1].isdigit() or words[-1] == "cedex"):
        words.pop()
    return " ".join(words)


@dataclass(frozen=True)
class Town:
    """A town and the centroid of its postal codes; how many codes it has stands for its size."""

    country: str
    name: str
    latitude: float
    longitude: float
    postal_codes: int


def index_towns(country: str, rows: Iterable[tuple[str, float, float, int]]) -> dict[str, Town]:
    """Towns by `town_key` from `(place name, latitude, longitude, postal codes)` rows.

    Rows with the same key are one town when they are close (`Paris 01` to `Paris 20`); of two far
    apart towns of one name (Springfield, Illinois and Massachusetts) the one with more codes wins.
    """
    groups: dict[str, list[tuple[str, float, float, int]]] = {}
    for row in rows:
        key = town_key(row[0])
        if key:
            groups.setdefault(key, []).append(row)
    towns = {}
    for key, members in groups.items():
        clusters: list[list[tuple[str, float, float, int]]] = []
        for row in members:
            for cluster in clusters:
                if abs(row[1] - cluster[0][1]) < 0.3 and abs(row[2] - cluster[0][2]) < 0.4:
                    cluster.append(row)
                    break
            else:
                clusters.append([row])
        near = max(clusters, key=lambda cluster: sum(row[3] for row in cluster))
        codes = sum(row[3] for row in near)
        towns[key] = Town(
            country,
            min((re.sub(r"\s+\d+$", "", row[0].split(" (", 1)[0]) for row in near), key=len),
            sum(row[1] * row[3] for row in near) / codes,
            sum(row[2] * row[3] for row in near) / codes,
            codes,
        )
    return towns


@cache
def bundled_towns(country: str) -> dict[str, Town]:
    """Towns of the bundled table (and, for the US, of every ZIP code of `zipcodes`)."""
    if country == "US":
        rows = [(row["city"], float(row["lat"]), float(row["long"]), 1) for row in zipcodes.list_all()]
    else:
        rows = [
            (place.town, place.latitude, place.longitude, 1)
            for place in _bundled().values()
            if place.country == country and place.latitude is not None and place.longitude is not None
        ]
    return index_towns(country, rows)
