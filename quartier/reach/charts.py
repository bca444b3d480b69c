"""Inline SVG charts of the word-of-mouth page: no script, no library (as the dashboards draw theirs).

A `Chart` is labelled bars (or a line) with the same figures in a table under it, for screen readers
and phones; numbers are written in the page's language.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass

from django.utils.formats import number_format
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
