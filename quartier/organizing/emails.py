"""Transactional email about groups and events, in each recipient's own language."""

from __future__ import annotations

from email.mime.base import MIMEBase
from typing import Any

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import SafeMIMEText
from django.template.loader import render_to_string
from django.utils import translation

from quartier.accounts import branding
from quartier.accounts.models import Supporter


def send_notice(supporter: Supporter, template: str, context: dict[str, Any], *, attachments=()) -> None:
    """Render `organizing/email/<template>_{subject,message}.{txt,html}` for the supporter and send it."""
    if not supporter.is_active:
        return
    with translation.override(supporter.language or settings.LANGUAGE_CODE):
        full = {
            "supporter": supporter,
            "site_name": branding.current().name,
            "site_url": settings.SITE_URL,
            **context,
        }
        # One line whatever the names in it hold: a line break in a subject is refused by Django.
        subject = " ".join(render_to_string(f"organizing/email/{template}_subject.txt", full).split())
        text = render_to_string(f"organizing/email/{template}_message.txt", full)
        html = render_to_string(f"organizing/email/{template}_message.html", full)
        message = EmailMultiAlternatives(
            subject=f"[{branding.current().name}] {subject}", body=text, to=[supporter.email],
            from_email=branding.current().from_email,
            headers={"Content-Language": translation.get_language()},
        )  # fmt: skip
        message.attach_alternative(html, "text/html")
        for name, content, mimetype in attachments:
            if ";" in mimetype:
                message.attach(_attachment(name, content, mimetype))
            else:
                message.attach(name, content, mimetype)
        message.send()


def _attachment(name: str, content: bytes, mimetype: str) -> MIMEBase:
    """A text attachment whose type may carry parameters (`text/calendar; method=CANCEL`, RFC 6047)."""
    kind, *parameters = (part.strip() for part in mimetype.split(";"))
    basetype, subtype = kind.split("/", 1)
    if basetype != "text":
        raise ValueError(f"only text attachments are sent with notices, not {mimetype!r}")
    part = SafeMIMEText(
        content.decode() if isinstance(content, bytes) else content, subtype, settings.DEFAULT_CHARSET
    )
    for parameter in parameters:
        key, _equals, value = parameter.partition("=")
        part.set_param(key.strip(), value.strip())
    part.add_header("Content-Disposition", "attachment", filename=name)
    return part
