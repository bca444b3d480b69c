"""Inline SVG charts of the word-of-mouth pages: no script, no library (as the dashboards draw theirs).

A `Chart` is labelled bars (or a line) with the same figures in a table under it, for screen readers
and phones; numbers are written in the page's language.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 640, 220
LEFT, RIGHT, TOP, BOTTOM = 64, 12, 14, 44
COLOUR = "#1f5fa8"
MARK = "#c2410c"


def _e(text: object) -> str:
    return html.escape(str(text))


def number(value: float | None, decimals: int = 0) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return number_format(round(value, decimals), decimal_pos=decimals, use_l10n=True, force_grouping=True)


@dataclass
class Chart:
    slug: str
    title: str
    labels: list[str]
    values: list[float | None]
    decimals: int = 0
    line: bool = False  # a line (a cumulative curve) rather than bars
    reference: float | None = None  # a dashed line across (K = 1: each person brings one more)

    @property
    def is_empty(self) -> bool:
        return not any(value for value in self.values if value is not None)

    def rows(self) -> list[tuple[str, str]]:
        return [
            (label, number(value, self.decimals))
            for label, value in zip(self.labels, self.values, strict=True)
        ]

    def table_html(self) -> SafeString:
        body = "".join(
            f'<tr><th scope="row">{_e(label)}</th><td>{_e(value)}</td></tr>' for label, value in self.rows()
        )
        return mark_safe(f"<table><tbody>{body}</tbody></table>")  # noqa: S308 - escaped above

    def svg(self) -> SafeString:
        shown = [value or 0.0 for value in self.values]
        top = max([*shown, self.reference or 0.0, 0.0]) or 1.0
        top = _nice(top)
        plot_width, plot_height = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
        count = max(len(shown), 1)
        step = plot_width / count

        def y(value: float) -> float:
            return TOP + plot_height - value / top * plot_height

        parts: list[str] = []
        for tick in range(5):
            value = top * tick / 4
            parts.append(
                f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}" class="grid"/>'
                f'<text x="{LEFT - 6}" y="{y(value) + 6:.1f}" class="tick" text-anchor="end">'
                f"{_e(number(value, self.decimals if top < 10 else 0))}</text>"
            )
        every = max(1, math.ceil(count / 4))  # four labels at most: dates are long in French
        for index, label in enumerate(self.labels):
            if index % every == 0:
                parts.append(
                    f'<text x="{LEFT + step * (index + 0.5):.1f}" y="{HEIGHT - BOTTOM + 26}" class="tick" '
                    f'text-anchor="middle">{_e(label)}</text>'
                )
        if self.line:
            points = " ".join(f"{LEFT + step * (i + 0.5):.1f},{y(v):.1f}" for i, v in enumerate(shown))
            parts.append(f'<polyline points="{points}" fill="none" stroke="{COLOUR}" stroke-width="2"/>')
        else:
            for index, value in enumerate(shown):
                parts.append(
                    f'<rect x="{LEFT + step * index + step * 0.1:.1f}" y="{y(value):.1f}" width="{step * 0.8:.1f}" '
                    f'height="{TOP + plot_height - y(value):.1f}" fill="{COLOUR}" data-value="{value}">'
                    f"<title>{_e(self.labels[index])}: {_e(number(self.values[index], self.decimals))}</title></rect>"
                )
        if self.reference is not None:
            parts.append(
                f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(self.reference):.1f}" y2="{y(self.reference):.1f}" '
                f'stroke="{MARK}" stroke-dasharray="6 4"/>'
            )
        return mark_safe(  # noqa: S308 - every text is escaped above
            f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="chart-{_e(self.slug)}-title" '
            f'class="chart" xmlns="http://www.w3.org/2000/svg">{"".join(parts)}</svg>'
        )


def _nice(value: float) -> float:
    """A round top for the axis: 1, 2 or 5 times a power of ten."""
    magnitude = 10 ** math.floor(math.log10(value))
    for factor in (1, 2, 5, 10):
        if value <= factor * magnitude:
            return factor * magnitude
    return 10 * magnitude


# The spread page's chart: the strategies' expected spreads as horizontal bars with their error.
BAR, GAP, LABEL = 28, 14, 170
COLOURS = ["#15803d", "#1f5fa8", "#6b7280"]


@dataclass(frozen=True)
class Bar:
    label: str
    value: float
    error: float  # one standard error, drawn as a whisker


def bars_svg(title: str, bars: list[Bar]) -> SafeString:
    """Horizontal bars with their standard error; the figures are also in the table under the chart."""
    top = max((bar.value + bar.error for bar in bars), default=0.0) or 1.0
    plot = WIDTH - LABEL - 90
    height = len(bars) * (BAR + GAP) + GAP

    def x(value: float) -> float:
        return LABEL + plot * max(value, 0.0) / top

    parts = []
    for index, bar in enumerate(bars):
        y = GAP + index * (BAR + GAP)
        middle = y + BAR / 2
        parts.append(
            format_html(
                '<text x="{}" y="{}" text-anchor="end">{}</text>'
                '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"></rect>'
                '<line x1="{}" x2="{}" y1="{}" y2="{}" stroke="#111827" stroke-width="2"></line>'
                '<text x="{}" y="{}">{}</text>',
                LABEL - 8,
                middle + 5,
                bar.label,
                LABEL,
                y,
                round(x(bar.value) - LABEL, 1),
                BAR,
                COLOURS[index % len(COLOURS)],
                round(x(bar.value - bar.error), 1),
                round(x(bar.value + bar.error), 1),
                middle,
                middle,
                round(x(bar.value + bar.error) + 6, 1),
                middle + 5,
                number_format(round(bar.value), force_grouping=True),
            )
        )
    body = mark_safe("".join(parts))  # noqa: S308 (each part escaped by format_html)
    return format_html(
        '<svg class="chart" viewBox="0 0 {} {}" role="img" aria-label="{}" font-size="13">{}</svg>',
        WIDTH, height, title, body,
    )  # fmt: skip
