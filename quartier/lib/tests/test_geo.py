from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quartier.lib.geo import (
    EARTH_RADIUS_KM,
    bounding_box,
    distance_unit_for,
    haversine_km,
    in_bounding_box,
    km_to_miles,
    longitude_ranges,
    miles_to_km,
    parse_coordinates,
)

latitudes = st.floats(min_value=-90, max_value=90, allow_nan=False)
longitudes = st.floats(min_value=-180, max_value=180, allow_nan=False)
points = st.tuples(latitudes, longitudes)
HALF_CIRCUMFERENCE_KM = math.pi * EARTH_RADIUS_KM

MONTREAL = (45.5019, -73.5674)
PARIS = (48.8566, 2.3522)


def test_it_measures_known_distances():
    assert haversine_km(*MONTREAL, *PARIS) == pytest.approx(5510, abs=10)
    # One degree of latitude is about 111.2 km anywhere.
    assert haversine_km(10, 20, 11, 20) == pytest.approx(111.19, abs=0.01)
    assert haversine_km(*MONTREAL, *MONTREAL) == 0


def test_it_measures_across_the_antimeridian_the_short_way():
    assert haversine_km(0, 179.5, 0, -179.5) == pytest.approx(111.19, abs=0.01)


@given(points, points)
def test_distance_is_symmetric_and_bounded(a, b):
    distance = haversine_km(*a, *b)
    assert distance == pytest.approx(haversine_km(*b, *a), abs=1e-6)
    assert 0 <= distance <= HALF_CIRCUMFERENCE_KM + 1e-6


@given(points, points, points)
def test_distance_obeys_the_triangle_inequality(a, b, c):
    assert haversine_km(*a, *c) <= haversine_km(*a, *b) + haversine_km(*b, *c) + 1e-6


def test_the_box_around_montreal_is_about_ten_km_each_way():
    min_lat, max_lat, min_lon, max_lon = bounding_box(*MONTREAL, 10)
    assert max_lat - min_lat == pytest.approx(2 * 10 / 111.19, rel=1e-3)
    # Meridians converge: ten km is more degrees of longitude than of latitude at 45°N.
    assert max_lon - min_lon > max_lat - min_lat
    assert min_lon < MONTREAL[1] < max_lon


def test_a_box_reaching_a_pole_spans_every_longitude():
    assert bounding_box(89.95, 12, 20) == pytest.approx((89.95 - 20 / 111.19, 90, -180, 180), abs=1e-3)
    min_lat, _max_lat, min_lon, max_lon = bounding_box(-89.99, -150, 5)
    assert min_lat == -90 and (min_lon, max_lon) == (-180, 180)


def test_a_box_crossing_the_antimeridian_wraps_around():
    min_lat, max_lat, min_lon, max_lon = bounding_box(-17.7, 179.9, 50)  # Fiji
    assert min_lon > max_lon
    assert longitude_ranges(min_lon, max_lon) == [(min_lon, 180), (-180, max_lon)]
    box = (min_lat, max_lat, min_lon, max_lon)
    assert in_bounding_box(-17.7, -179.9, box) and in_bounding_box(-17.7, 179.8, box)
    assert not in_bounding_box(-17.7, 0, box)


def test_a_huge_radius_covers_the_whole_earth():
    assert bounding_box(0, 0, 25_000) == (-90, 90, -180, 180)


@pytest.mark.parametrize(("lat", "lon", "radius"), [(91, 0, 1), (0, 181, 1), (0, 0, -1), (0, 0, math.nan)])
def test_a_box_refuses_impossible_input(lat, lon, radius):
    with pytest.raises(ValueError):
        bounding_box(lat, lon, radius)


@given(points, points, st.floats(min_value=1, max_value=3))
def test_every_point_within_the_radius_lies_inside_the_box(centre, point, slack):
    # The radius is at least the point's distance (exactly it when slack is 1: the edge case).
    radius = haversine_km(*centre, *point) * slack
    assert in_bounding_box(*point, bounding_box(*centre, radius))


@given(
    st.tuples(st.floats(min_value=-90, max_value=90), st.sampled_from([-180.0, -179.999, 179.999, 180.0])),
    st.floats(min_value=0, max_value=math.pi / 2),
    st.floats(min_value=0, max_value=500),
)
def test_points_near_the_antimeridian_are_never_lost(centre, bearing, distance_km):
    lat, lon = _destination(*centre, bearing * 4, distance_km)
    assert in_bounding_box(lat, lon, bounding_box(*centre, distance_km))


def _destination(lat: float, lon: float, bearing: float, distance_km: float) -> tuple[float, float]:
    """The point `distance_km` away from (lat, lon) along `bearing` (radians from north)."""
    phi, lam, delta = math.radians(lat), math.radians(lon), distance_km / EARTH_RADIUS_KM
    phi2 = math.asin(
        max(-1, min(1, math.sin(phi) * math.cos(delta) + math.cos(phi) * math.sin(delta) * math.cos(bearing)))
    )
    lam2 = lam + math.atan2(
        math.sin(bearing) * math.sin(delta) * math.cos(phi), math.cos(delta) - math.sin(phi) * math.sin(phi2)
    )
    return math.degrees(phi2), (math.degrees(lam2) + 540) % 360 - 180


@pytest.mark.parametrize(
    ("language", "country", "unit"),
    [("en", "US", "mi"), ("fr", "US", "mi"), ("en-us", None, "mi"), ("en_US", "", "mi"), ("en-US", "CA", "mi"),
     ("en", "CA", "km"), ("en", None, "km"), ("fr-ca", "CA", "km"), ("fr", "FR", "km"), ("en-gb", "GB", "km"),
     ("", None, "km"), ("en", "us", "mi")],
)  # fmt: skip
def test_americans_get_miles_and_everyone_else_kilometres(language, country, unit):
    assert distance_unit_for(language, country) == unit


def test_it_converts_between_km_and_miles():
    assert km_to_miles(1.609344) == pytest.approx(1)
    assert miles_to_km(10) == pytest.approx(16.09344)


@given(st.floats(min_value=0, max_value=1e6))
def test_km_and_miles_round_trip(km):
    assert miles_to_km(km_to_miles(km)) == pytest.approx(km)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("45.52, -73.58", (45.52, -73.58)), ("45.52,-73.58", (45.52, -73.58)), ("45.52 -73.58", (45.52, -73.58)),
     (" (48.8566, 2.3522) ", (48.8566, 2.3522)), ("45,52; -73,58", (45.52, -73.58)),
     ("45,52 -73,58", (45.52, -73.58)), ("45.52° N, 73.58° W", (45.52, -73.58)),
     ("N 45.52 W 73.58", (45.52, -73.58)), ("73.58 W, 45.52 N", (45.52, -73.58)),
     ("33.87s 151.21e", (-33.87, 151.21)), ("45.52, \u221273.58", (45.52, -73.58)), ("+90, 180", (90, 180)),
     ("-90 -180", (-90, -180))],
)  # fmt: skip
def test_it_reads_coordinates_as_people_type_them(text, expected):
    assert parse_coordinates(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    "text",
    [None, "", "   ", "45.52", "Montréal", "H2X 1Y4", "75011", "90.1, 0", "0, 180.5", "-91, 10", "45 N, 73 N",
     "73 W, 45 E", "-45 S, 3 E", "45.52, -73.58, 12", "1e3, 5", "nan, nan", "45.52 -73.58 <script>"],
)  # fmt: skip
def test_it_refuses_what_is_not_a_pair_of_coordinates(text):
    assert parse_coordinates(text) is None


@given(latitudes, longitudes)
def test_written_coordinates_read_back(lat, lon):
    assert parse_coordinates(f"{lat:.6f}, {lon:.6f}") == pytest.approx((lat, lon), abs=1e-6)
