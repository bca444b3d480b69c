"""Figures as people read them, in the page's language: money from minor units in the campaign's
currency, shares as percentages, journal kinds as words."""

from __future__ import annotations

from django import template
from django.utils.formats import number_format
from django.utils.translation import get_language

from quartier.dashboard import kinds
from quartier.donations.compliance import campaign_currency
from quartier.lib.money import format_money

register = template.Library()


def money_text(minor_units: int | float | None, currency: str = "") -> str:
    """12345 → "$123.45" (English) or "123,45 $" (French), in `currency` or the campaign's."""
    if minor_units is None:
        return "—"
    return format_money(round(minor_units), currency or campaign_currency(), (get_language() or "en")[:2])


@register.filter
def money(minor_units: int | float | None, currency: str = "") -> str:
    return money_text(minor_units, currency)


@register.filter
def percent(share: float | None) -> str:
    if share is None:
        return "—"
    return f"{number_format(share * 100, decimal_pos=0, use_l10n=True)} %"


@register.filter
def kind_label(kind: str) -> str:
    """A journal kind as the dashboards name it ("organizing.rsvp" → "RSVPed to an event")."""
    return kinds.name(kind)
