"""The spread page's chart: the strategies' expected spreads as horizontal bars in inline SVG (no script)."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.formats import number_format
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

WIDTH, BAR, GAP, LABEL = 640, 28, 14, 170
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
