"""Turf areas as SQL conditions on a contact's latitude and longitude: a cut by polygon or radius is
decided inside the database (issue 22), never by reading every id into Python.

Both conditions start with the indexed bounding box (`contact_location`), then test the exact shape
in the same query, on PostgreSQL and SQLite alike (plain arithmetic, and the trigonometric functions
Django provides on both):

- polygon: ray casting with the even-odd rule, the same arithmetic in the same order as
  `lib.contacts.in_polygon` (which stays the reference), so both decide every point alike, points on
  an edge or a corner included: one `CASE` per edge adds 1 when the ray from the point crosses it,
  and the point is inside when the sum is odd;
- radius: the haversine distance compared without `asin` and `sqrt`: a point is within `r` of the
  centre when `sin²(Δφ/2) + cos φ₁·cos φ₂·sin²(Δλ/2) ≤ sin²(r / 2R)`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from django.db.models import Case, F, FloatField, IntegerField, Q, QuerySet, Value, When
from django.db.models.functions import Cos, Mod, Power, Radians, Sin

from quartier.lib.contacts import polygon_box
from quartier.lib.geo import EARTH_RADIUS_KM, bounding_box, longitude_ranges


def _float(value: float) -> Value:
    return Value(float(value), output_field=FloatField())


def inside_polygon(contacts: QuerySet, polygon: Sequence[tuple[float, float]]) -> QuerySet:
    """The contacts whose position is inside `polygon` ([(lat, lon), ...]), by ray casting in SQL."""
    min_lat, max_lat, min_lon, max_lon = polygon_box(polygon)
    boxed = contacts.filter(latitude__range=(min_lat, max_lat), longitude__range=(min_lon, max_lon))
    crossings = []
    count = len(polygon)
    for index in range(count):
        lat1, lon1 = polygon[index]
        lat2, lon2 = polygon[(index + 1) % count]
        if lat1 == lat2:
            continue  # `(lat1 > lat) != (lat2 > lat)` is never true: the ray never crosses this edge
        low, high = min(lat1, lat2), max(lat1, lat2)
        # lon1 + (lat - lat1) * (lon2 - lon1) / (lat2 - lat1), evaluated as in_polygon does
        crossing = _float(lon1) + (F("latitude") - _float(lat1)) * _float(lon2 - lon1) / _float(lat2 - lat1)
        crossings.append(
            Case(
                When(Q(latitude__gte=low, latitude__lt=high, longitude__lt=crossing), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            )
        )
    if not crossings:
        return boxed.none()  # a flat polygon holds nothing
    total = crossings[0]
    for term in crossings[1:]:
        total = total + term
    return boxed.alias(turf_crossings=Mod(total, Value(2))).filter(turf_crossings=1)


def within_radius(contacts: QuerySet, lat: float, lon: float, radius_km: float) -> QuerySet:
    """The contacts within `radius_km` of (lat, lon) on the sphere, in SQL (see the module's note)."""
    min_lat, max_lat, min_lon, max_lon = bounding_box(lat, lon, radius_km)
    longitudes = Q()
    for low, high in longitude_ranges(min_lon, max_lon):
        longitudes |= Q(longitude__range=(low, high))
    boxed = contacts.filter(Q(latitude__range=(min_lat, max_lat)) & longitudes)
    phi1, lambda1 = math.radians(lat), math.radians(lon)
    half = min(radius_km / (2 * EARTH_RADIUS_KM), math.pi / 2)
    half_lat = Sin((Radians(F("latitude")) - _float(phi1)) / _float(2))
    half_lon = Sin((Radians(F("longitude")) - _float(lambda1)) / _float(2))
    a = Power(half_lat, 2) + _float(math.cos(phi1)) * Cos(Radians(F("latitude"))) * Power(half_lon, 2)
    return boxed.alias(turf_haversine=a).filter(turf_haversine__lte=math.sin(half) ** 2)
