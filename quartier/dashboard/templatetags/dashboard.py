"""Figures as people read them, in the page's language: money from minor units, shares as percentages."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format

register = template.Library()


@register.filter
def money(minor_units: int | float | None) -> str:
    """12345 → "123.45" (English) or "123,45" (French); the campaign's currency is implied."""
    if minor_units is None:
        return "—"
    return number_format(minor_units / 100, decimal_pos=2, use_l10n=True, force_grouping=True)


@register.filter
def percent(share: float | None) -> str:
    if share is None:
        return "—"
    return f"{number_format(share * 100, decimal_pos=0, use_l10n=True)} %"


@register.filter
def kind_label(kind: str) -> str:
    """A journal kind as the dashboards name it ("organizing.rsvp" → "RSVPed to an event")."""
    from quartier.dashboard.queries import kind_name

    return kind_name(kind)
