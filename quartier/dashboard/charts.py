"""Server-rendered SVG charts: no script, no library, the same figures as the table and the CSV.

Each chart is a `Chart` (days by series); `svg()` draws it as bars (one series) or lines (several),
with localised dates and numbers in the page's language, and `rows()` gives the table and CSV rows.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.utils.formats import date_format, number_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString, mark_safe

from quartier.dashboard.templatetags.dashboard import money_text

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
    days: list[date]
    series: list[Series] = field(default_factory=list)

    def rows(self) -> list[list[str]]:
        """[day, value of each series] for the table: localised."""
        return [
            [date_format(day, "SHORT_DATE_FORMAT")] + [_number(s.values[index], s.money) for s in self.series]
            for index, day in enumerate(self.days)
        ]

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

        parts: list[str] = []
        for tick in range(5):
            value = top * tick / 4
            parts.append(
                format_html(
                    '<line x1="{}" x2="{}" y1="{}" y2="{}" class="grid"/><text x="{}" y="{}" class="tick" '
                    'text-anchor="end">{}</text>',
                    LEFT,
                    WIDTH - RIGHT,
                    f"{y(value):.1f}",
                    f"{y(value):.1f}",
                    LEFT - 6,
                    f"{y(value) + 6:.1f}",
                    _number(value, self.series[0].money if self.series else False),
                )
            )
        labels = max(1, count // 5)
        for index, day in enumerate(self.days):
            if index % labels == 0:
                parts.append(
                    format_html(
                        '<text x="{}" y="{}" class="tick" text-anchor="middle">{}</text>',
                        f"{LEFT + step * (index + 0.5):.1f}",
                        HEIGHT - BOTTOM + 26,
                        date_format(day, "MONTH_DAY_FORMAT"),
                    )
                )
        for number, series in enumerate(self.series):
            colour = COLOURS[number % len(COLOURS)]
            if len(self.series) == 1:
                for index, value in enumerate(series.values):
                    parts.append(
                        format_html(
                            '<rect x="{}" y="{}" width="{}" height="{}" fill="{}" data-day="{}" data-value="{}">'
                            "<title>{}: {}</title></rect>",
                            f"{LEFT + step * index + step * 0.1:.1f}",
                            f"{y(max(value, 0)):.1f}",  # a net negative day (refunds) stays on the axis
                            f"{step * 0.8:.1f}",
                            f"{TOP + plot_height - y(max(value, 0)):.1f}",
                            colour,
                            self.days[index].isoformat(),
                            _plain(value, series.money),
                            date_format(self.days[index], "SHORT_DATE_FORMAT"),
                            _number(value, series.money),
                        )
                    )
            else:
                points = " ".join(
                    f"{LEFT + step * (index + 0.5):.1f},{y(value):.1f}"
                    for index, value in enumerate(series.values)
                )
                parts.append(
                    format_html(
                        '<polyline points="{}" fill="none" stroke="{}" stroke-width="2" data-series="{}"/>',
                        points,
                        colour,
                        series.name,
                    )
                )
                parts.append(
                    format_html_join(
                        "",
                        '<circle cx="{}" cy="{}" r="2.5" fill="{}" data-day="{}" data-value="{}"><title>{}: {}</title>'
                        "</circle>",
                        (
                            (
                                f"{LEFT + step * (index + 0.5):.1f}",
                                f"{y(value):.1f}",
                                colour,
                                self.days[index].isoformat(),
                                _plain(value, series.money),
                                series.name,
                                _number(value, series.money),
                            )
                            for index, value in enumerate(series.values)
                        ),
                    )
                )
        return format_html(
            '<svg viewBox="0 0 {} {}" role="img" aria-labelledby="chart-{}-title" class="chart" '
            'xmlns="http://www.w3.org/2000/svg">{}</svg>',
            WIDTH, HEIGHT, self.slug, mark_safe("".join(parts)),  # noqa: S308 - every part is escaped above
        )  # fmt: skip


def _nice(value: float) -> float:
    """A round top for the axis: 1, 2 or 5 times a power of ten."""
    if value <= 0:
        return 1
    magnitude = 10 ** (len(str(int(value))) - 1)
    for factor in (1, 2, 5, 10):
        if value <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


def _number(value: float, money: bool) -> str:
    if money:
        return money_text(value)
    return number_format(round(value), use_l10n=True, force_grouping=True)


def _plain(value: float, money: bool) -> str:
    return f"{value / 100:.2f}" if money else str(round(value))
