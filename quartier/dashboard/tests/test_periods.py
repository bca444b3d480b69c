"""Weekly and monthly figures: kept by the rollups, equal to the daily ones they sum, and read for long
ranges so that every total of a range stays the range's own."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from hypothesis import given
from hypothesis import strategies as st

from quartier.accounts.activity import record_activity
from quartier.dashboard import actions, periods
from quartier.dashboard.models import GroupFigure, GroupPeriodFigure, RegionFigure, RegionPeriodFigure
from quartier.dashboard.queries import Scope, answers, figures

pytestmark = pytest.mark.django_db

TODAY = date(2026, 12, 7)
ranges = st.tuples(st.dates(date(2025, 1, 1), date(2026, 12, 31)), st.integers(0, 400))


@given(ranges, st.sampled_from(["day", "week", "month"]))
def test_the_pieces_of_a_range_cover_each_day_once_and_none_straddles_two_bars(range_, bars):
    start, length = range_
    end = start + timedelta(days=length)
    covered = []
    for width, first in periods.pieces(start, end, bars):
        last = {
            "day": first,
            "week": first + timedelta(days=6),
            "month": (first.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1),
        }[width]
        assert periods.bar_of(first, start, bars) == periods.bar_of(last, start, bars)
        covered.extend(first + timedelta(days=n) for n in range((last - first).days + 1))
    assert covered == [start + timedelta(days=n) for n in range(length + 1)]
    assert sorted({periods.bar_of(day, start, bars) for day in covered}) == periods.bars_of(start, end, bars)


def test_a_year_reads_a_few_dozen_rows_per_figure():
    year = periods.pieces(date(2025, 12, 10), date(2026, 12, 9))
    assert len(year) <= 11 + 2 * 4 + 2 * 6  # months, then whole weeks, then days at each end
    assert periods.resolution(date(2025, 12, 10), date(2026, 12, 9)) == "month"
    assert periods.resolution(date(2026, 9, 8), date(2026, 12, 9)) == "week"
    assert periods.resolution(date(2026, 11, 8), date(2026, 12, 9)) == "day"


def record_over_a_year(make_supporter) -> None:
    """Gifts, refunds, calls with answers and posts on 80 days spread over 400, in three areas and a group."""
    people = [
        make_supporter(f"Person {n}", postal_code=code) for n, code in enumerate(["H2X 1Y4", "M5V 2T6", ""])
    ]
    zone = ZoneInfo(settings.TIME_ZONE)
    for number in range(80):
        day = TODAY - timedelta(days=(number * 37) % 400)
        moment = datetime.combine(day, time(23, 30) if number % 3 else time(0, 15), tzinfo=zone)
        person = people[number % 3]
        record_activity("donations.gift", supporter=person, key=f"g{number}", occurred_at=moment,
                        amount=1_000 + number, currency="CAD", group_id=1 if number % 2 else None)  # fmt: skip
        if number % 5 == 0:
            record_activity("donations.refund", supporter=person, key=f"g{number}", occurred_at=moment,
                            amount=-500, currency="CAD", count=0)  # fmt: skip
        record_activity("fieldwork.call", supporter=person, key=f"c{number}", occurred_at=moment, group_id=1,
                        detail={"reached": True, "answers": [{"question": "Vote?", "answer": "yes" if number % 2 else "no"}]})  # fmt: skip


def totals(rows, owner: str) -> dict[tuple, list[int]]:
    """(owner, metric, label) → [count, amount] over every row."""
    found: dict[tuple, list[int]] = {}
    for values in rows.values_list(owner, "metric", "label", "count", "amount"):
        total = found.setdefault(values[:3], [0, 0])
        total[0] += values[3]
        total[1] += values[4]
    return {key: value for key, value in found.items() if value != [0, 0]}


@pytest.mark.parametrize("path", ["roll_up", "rebuild"])
def test_weekly_and_monthly_figures_add_up_to_the_daily_ones(make_supporter, path):
    record_over_a_year(make_supporter)
    actions.roll_up(batch=7)  # several batches, each adding to the same weeks and months
    if path == "rebuild":
        actions.rebuild(range_size=13)
    for daily, coarse, owner in ((RegionFigure, RegionPeriodFigure, "region"), (GroupFigure, GroupPeriodFigure, "group_id")):  # fmt: skip
        fine = totals(daily.objects.all(), owner)
        assert fine
        for period in ("week", "month"):
            assert totals(coarse.objects.filter(period=period), owner) == fine, (owner, period)
        for row in coarse.objects.all()[:50]:  # each coarse row is the sum of its own days
            days = daily.objects.filter(**{owner: getattr(row, owner)}, metric=row.metric, label=row.label,
                                        day__gte=row.start, day__lt=row.start + timedelta(days=7 if row.period == "week" else 31))  # fmt: skip
            if row.period == "month":
                days = days.filter(day__month=row.start.month)
            assert [row.count, row.amount] == [sum(days.values_list("count", flat=True)),
                                               sum(days.values_list("amount", flat=True))]  # fmt: skip


@pytest.mark.parametrize(
    ("start", "end", "group_id"),
    [
        (date(2025, 12, 3), TODAY, None),  # a year: months, weeks and days
        (date(2026, 6, 17), date(2026, 11, 29), None),  # weeks
        (date(2025, 11, 4), date(2026, 2, 1), 1),  # 90 days: days
        (date(2026, 1, 1), date(2026, 12, 6), 1),
    ],
)
def test_a_long_range_shows_the_same_totals_as_its_days(make_supporter, start, end, group_id):
    record_over_a_year(make_supporter)
    actions.roll_up()
    scope = Scope(start=start, end=end, group_id=group_id)
    if group_id is None:
        scope.region = "CA-QC"
    daily = (
        GroupFigure.objects.filter(group_id=group_id)
        if group_id
        else RegionFigure.objects.filter(region="CA-QC")
    )
    daily = daily.filter(day__range=(start, end))
    read = figures(scope, ["donations.gift", "donations.refund", "fieldwork.call"])
    for metric, per_bar in read.items():
        rows = daily.filter(metric=metric)
        assert [sum(v[0] for v in per_bar.values()), sum(v[1] for v in per_bar.values())] == [
            sum(rows.values_list("count", flat=True)), sum(rows.values_list("amount", flat=True))
        ], metric  # fmt: skip
        assert set(per_bar) <= set(scope.days)
    assert sum(read["donations.gift"][bar][0] for bar in read["donations.gift"]) > 0
    by_answer = {answer: count for _question, answer, count in answers(scope)}
    expected = {}
    for label, count in daily.filter(metric="fieldwork.answer").values_list("label", "count"):
        answer = label.partition("\u241f")[2]
        expected[answer] = expected.get(answer, 0) + count
    assert by_answer == expected
