"""The word-of-mouth page's figures: the stored snapshot turned into charts and tables."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from quartier.reach.charts import Chart
from quartier.reach.models import CascadeNode
from quartier.reach.queries import cascades as cascade_queries

SHOWN_DAYS = 90  # the curves show the last 90 days, one bar a day
BIG_NIGHT_FROM = 10  # a growth factor counts as a night to remember from this many people the day before


@dataclass
class BigNight:
    day: str
    before: int
    after: int
    factor: float


@dataclass
class Report:
    computed_at: datetime | None
    seconds: float
    charts: list[Chart] = field(default_factory=list)
    largest: list[tuple[CascadeNode | None, dict]] = field(default_factory=list)
    top_sharers: list[tuple[CascadeNode | None, dict]] = field(default_factory=list)
    big_night: BigNight | None = None


def _label(index_day: int) -> str:
    return date_format(cascade_queries.day_of(index_day), "MONTH_DAY_FORMAT")


def build(metrics: dict, computed_at: datetime | None, seconds: float) -> Report:
    report = Report(computed_at=computed_at, seconds=seconds)
    adoption: list[int] = metrics.get("adoption", [])
    growth: list[float | None] = metrics.get("growth", [])
    first = metrics.get("first_day", 0)
    start = max(0, len(adoption) - SHOWN_DAYS)
    days = [_label(first + index) for index in range(start, len(adoption))]
    report.charts.append(
        Chart("adoption", _("People brought in, in total"), days, adoption[start:], line=True)
    )
    report.charts.append(
        Chart(
            "growth",
            _("Daily growth factor (today's total ÷ yesterday's)"),
            days,
            growth[start:],
            decimals=2,
            reference=1.0,
        )
    )
    generations = metrics.get("k_per_generation", [])
    report.charts.append(
        Chart(
            "k-generation", _("Viral coefficient K per generation (people brought per person)"),
            [str(generation) for generation, _people, _k in generations], [k for _g, _p, k in generations],
            decimals=2, reference=1.0,
        )
    )  # fmt: skip
    cohorts = metrics.get("k_per_cohort", [])[-26:]
    report.charts.append(
        Chart(
            "k-cohort", _("Viral coefficient K per week of joining"),
            [_label(day) for day, _people, _k in cohorts], [k for _d, _p, k in cohorts], decimals=2, reference=1.0,
        )
    )  # fmt: skip
    sizes = metrics.get("size_histogram", [])
    report.charts.append(
        Chart(
            "sizes", _("Cascades by size (people)"),
            [str(low) if low == high else f"{low}–{high}" for low, high, _count in sizes], [c for _l, _h, c in sizes],
        )
    )  # fmt: skip
    depths = metrics.get("depth_histogram", [])
    report.charts.append(
        Chart("depths", _("Cascades by depth (generations)"), [str(d) for d in range(len(depths))], depths)
    )
    report.big_night = _big_night(adoption, growth, first)
    ids = [row["root"] for row in metrics.get("largest", [])] + [
        row["node"] for row in metrics.get("top_sharers", [])
    ]
    nodes = cascade_queries.nodes_with_people(ids)
    report.largest = [(nodes.get(row["root"]), row) for row in metrics.get("largest", []) if row["size"] > 1]
    report.top_sharers = [(nodes.get(row["node"]), row) for row in metrics.get("top_sharers", [])]
    return report


def _big_night(adoption: list[int], growth: list[float | None], first: int) -> BigNight | None:
    best = None
    for index in range(1, len(adoption)):
        factor = growth[index]
        if factor is None or adoption[index - 1] < BIG_NIGHT_FROM or factor < 2:
            continue
        if best is None or factor > best.factor:
            day = date_format(cascade_queries.day_of(first + index), "DATE_FORMAT")
            best = BigNight(day=day, before=adoption[index - 1], after=adoption[index], factor=factor)
    return best


def campaign_report() -> Report | None:
    snapshot = cascade_queries.snapshot()
    if snapshot is None:
        return None
    return build(snapshot.metrics, snapshot.computed_at, snapshot.seconds)
