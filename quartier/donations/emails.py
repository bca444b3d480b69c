"""Mail to donors: the receipt (with the jurisdiction's legal mentions) and the one follow-up asking
for missing employer and occupation. Text and HTML, in the donor's language, links from SITE_URL."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from quartier.donations import compliance
from quartier.donations.models import Donation
from quartier.lib.money import format_money
from quartier.lib.urls import absolute_url


def _send(donation: Donation, template: str, context: dict) -> None:
    language = donation.language if donation.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    with translation.override(language):
        rules = compliance.jurisdiction()
        full = {
            "donation": donation,
            "amount": format_money(donation.amount_minor, donation.currency, language),
            "rules": rules,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            "history_url": absolute_url(reverse("donations:my_gifts")),
            **context,
        }
        subject = " ".join(render_to_string(f"donations/email/{template}_subject.txt", full).split())
        text = render_to_string(f"donations/email/{template}_message.txt", full)
        html = render_to_string(f"donations/email/{template}_message.html", full)
        message = EmailMultiAlternatives(
            subject=f"[{settings.SITE_NAME}] {subject}", body=text, to=[donation.email],
            headers={"Content-Language": language},
        )  # fmt: skip
        message.attach_alternative(html, "text/html")
        message.send()


def send_receipt(donation: Donation) -> None:
    page_url = absolute_url(donation.page.get_absolute_url()) if donation.page_id else ""
    _send(donation, "receipt", {"page_url": page_url})


def send_details_follow_up(donation: Donation) -> None:
    _send(
        donation,
        "follow_up",
        {"details_url": absolute_url(reverse("donations:complete_details", args=[donation.pk]))},
    )
