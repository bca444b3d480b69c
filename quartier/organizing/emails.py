"""Transactional email about groups and events, in each recipient's own language."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

from quartier.accounts.models import Supporter


def send_notice(supporter: Supporter, template: str, context: dict[str, Any], *, attachments=()) -> None:
    """Render `organizing/email/<template>_{subject,message}.{txt,html}` for the supporter and send it."""
    if not supporter.is_active:
        return
    with translation.override(supporter.language or settings.LANGUAGE_CODE):
        full = {
            "supporter": supporter,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            **context,
        }
        # One line whatever the names in it hold: a line break in a subject is refused by Django.
        subject = " ".join(render_to_string(f"organizing/email/{template}_subject.txt", full).split())
        text = render_to_string(f"organizing/email/{template}_message.txt", full)
        html = render_to_string(f"organizing/email/{template}_message.html", full)
        message = EmailMultiAlternatives(
            subject=f"[{settings.SITE_NAME}] {subject}", body=text, to=[supporter.email],
            headers={"Content-Language": translation.get_language()},
        )  # fmt: skip
        message.attach_alternative(html, "text/html")
        for name, content, mimetype in attachments:
            message.attach(name, content, mimetype)
        message.send()
