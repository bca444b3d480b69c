"""The `{{ next_event }}` merge field: the nearest upcoming in-person event to each reader.

The upcoming events (next 30 days) are loaded once per process and message batch run and put in a
grid of one-degree cells, so each reader costs a look at nine cells, not a query.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict

from quartier.lib.geo import haversine_km

# Beyond this, "an event near you" is not near: the fallback wording is used.
NEAR_KM = 50.0
_CACHE_SECONDS = 300
_cache: tuple[float, NearestEvents] | None = None


class NearestEvents:
    def __init__(self, points: list[tuple[float, float, str, int]]) -> None:
        self._cells: dict[tuple[int, int], list[tuple[float, float, str]]] = defaultdict(list)
        for latitude, longitude, title, _pk in points:
            self._cells[(math.floor(latitude), math.floor(longitude))].append((latitude, longitude, title))

    def near(self, latitude: float | None, longitude: float | None) -> str:
        if latitude is None or longitude is None or not self._cells:
            return ""
        best, best_km = "", NEAR_KM
        row, column = math.floor(latitude), math.floor(longitude)
        for d_row in (-1, 0, 1):
            for d_column in (-1, 0, 1):
                for event_latitude, event_longitude, title in self._cells.get(
                    (row + d_row, column + d_column), ()
                ):
                    km = haversine_km(latitude, longitude, event_latitude, event_longitude)
                    if km < best_km:
                        best, best_km = title, km
        return best


def nearest_events() -> NearestEvents:
    global _cache
    now = time.monotonic()
    if _cache is None or now - _cache[0] > _CACHE_SECONDS:
        from quartier.organizing import queries as organizing_queries

        _cache = (now, NearestEvents(organizing_queries.upcoming_event_points()))
    return _cache[1]


def forget() -> None:
    """Drop the cached events (tests)."""
    global _cache
    _cache = None
