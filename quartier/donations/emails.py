"""Mail to donors: the receipt (with the jurisdiction's legal mentions), the one follow-up asking for
missing employer and occupation, and the confirmation that a monthly gift is stopped. Text and HTML in
the shared mail layout (`account/email/base_message.*`), in the donor's language, links from SITE_URL.

Links go only where the reader can go: the gift history to a donor who gave with an account (they
sign in to it); a donor who gave without one gets no link to a page they could not open."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from quartier.accounts import branding
from quartier.donations import access, compliance
from quartier.donations.models import Donation, RecurringGift
from quartier.lib.money import format_money
from quartier.lib.urls import absolute_url


def _language(*choices: str) -> str:
    for language in choices:
        if language in dict(settings.LANGUAGES):
            return language
    return settings.LANGUAGE_CODE


def _deliver(*, to: str, language: str, template: str, context: dict) -> None:
    with translation.override(language):
        full = {
            "rules": compliance.jurisdiction(), "site_name": branding.current().name, "site_url": settings.SITE_URL,
            "LANGUAGE_CODE": language, **context,
        }  # fmt: skip
        subject = " ".join(render_to_string(f"donations/email/{template}_subject.txt", full).split())
        text = render_to_string(f"donations/email/{template}_message.txt", full)
        html = render_to_string(f"donations/email/{template}_message.html", full)
        message = EmailMultiAlternatives(
            subject=f"[{branding.current().name}] {subject}", body=text, to=[to],
            from_email=branding.current().from_email,
            headers={"Content-Language": language},
        )  # fmt: skip
        message.attach_alternative(html, "text/html")
        message.send()


def _history_url(has_account: bool) -> str:
    """The gift history for a donor with an account; "" for one without (it would be a login page)."""
    return absolute_url(reverse("donations:my_gifts")) if has_account else ""


def _send(donation: Donation, template: str, context: dict) -> None:
    language = _language(donation.language)
    _deliver(
        to=donation.email, language=language, template=template,
        context={
            "donation": donation, "amount": format_money(donation.amount_minor, donation.currency, language),
            "history_url": _history_url(donation.supporter_id is not None), **context,
        },
    )  # fmt: skip


def send_receipt(donation: Donation) -> None:
    page_url = absolute_url(donation.page.get_absolute_url()) if donation.page_id else ""
    _send(donation, "receipt", {"page_url": page_url})


def send_details_follow_up(donation: Donation) -> None:
    _send(
        donation,
        "follow_up",
        {
            "details_url": absolute_url(
                reverse("donations:complete_details", args=[access.details_token(donation)])
            )
        },
    )


def send_monthly_cancelled(recurring: RecurringGift, first: Donation) -> None:
    """To the address of the monthly gift's first charge, in the donor's language (their account's if any)."""
    supporter = recurring.supporter
    language = _language(supporter.language if supporter else "", first.language)
    _deliver(
        to=first.email, language=language, template="monthly_cancelled",
        context={
            "recurring": recurring, "first_name": first.first_name,
            "amount": format_money(recurring.amount_minor, recurring.currency, language),
            "history_url": _history_url(supporter is not None),
            "donate_url": absolute_url(reverse("donations:donate")),
        },
    )  # fmt: skip
