"""Distances on the Earth, bounding boxes for radius searches, units and typed-in coordinates.

Plain maths, no database: a radius search first keeps the rows inside `bounding_box` (an indexed
range filter on latitude and longitude), then measures each survivor with `haversine_km` and sorts.
The box is never smaller than the circle, so the filter loses nothing; near a pole it spans every
longitude, and across the antimeridian its west edge is greater than its east edge (see
`longitude_ranges`, which splits such a box into two plain ranges for a query).
"""

from __future__ import annotations

import math
import re
from typing import Literal

EARTH_RADIUS_KM = 6371.0088  # the IUGG mean radius
KM_PER_MILE = 1.609344  # exact, by definition of the international mile
# Widens every box by about a metre so that rounding never drops a point lying on the circle.
_BOX_MARGIN_DEGREES = 1e-5

DistanceUnit = Literal["km", "mi"]


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in kilometres between two points given in decimal degrees."""
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def bounding_box(lat: float, lon: float, radius_km: float) -> tuple[float, float, float, float]:
    """`(min_lat, max_lat, min_lon, max_lon)` of a box holding every point within `radius_km`.

    Latitudes are clamped to ±90. When the circle reaches a pole the box spans every longitude
    (-180 to 180). When it crosses the antimeridian, `min_lon > max_lon`: the box is the longitudes
    from `min_lon` east to 180 plus those from -180 to `max_lon` (use `longitude_ranges`).
    """
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"not a point: ({lat}, {lon})")
    if not radius_km >= 0:  # also refuses NaN
        raise ValueError(f"a radius cannot be negative: {radius_km}")
    angular = radius_km / EARTH_RADIUS_KM  # radians
    min_lat = lat - math.degrees(angular) - _BOX_MARGIN_DEGREES
    max_lat = lat + math.degrees(angular) + _BOX_MARGIN_DEGREES
    if min_lat <= -90 or max_lat >= 90 or angular >= math.pi / 2:
        # A pole is inside the circle: every meridian crosses it.
        return max(min_lat, -90.0), min(max_lat, 90.0), -180.0, 180.0
    # The widest longitude span of the circle (Matuschek, "Finding Points Within a Distance of a
    # Latitude/Longitude Using Bounding Coordinates"); below the pole case, the ratio is < 1.
    delta_lon = math.degrees(math.asin(min(1.0, math.sin(angular) / math.cos(math.radians(lat)))))
    delta_lon += _BOX_MARGIN_DEGREES
    if delta_lon >= 180:
        return min_lat, max_lat, -180.0, 180.0
    min_lon, max_lon = lon - delta_lon, lon + delta_lon
    if min_lon < -180:
        min_lon += 360
    if max_lon > 180:
        max_lon -= 360
    return min_lat, max_lat, min_lon, max_lon


def longitude_ranges(min_lon: float, max_lon: float) -> list[tuple[float, float]]:
    """The plain `(low, high)` longitude ranges of a box: two when it crosses the antimeridian."""
    if min_lon <= max_lon:
        return [(min_lon, max_lon)]
    return [(min_lon, 180.0), (-180.0, max_lon)]


def in_bounding_box(lat: float, lon: float, box: tuple[float, float, float, float]) -> bool:
    """Whether a point lies inside a box made by `bounding_box` (what the database filter does)."""
    min_lat, max_lat, min_lon, max_lon = box
    return min_lat <= lat <= max_lat and any(
        low <= lon <= high for low, high in longitude_ranges(min_lon, max_lon)
    )


# The grid attendee-only events are snapped to: 0.01° is 1.1 km north-south (0.8 km east-west at 45°).
APPROXIMATE_GRID_DEGREES = 0.01


def approximate_point(lat: float, lon: float) -> tuple[float, float]:
    """The node of a fixed 0.01° grid nearest to a point: about a kilometre from it at most.

    Fixed, not random: every point of a cell gives the same node, so no number of distances measured
    from it can tell where in the cell the point lies (random noise would average out over probes).
    """
    snap_lat = round(round(lat / APPROXIMATE_GRID_DEGREES) * APPROXIMATE_GRID_DEGREES, 2)
    snap_lon = round(round(lon / APPROXIMATE_GRID_DEGREES) * APPROXIMATE_GRID_DEGREES, 2)
    return snap_lat, snap_lon


def distance_unit_for(language_code: str, country: str | None) -> DistanceUnit:
    """Miles for people in the United States (country `US`, or the `en-US` locale); km elsewhere."""
    if (country or "").strip().upper() == "US":
        return "mi"
    return "mi" if (language_code or "").strip().lower().replace("_", "-") == "en-us" else "km"


def km_to_miles(km: float) -> float:
    return km / KM_PER_MILE


def miles_to_km(miles: float) -> float:
    return miles * KM_PER_MILE


# One coordinate: a decimal number (a dot or a comma as the decimal mark, an optional degree sign)
# with an optional hemisphere letter either before or after it. The text is cut to
# `MAX_COORDINATES_LENGTH` and its whitespace squeezed to single spaces before matching, so the pattern
# only needs ` ?` between its parts: no two quantifiers can share a character (no backtracking blow-up,
# see `quartier/tests/test_regexes.py`).
MAX_COORDINATES_LENGTH = 100
_NUMBER = r"([+-]?\d{1,3}(?:[.,]\d{1,12})?)"
_COORDINATE = rf"(?:([NSEW]) ?{_NUMBER} ?°?|{_NUMBER} ?°?(?: ?([NSEW]))?)"
_COORDINATES = re.compile(rf"{_COORDINATE} ?[,;/ ] ?{_COORDINATE}")


def parse_coordinates(text: str | None) -> tuple[float, float] | None:
    """`(latitude, longitude)` from what a person types or pastes, or None if it is not that.

    Accepts `45.52, -73.58`, `45.52 -73.58`, `45,52; -73,58` (decimal commas), `(45.52, -73.58)`,
    `45.52° N, 73.58° W` and `N 45.52 W 73.58` (longitude first too when letters say so). Text longer
    than `MAX_COORDINATES_LENGTH` is refused before any matching.
    """
    if not text or len(text) > MAX_COORDINATES_LENGTH:
        return None
    cleaned = text.replace("\u2212", "-").strip().strip("()[]").strip().upper()  # U+2212: minus sign
    cleaned = " ".join(cleaned.split())
    match = _COORDINATES.fullmatch(cleaned)
    if match is None:
        return None
    first = _signed_coordinate(*match.group(1, 2, 3, 4))
    second = _signed_coordinate(*match.group(5, 6, 7, 8))
    if first is None or second is None:
        return None
    (lat, lat_axis), (lon, lon_axis) = first, second
    if lat_axis == "lon" and lon_axis in {"lat", None}:
        (lat, lat_axis), (lon, lon_axis) = (lon, lon_axis), (lat, lat_axis)
    if lat_axis == "lon" or lon_axis == "lat":
        return None  # two latitudes or two longitudes
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        return None
    return lat, lon


def _signed_coordinate(
    before: str | None, number_after_letter: str | None, number: str | None, after: str | None
) -> tuple[float, str | None] | None:
    """A number with its sign from a hemisphere letter, and the axis that letter names (if any)."""
    letter = before or after
    number = number_after_letter or number or ""
    value = float(number.replace(",", "."))
    if letter is None:
        return value, None
    if number[0] in "+-":
        return None  # "-45 S" is ambiguous
    sign = -1.0 if letter in "SW" else 1.0
    return sign * value, "lat" if letter in "NS" else "lon"
