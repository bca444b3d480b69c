"""Server-rendered SVG charts: no script, no library, the same figures as the table and the CSV.

Each chart is a `Chart` (bars of a day, a week or a month, by series); `svg()` draws it as bars (one series) or lines (several),
with localised dates and numbers in the page's language, and `rows()` gives the table and CSV rows.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache

from django.utils.formats import date_format, number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language, gettext

from quartier.dashboard.templatetags.dashboard import money_text
from quartier.donations.compliance import campaign_currency

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 72, 12, 14, 44
COLOURS = ["#1f5fa8", "#c2410c", "#15803d", "#7e22ce"]


@dataclass
class Series:
    name: str
    values: list[float]
    money: bool = False


@dataclass
class Chart:
    slug: str
    title: str
    days: list[date]  # the first day of each bar
    series: list[Series] = field(default_factory=list)
    bars: str = "day"  # or "week", "month" (`periods.resolution`)

    @property
    def row_format(self) -> str:
        return "YEAR_MONTH_FORMAT" if self.bars == "month" else "SHORT_DATE_FORMAT"

    @property
    def tick_format(self) -> str:
        return "YEAR_MONTH_FORMAT" if self.bars == "month" else "MONTH_DAY_FORMAT"

    def rows(self) -> list[list[str]]:
        """[bar, value of each series] for the table: localised."""
        return [
            [day_label(day, self.row_format)] + [_number(s.values[index], s.money) for s in self.series]
            for index, day in enumerate(self.days)
        ]

    def table_html(self) -> SafeString:
        """The table under the chart, written here rather than by template loops (a 90-day report has
        eight tables of 90 rows: their template nodes cost more than the rest of the page)."""
        head = "".join(f'<th scope="col">{_e(s.name)}</th>' for s in self.series)
        body = "".join(
            f'<tr><th scope="row">{_e(row[0])}</th>'
            + "".join(f"<td>{_e(cell)}</td>" for cell in row[1:])
            + "</tr>"
            for row in self.rows()
        )
        return mark_safe(  # noqa: S308 - every piece of text is escaped above
            f'<table><thead><tr><th scope="col">{_e(self.first_header())}</th>{head}</tr></thead>\n'
            f"    <tbody>{body}</tbody></table>"
        )

    def first_header(self) -> str:
        if self.bars == "month":
            return gettext("Month")
        return gettext("Week of") if self.bars == "week" else gettext("Day")

    def csv_rows(self) -> list[list[str]]:
        """The same figures for a spreadsheet: ISO dates, plain numbers."""
        header = ["date"] + [s.name for s in self.series]
        body = [
            [day.isoformat()] + [_plain(s.values[index], s.money) for s in self.series]
            for index, day in enumerate(self.days)
        ]
        return [header, *body]

    @property
    def is_empty(self) -> bool:
        return not any(value for s in self.series for value in s.values)

    def svg(self) -> SafeString:
        top = max([value for s in self.series for value in s.values] + [0])
        money = bool(self.series and self.series[0].money)
        top = _nice(top) if money else max(_nice(top), 4)  # whole numbers on every tick of a count
        plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
        count = max(len(self.days), 1)
        step = plot_width / count

        def y(value: float) -> float:
            return TOP + plot_height - (value / top * plot_height if top else 0)

        # Written with f-strings and `escape` (Django's `format_html` per bar costs more than the page):
        # every piece of text goes through `_e`, numbers are formatted here.
        parts: list[str] = []
        is_money = self.series[0].money if self.series else False
        for tick in range(5):
            value = top * tick / 4
            at = f"{y(value):.1f}"
            parts.append(
                f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{at}" y2="{at}" class="grid"/><text x="{LEFT - 6}" '
                f'y="{y(value) + 6:.1f}" class="tick" text-anchor="end">{_e(_number(value, is_money))}</text>'
            )
        labels = max(1, count // 5)
        for index, day in enumerate(self.days):
            if index % labels == 0:
                parts.append(
                    f'<text x="{LEFT + step * (index + 0.5):.1f}" y="{HEIGHT - BOTTOM + 26}" class="tick" '
                    f'text-anchor="middle">{_e(day_label(day, self.tick_format))}</text>'
                )
        for number, series in enumerate(self.series):
            colour = COLOURS[number % len(COLOURS)]
            if len(self.series) == 1:
                for index, value in enumerate(series.values):
                    day = self.days[index]
                    parts.append(
                        f'<rect x="{LEFT + step * index + step * 0.1:.1f}" y="{y(max(value, 0)):.1f}" '
                        # a net negative day (refunds) stays on the axis
                        f'width="{step * 0.8:.1f}" height="{TOP + plot_height - y(max(value, 0)):.1f}" '
                        f'fill="{colour}" data-day="{day.isoformat()}" data-value="{_e(_plain(value, series.money))}">'
                        f"<title>{_e(day_label(day, self.row_format))}: {_e(_number(value, series.money))}</title></rect>"
                    )
            else:
                points = " ".join(
                    f"{LEFT + step * (index + 0.5):.1f},{y(value):.1f}"
                    for index, value in enumerate(series.values)
                )
                name = _e(series.name)
                parts.append(
                    f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2" data-series="{name}"/>'
                )
                parts.extend(
                    f'<circle cx="{LEFT + step * (index + 0.5):.1f}" cy="{y(value):.1f}" r="2.5" fill="{colour}" '
                    f'data-day="{self.days[index].isoformat()}" data-value="{_e(_plain(value, series.money))}">'
                    f"<title>{name}: {_e(_number(value, series.money))}</title></circle>"
                    for index, value in enumerate(series.values)
                )
        return format_html(
            '<svg viewBox="0 0 {} {}" role="img" aria-labelledby="chart-{}-title" class="chart" '
            'xmlns="http://www.w3.org/2000/svg">{}</svg>',
            WIDTH, HEIGHT, self.slug, mark_safe("".join(parts)),  # noqa: S308 - every part is escaped above
        )  # fmt: skip


def day_label(day: date, format_name: str) -> str:
    """A day in the page's language, formatted once per process: the same days appear in every chart,
    its bars and its table."""
    return _day_label(day, format_name, get_language())


@lru_cache(maxsize=4096)
def _day_label(day: date, format_name: str, language: str | None) -> str:
    return date_format(day, format_name)


def _nice(value: float) -> float:
    """A round top for the axis: 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 5, 10):
        if value <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _e(text: object) -> str:
    """Text escaped for HTML, as Django's `escape` does (without its lazy-string wrapper)."""
    return html.escape(str(text))


def _number(value: float, money: bool) -> str:
    return _number_in(value, campaign_currency() if money else "", get_language())


@lru_cache(maxsize=8192)
def _number_in(value: float, currency: str, language: str | None) -> str:
    """A figure in the page's language (money when in a currency), formatted once per process."""
    if currency:
        return money_text(value, currency)
    return number_format(round(value), use_l10n=True, force_grouping=True)


def _plain(value: float, money: bool) -> str:
    return f"{value / 100:.2f}" if money else str(round(value))
