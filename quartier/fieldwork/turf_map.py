"""What the turf map shows an organiser, with no tile server: the campaign's contacts as clustered
points, the extent to centre on, place names, and the doors inside the area drawn before cutting.

Clusters are made by the database: each contact's latitude and longitude are divided by a grid step
that follows the zoom (about `CLUSTER_PIXELS` on screen) and floored, and the contacts are grouped by
cell (count and mean position). A million contacts come back as at most `MAX_CLUSTERS` rows.
"""

from __future__ import annotations

from django.db.models import Avg, Count, F, FloatField, Max, Min, QuerySet, Value
from django.db.models.functions import Floor

from quartier.accounts.queries import towns_in_box
from quartier.fieldwork import queries
from quartier.fieldwork.models import Contact, FieldCampaign

CLUSTER_PIXELS = 44  # the grid step on screen: a cluster's dot and number fit in it
MAX_CLUSTERS = 3000
MIN_ZOOM, MAX_ZOOM = 2, 18


def located(campaign: FieldCampaign) -> QuerySet[Contact]:
    """The campaign's contacts (its scope) that have a position."""
    return queries.contacts_in_scope(campaign).filter(latitude__isnull=False, longitude__isnull=False)


def extent(campaign: FieldCampaign) -> tuple[float, float, float, float] | None:
    """`(min_lat, max_lat, min_lon, max_lon)` of the campaign's contacts, or None when none has a position."""
    box = located(campaign).aggregate(
        min_lat=Min("latitude"), max_lat=Max("latitude"), min_lon=Min("longitude"), max_lon=Max("longitude")
    )
    if box["min_lat"] is None:
        return None
    return box["min_lat"], box["max_lat"], box["min_lon"], box["max_lon"]


def grid_degrees(zoom: int) -> float:
    """The cluster grid step at a web-map zoom level (256-pixel tiles): `CLUSTER_PIXELS` in degrees
    of longitude (latitude uses the same step: cells are a little taller than wide away from the equator)."""
    zoom = max(MIN_ZOOM, min(MAX_ZOOM, zoom))
    return 360.0 / (256 * 2**zoom) * CLUSTER_PIXELS


def clusters(campaign: FieldCampaign, zoom: int) -> list[list[float | int]]:
    """`[latitude, longitude, contacts]` per grid cell holding any of the campaign's contacts, in SQL."""
    step = Value(grid_degrees(zoom), output_field=FloatField())
    cells = (
        located(campaign)
        .annotate(cell_lat=Floor(F("latitude") / step), cell_lon=Floor(F("longitude") / step))
        .values("cell_lat", "cell_lon")
        .annotate(n=Count("pk"), lat=Avg("latitude"), lon=Avg("longitude"))
        .order_by("-n", "cell_lat", "cell_lon")[:MAX_CLUSTERS]
    )
    return [[round(cell["lat"], 6), round(cell["lon"], 6), cell["n"]] for cell in cells]


def place_names(campaign: FieldCampaign, box: tuple[float, float, float, float] | None) -> list[list]:
    """`[name, latitude, longitude]` of the towns around the contacts (the box widened by half its
    size, at least about 5 km), larger towns first: the map's labels, from the bundled places data
    and the imported postal codes."""
    if box is None:
        return []
    min_lat, max_lat, min_lon, max_lon = box
    pad_lat = max((max_lat - min_lat) / 2, 0.05)
    pad_lon = max((max_lon - min_lon) / 2, 0.07)
    countries = sorted(set(located(campaign).values_list("country", flat=True).distinct()[:10]))
    towns = towns_in_box(
        countries, (min_lat - pad_lat, max_lat + pad_lat, min_lon - pad_lon, max_lon + pad_lon)
    )
    return [[town.name, round(town.latitude, 5), round(town.longitude, 5)] for town in towns]


def doors_inside(campaign: FieldCampaign, turf: queries.Turf) -> dict[str, int]:
    """What a cut with this turf would take, counted before cutting: for a walking campaign the
    doors (households) and people `cut_walk_lists` would still put on a list, for a phone bank the
    contacts with a number who may be called."""
    contacts = queries.select_contacts(turf, campaign)
    if campaign.is_phone_bank:
        people = contacts.exclude(phone="").filter(do_not_call=False).count()
        return {"people": people, "doors": 0}
    candidates = queries.door_candidates(campaign, contacts)
    counts = candidates.aggregate(people=Count("pk"), doors=Count("household_key", distinct=True))
    return {"people": counts["people"], "doors": counts["doors"]}
