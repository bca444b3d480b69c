"""Turf cut inside the database (issue 22): a polygon or a radius is one SQL query, and it picks
exactly the contacts the Python reference (`lib.contacts.in_polygon`, `lib.geo.haversine_km`) picks,
edge cases included. Run on SQLite and on PostgreSQL (DATABASE_URL): both backends agree with the
reference, so with each other."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quartier.fieldwork.actions import walk_lists as walk_lists_actions
from quartier.fieldwork.models import Contact, Target
from quartier.fieldwork.queries import Turf, select_contacts
from quartier.lib.contacts import in_polygon
from quartier.lib.geo import haversine_km

pytestmark = pytest.mark.django_db

BASE_LAT, BASE_LON, UNIT = 45.50, -73.60, 0.01


def at(lat_units: float, lon_units: float) -> tuple[float, float]:
    return BASE_LAT + lat_units * UNIT, BASE_LON + lon_units * UNIT


# A "C" open to the east: the notch (lat 1 to 2, lon 1 to 3) is outside. Corners as (lat, lon).
C_SHAPE = [at(0, 0), at(3, 0), at(3, 3), at(2, 3), at(2, 1), at(1, 1), at(1, 3), at(0, 3)]
GRID = [(la / 2, lo / 2) for la in range(-1, 8) for lo in range(-1, 8)]  # corners, edges, inside, outside


@pytest.fixture
def grid(make_contact) -> dict[int, tuple[float, float]]:
    """A contact on every half unit around the C: on its corners, on its edges, in its notch."""
    positions = {}
    for lat_units, lon_units in GRID:
        lat, lon = at(lat_units, lon_units)
        positions[make_contact("Grid", latitude=lat, longitude=lon).pk] = (lat, lon)
    make_contact("Nowhere", latitude=None, longitude=None)
    return positions


def picked(turf: Turf, campaign) -> set[int]:
    return set(select_contacts(turf, campaign).values_list("pk", flat=True))


def test_a_concave_polygon_picks_what_the_reference_picks_edges_and_corners_included(grid, canvass):
    expected = {pk for pk, (lat, lon) in grid.items() if in_polygon(lat, lon, C_SHAPE)}
    assert picked(Turf(polygon=C_SHAPE), canvass) == expected
    chosen = {grid[pk] for pk in expected}
    assert at(0.5, 2) in chosen and at(2.5, 2) in chosen and at(1.5, 0.5) in chosen  # both arms, the back
    assert at(1.5, 2) not in chosen and at(1.5, 3.5) not in chosen  # the notch, and east of it
    assert 10 < len(expected) < len(grid) - 10


def test_the_same_points_are_picked_whichever_corner_the_polygon_starts_from(grid, canvass):
    expected = picked(Turf(polygon=C_SHAPE), canvass)
    for start in range(1, len(C_SHAPE)):
        assert picked(Turf(polygon=C_SHAPE[start:] + C_SHAPE[:start]), canvass) == expected
    assert picked(Turf(polygon=list(reversed(C_SHAPE))), canvass) == {
        pk for pk, (lat, lon) in grid.items() if in_polygon(lat, lon, list(reversed(C_SHAPE)))
    }


def test_a_flat_polygon_holds_nobody(grid, canvass):
    assert picked(Turf(polygon=[at(1, 0), at(1, 1), at(1, 2)]), canvass) == set()


def test_a_radius_picks_what_the_haversine_picks(grid, canvass):
    centre = at(1.5, 1.5)
    for radius in (0.5, 1.1, 1.6, 2.5):
        expected = {pk for pk, (lat, lon) in grid.items() if haversine_km(*centre, lat, lon) <= radius}
        assert picked(Turf(center=centre, radius_km=radius), canvass) == expected, radius


def test_a_radius_across_the_antimeridian_keeps_both_sides(make_contact, canvass):
    east = make_contact("East", latitude=-17.0, longitude=179.995)
    west = make_contact("West", latitude=-17.0, longitude=-179.995)
    make_contact("Far", latitude=-17.0, longitude=178.0)
    assert picked(Turf(center=(-17.0, 179.999), radius_km=5), canvass) == {east.pk, west.pk}


def test_the_area_is_one_query_not_a_list_of_ids(grid, canvass):
    for turf in (Turf(polygon=C_SHAPE), Turf(center=at(1.5, 1.5), radius_km=1.6)):
        with CaptureQueriesContext(connection) as queries:
            found = list(select_contacts(turf, canvass))
        assert len(queries) == 1 and found
        assert "CASE" in queries[0]["sql"].upper() or "SIN" in queries[0]["sql"].upper()


def test_a_cut_by_polygon_puts_exactly_the_contacts_inside_on_the_lists(grid, canvass):
    inside = picked(Turf(polygon=C_SHAPE), canvass)
    contacts = select_contacts(Turf(polygon=C_SHAPE), canvass)
    lists = walk_lists_actions.cut_walk_lists(
        campaign=canvass, contacts=contacts, doors_per_list=7, max_lists=50
    )
    assert set(Target.objects.filter(campaign=canvass).values_list("contact_id", flat=True)) == inside
    assert sum(w.contact_count for w in lists) == len(inside) == Contact.objects.filter(pk__in=inside).count()
