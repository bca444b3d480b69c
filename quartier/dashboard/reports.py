"""The organiser dashboard's charts and headline figures, built from `queries` for one `Scope`."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from functools import cache

import zipcodes
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from quartier.dashboard import queries
from quartier.dashboard.charts import Chart, Series
from quartier.dashboard.queries import Scope
from quartier.lib import areas
from quartier.lib.places import bundled_places

# (chart slug, title, [(metric, series name, use amount, metrics subtracted)])
CHARTS = [
    ("supporters", _("Supporters"), [
        ("accounts.signup", _("Sign-ups"), False, ()),
        ("accounts.verified", _("Verified"), False, ()),
    ]),
    ("donations", _("Donations, amount"), [
        ("donations.gift", _("Amount given"), True, ("donations.refund",)),
    ]),
    ("gifts", _("Donations, number"), [
        ("donations.gift", _("Gifts"), False, ()),
    ]),
    ("events", _("Events and RSVPs"), [
        ("organizing.event_hosted", _("Events created"), False, ()),
        ("organizing.rsvp", _("RSVPs"), False, ("organizing.rsvp_cancelled",)),
        ("organizing.attended", _("Attended"), False, ()),
    ]),
    ("fieldwork", _("Doors and calls"), [
        ("fieldwork.door", _("Doors knocked"), False, ()),
        ("fieldwork.call", _("Calls made"), False, ()),
    ]),
    ("groups", _("Groups"), [
        ("organizing.group_created", _("New groups"), False, ()),
        ("organizing.group_joined", _("People joining"), False, ()),
    ]),
    ("pages", _("Fundraising pages"), [
        ("donations.page_created", _("Pages started"), False, ()),
    ]),
    ("social", _("Posts and messages"), [
        ("social.post", _("Posts"), False, ()),
        ("social.comment", _("Comments"), False, ()),
        ("social.message", _("Messages"), False, ()),
    ]),
]  # fmt: skip

EXTRA_METRICS = [
    "donations.gift_under_50", "donations.gift_under_200", "donations.recurring_started",
    "donations.recurring_cancelled", "fieldwork.door_reached", "fieldwork.call_reached",
]  # fmt: skip


@dataclass
class Headline:
    name: str
    value: str
    note: str = ""


@dataclass
class Report:
    charts: list[Chart]
    totals: dict[str, list[int]]
    active_supporters: int | None
    active_groups: int
    answers: list[tuple[str, str, int]]
    regions: list[tuple[str, int]]
    headlines: dict[str, object] = field(default_factory=dict)
    as_of: datetime | None = None  # when the rollup last read the journal

    def region_rows(self) -> list[tuple[str, int]]:
        """The map's table: (prefix and its area, actions)."""
        return [(region_label(region), count) for region, count in self.regions]


def _metrics_needed() -> list[str]:
    names = set(EXTRA_METRICS)
    for _slug, _title, series in CHARTS:
        for metric, _name, _money, minus in series:
            names.add(metric)
            names.update(minus)
    return sorted(names)


def build(scope: Scope) -> Report:
    stamp = queries.figures_stamp()  # once, for "as of" and to key the counts cached beside the figures
    found = queries.figures(scope, _metrics_needed())
    days = scope.days
    charts = []
    for slug, title, series_list in CHARTS:
        chart = Chart(slug=slug, title=str(title), days=days, bars=scope.bars)
        for metric, name, money, minus in series_list:
            index = 1 if money else 0
            values = []
            for day in days:
                value = found[metric].get(day, [0, 0])[index]
                value += sum(found[other].get(day, [0, 0])[index] for other in minus)
                values.append(value)
            chart.series.append(Series(name=str(name), values=values, money=money))
        charts.append(chart)
    totals = {metric: [sum(v[0] for v in per_day.values()), sum(v[1] for v in per_day.values())]
              for metric, per_day in found.items()}  # fmt: skip

    def share(part: str, whole: str) -> float | None:
        return totals[part][0] / totals[whole][0] if totals[whole][0] else None

    gifts, amount = totals["donations.gift"]
    headlines = {
        "gifts": gifts,
        "amount": amount + totals["donations.refund"][1],
        "refunds": -totals["donations.refund"][1],
        "refund_count": -totals["donations.refund"][0],
        "average_gift": amount / gifts if gifts else None,
        "under_50": share("donations.gift_under_50", "donations.gift"),
        "under_200": share("donations.gift_under_200", "donations.gift"),
        "recurring": totals["donations.recurring_started"][1] + totals["donations.recurring_cancelled"][1],
        "rsvps": totals["organizing.rsvp"][0] + totals["organizing.rsvp_cancelled"][0],
        "attendance_rate": (
            totals["organizing.attended"][0]
            / (totals["organizing.rsvp"][0] + totals["organizing.rsvp_cancelled"][0])
            if totals["organizing.rsvp"][0] + totals["organizing.rsvp_cancelled"][0] > 0
            else None
        ),
        "door_contact_rate": share("fieldwork.door_reached", "fieldwork.door"),
        "call_contact_rate": share("fieldwork.call_reached", "fieldwork.call"),
    }
    return Report(
        charts=charts,
        totals=totals,
        active_supporters=queries.active_supporters(scope, stamp=stamp),
        active_groups=queries.active_groups(scope, stamp=stamp),
        answers=queries.answers(scope),
        regions=queries.activity_by_region(scope),
        headlines=headlines,
        as_of=stamp[1] if stamp else None,
    )


@cache
def _centroids() -> dict[str, tuple[float, float]]:
    """`COUNTRY:PREFIX` (3 characters) → centre: the bundled table of places, and every US ZIP code."""
    sums: dict[str, list[float]] = {}

    def add(key: str, latitude: float, longitude: float) -> None:
        entry = sums.setdefault(key, [0.0, 0.0, 0])
        entry[0] += latitude
        entry[1] += longitude
        entry[2] += 1

    for place in bundled_places():
        if place.latitude is not None and place.longitude is not None:
            add(
                f"{place.country}:{place.postal_code.replace(' ', '').upper()[:3]}",
                place.latitude,
                place.longitude,
            )
    for entry in zipcodes.list_all():
        add(f"US:{entry['zip_code'][:3]}", float(entry["lat"]), float(entry["long"]))
    return {key: (lat / n, lon / n) for key, (lat, lon, n) in sums.items()}


def region_label(key: str) -> str:
    """`CA:H2X` → `H2X · Québec`: the prefix and its province, state or region."""
    country, _separator, prefix = key.partition(":")
    area = areas.area_of(country, prefix)
    return f"{prefix} · {areas.area_name(area)}" if area else f"{prefix} · {country}"


MAP_WIDTH, MAP_HEIGHT, MAP_MARGIN = 640, 360, 24


def region_points(regions: list[tuple[str, int]]) -> list[dict[str, object]]:
    """Where each region's circle goes on the SVG map (equirectangular, fitted to the regions shown)."""
    centroids = _centroids()
    located = [(region, count, *centroids[region]) for region, count in regions if region in centroids]
    if not located:
        return []
    latitudes = [item[2] for item in located]
    longitudes = [item[3] for item in located]
    south, north = min(latitudes), max(latitudes)
    west, east = min(longitudes), max(longitudes)
    span = max(north - south, (east - west) * 0.7, 0.05)
    biggest = max(item[1] for item in located) or 1
    points = []
    scale = (MAP_HEIGHT - 2 * MAP_MARGIN) / span
    middle_latitude, middle_longitude = (north + south) / 2, (east + west) / 2
    for region, count, latitude, longitude in located:
        x = MAP_WIDTH / 2 + (longitude - middle_longitude) * 0.7 * scale
        y = MAP_HEIGHT / 2 - (latitude - middle_latitude) * scale
        points.append({"region": region, "prefix": region.partition(":")[2], "label": region_label(region),
                       "count": count, "x": f"{x:.1f}", "y": f"{y:.1f}",
                       "r": f"{4 + 16 * (count / biggest) ** 0.5:.1f}"})  # fmt: skip
    return points


def region_circles(points: list[dict[str, object]]) -> SafeString:
    """The map's circles and labels (written here: a map has up to 300 of them)."""
    return format_html_join(
        "",
        '<circle cx="{}" cy="{}" r="{}" data-region="{}" data-value="{}"><title>{}: {}</title></circle>'
        '<text x="{}" y="{}" dx="10" dy="4">{}</text>',
        (
            (
                p["x"],
                p["y"],
                p["r"],
                p["region"],
                p["count"],
                p["label"],
                p["count"],
                p["x"],
                p["y"],
                p["prefix"],
            )
            for p in points
        ),
    )


def region_table_rows(report: Report) -> SafeString:
    """The rows of the map's table."""
    return format_html_join("", '<tr><th scope="row">{}</th><td>{}</td></tr>', report.region_rows())
