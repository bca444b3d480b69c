"""What the donation pages share: the language, money as people read it, limit messages, remembered checkouts."""

from __future__ import annotations

from django.http import HttpRequest
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from quartier.donations import compliance
from quartier.donations.actions import limits as limits_actions
from quartier.donations.models import Donation
from quartier.lib.money import format_money

SESSION_STARTED = "donations.started"


def _language() -> str:
    return (get_language() or "en")[:2]


def _money(minor: int, currency: str | None = None) -> str:
    return format_money(minor, currency or compliance.campaign_currency(), _language())


def _remember_started(request: HttpRequest, donation: Donation) -> None:
    started = [pk for pk in request.session.get(SESSION_STARTED, []) if isinstance(pk, int)][-19:]
    request.session[SESSION_STARTED] = [*started, donation.pk]


def _limit_message(error: limits_actions.LimitExceeded) -> str:
    if error.remaining_minor <= 0:
        return _("You have reached the legal limit for gifts from one person: thank you for your generosity.")
    return _("The law limits gifts from one person: you may still give up to %(amount)s.") % {
        "amount": _money(error.remaining_minor)
    }


def _decimal(minor: int) -> str:
    sign = "-" if minor < 0 else ""
    units, cents = divmod(abs(minor), 100)
    return f"{sign}{units}.{cents:02d}"
