"""The `{{ next_event }}` merge field: the nearest upcoming in-person event to each reader.

The upcoming events (next 30 days) are loaded once per process every five minutes into a grid of
0.1-degree cells (about 11 km), keeping the soonest few of each cell; a reader's lookup walks the
rings of cells around theirs, nearest first, and stops once no farther ring can hold a nearer event.
The events are `organizing`'s: its merge-field loader (`organizing/outreach_providers.py`) passes
the function that reads them, so that outreach imports no other domain app.
"""

from __future__ import annotations

import math
import time
from collections import defaultdict
from collections.abc import Callable

from quartier.lib.geo import haversine_km

# Beyond this, "an event near you" is not near: the fallback wording is used.
NEAR_KM = 50.0
CELL_DEGREES = 0.1
PER_CELL = 8
_CACHE_SECONDS = 300
_cache: tuple[float, NearestEvents] | None = None


def _cell(latitude: float, longitude: float) -> tuple[int, int]:
    return math.floor(latitude / CELL_DEGREES), math.floor(longitude / CELL_DEGREES)


class NearestEvents:
    def __init__(self, points: list[tuple[float, float, str, int]]) -> None:
        cells: dict[tuple[int, int], list[tuple[float, float, str]]] = defaultdict(list)
        for latitude, longitude, title, _pk in points:  # soonest first: the first few of a cell are kept
            cell = cells[_cell(latitude, longitude)]
            if len(cell) < PER_CELL:
                cell.append((latitude, longitude, title))
        self._cells = dict(cells)

    def near(self, latitude: float | None, longitude: float | None) -> str:
        if latitude is None or longitude is None or not self._cells:
            return ""
        row, column = _cell(latitude, longitude)
        # Longitude cells shrink towards the poles: widen the search so that it still covers NEAR_KM.
        squeeze = max(math.cos(math.radians(latitude)), 0.1)
        max_ring = math.ceil(NEAR_KM / (111.195 * CELL_DEGREES * squeeze))
        best, best_km = "", NEAR_KM
        for ring in range(max_ring + 1):
            if ring and (ring - 1) * 111.195 * CELL_DEGREES * squeeze > best_km:
                break  # every cell of this ring and beyond is farther than the best found
            for d_row in range(-ring, ring + 1):
                for d_column in range(-ring, ring + 1):
                    if max(abs(d_row), abs(d_column)) != ring:
                        continue
                    for event_latitude, event_longitude, title in self._cells.get(
                        (row + d_row, column + d_column), ()
                    ):
                        km = haversine_km(latitude, longitude, event_latitude, event_longitude)
                        if km < best_km:
                            best, best_km = title, km
        return best


def nearest_events(load_points: Callable[[], list[tuple[float, float, str, int]]]) -> NearestEvents:
    """The grid of upcoming events, from `load_points()` ((latitude, longitude, title, id), soonest
    first) at most once per process every five minutes."""
    global _cache
    now = time.monotonic()
    if _cache is None or now - _cache[0] > _CACHE_SECONDS:
        _cache = (now, NearestEvents(load_points()))
    return _cache[1]


def forget() -> None:
    """Drop the cached events (tests)."""
    global _cache
    _cache = None
