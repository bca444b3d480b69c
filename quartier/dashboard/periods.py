"""Long ranges read coarse rows: a range of days is covered by the fewest daily, weekly and monthly
summary rows, each inside one bar of the chart.

Up to `DAILY_UP_TO` days, a chart has a bar per day and reads daily rows; up to `WEEKLY_UP_TO`, a
bar per week (Monday to Sunday) read from weekly rows, days at the ends; beyond, a bar per calendar
month read from monthly rows, whole weeks then days at the ends. The first and last bars are cut to
the range, so every total is the range's exactly. Sums that need no bars (answers, the map, active
groups) read the fewest rows whatever the chart shows.
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta

from django.db.models import F, QuerySet, Sum

from quartier.dashboard.actions import period_start
from quartier.dashboard.models import GroupFigure, GroupPeriodFigure, Period, RegionFigure, RegionPeriodFigure

DAY = "day"
DAILY_UP_TO = 92  # days: a quarter still shows its days
WEEKLY_UP_TO = 190  # days: half a year shows weeks, a longer range months


def resolution(start: date, end: date) -> str:
    """The width of a chart's bars for a range: `day`, `week` or `month`."""
    days = (end - start).days + 1
    if days <= DAILY_UP_TO:
        return DAY
    return str(Period.WEEK) if days <= WEEKLY_UP_TO else str(Period.MONTH)


def _month_end(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def pieces(start: date, end: date, bars: str = Period.MONTH) -> list[tuple[str, date]]:
    """(`day`, `week` or `month`, first day) of the fewest summary rows that cover `start`..`end`
    exactly, none straddling two bars of width `bars`."""
    found: list[tuple[str, date]] = []
    day = start
    while day <= end:
        if bars == Period.MONTH and day.day == 1 and _month_end(day) <= end:
            found.append((str(Period.MONTH), day))
            day = _month_end(day) + timedelta(days=1)
        elif (
            bars in (Period.WEEK, Period.MONTH)
            and day.weekday() == 0
            and day + timedelta(days=6) <= end
            and (bars == Period.WEEK or (day + timedelta(days=6)).month == day.month)
        ):
            found.append((str(Period.WEEK), day))
            day += timedelta(days=7)
        else:
            found.append((DAY, day))
            day += timedelta(days=1)
    return found


def bars_of(start: date, end: date, bars: str) -> list[date]:
    """The first day of each bar of the range (the first bar starts at `start`)."""
    if bars == DAY:
        return [start + timedelta(days=n) for n in range((end - start).days + 1)]
    firsts = [start]
    day = period_start(start, bars)
    while True:
        day = day + timedelta(days=7) if bars == Period.WEEK else _month_end(day) + timedelta(days=1)
        if day > end:
            return firsts
        firsts.append(day)


def bar_of(day: date, start: date, bars: str) -> date:
    """The first day of the bar that holds `day`."""
    return day if bars == DAY else max(period_start(day, bars), start)


def rows_over(
    start: date, end: date, *, group_id: int | None, bars: str = Period.MONTH, groups: bool = False
) -> list[QuerySet]:
    """The querysets of daily and period rows that cover the range (see `pieces`), each with a `day`
    (a period row's first day): a campaign's rows by region, one group's, or every group's (`groups`).
    Filter each alike."""
    days, periods = [], {str(Period.WEEK): [], str(Period.MONTH): []}
    for width, first in pieces(start, end, bars):
        (days if width == DAY else periods[width]).append(first)
    daily, coarse = (
        (GroupFigure, GroupPeriodFigure)
        if groups or group_id is not None
        else (RegionFigure, RegionPeriodFigure)
    )
    querysets = []
    if days and (days[-1] - days[0]).days == len(days) - 1:
        querysets.append(daily.objects.filter(day__range=(days[0], days[-1])))  # one stretch of days
    elif days:
        querysets.append(daily.objects.filter(day__in=days))
    for width, firsts in periods.items():
        if firsts:
            querysets.append(coarse.objects.filter(period=width, start__in=firsts).annotate(day=F("start")))
    if group_id is not None:
        querysets = [rows.filter(group_id=group_id) for rows in querysets]
    return querysets


def summed(querysets: list[QuerySet], keys: tuple[str, ...]) -> dict[tuple, list[int]]:
    """key values → [count, amount] summed over every row of `querysets` (one query: their union)."""
    parts = [rows.values(*keys).annotate(total_count=Sum("count"), total_amount=Sum("amount")).order_by()
             for rows in querysets]  # fmt: skip
    if not parts:
        return {}
    found: dict[tuple, list[int]] = {}
    combined = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    for row in combined.values_list(*keys, "total_count", "total_amount"):
        total = found.setdefault(row[:-2], [0, 0])
        total[0] += row[-2]
        total[1] += row[-1]
    return found
