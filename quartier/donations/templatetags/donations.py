from __future__ import annotations

from django import template
from django.utils.translation import get_language

from quartier.lib.money import format_money

register = template.Library()


@register.filter
def money(minor: int | None, currency: str = "") -> str:
    """`{{ page.total_minor|money:page.currency }}`: minor units shown in the reader's language."""
    from quartier.donations.compliance import campaign_currency

    return format_money(int(minor or 0), currency or campaign_currency(), (get_language() or "en")[:2])
