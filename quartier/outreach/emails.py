"""One outreach message as an email to one supporter, in that supporter's language, or to one plain
address for a personal message (in the language the sender wrote in)."""

from __future__ import annotations

from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Supporter
from quartier.lib.urls import absolute_url
from quartier.outreach.access import address_unsubscribe_url, unsubscribe_url
from quartier.outreach.models import CAMPAIGN_NEWS, PERSONAL, Message, audience_kind

# Why a person gets a message, per kind of audience: said at the bottom of every message.
REASONS = {
    "group": _("You get this because you joined %(audience)s and accepted messages from its leaders."),
    "event": _("You get this because you signed up for %(audience)s and accepted messages from its hosts."),
    CAMPAIGN_NEWS: _("You get this because you accepted news and calls to action from %(site)s."),
}
DEFAULT_REASON = _("You get this because you accepted messages from %(audience)s.")


def _one_line(text: str) -> str:
    """Names go into headers: no line breaks, no runs of spaces."""
    return " ".join(text.split())


def from_address(sender: Supporter | None) -> str:
    """The campaign's address, named after the sender: `"Marie Tremblay via Quartier" <no-reply@…>`."""
    if sender is None or not sender.display_name:
        return settings.DEFAULT_FROM_EMAIL
    _name, address = parseaddr(settings.DEFAULT_FROM_EMAIL)
    name = gettext("%(name)s via %(site)s") % {
        "name": _one_line(sender.display_name),
        "site": settings.SITE_NAME,
    }
    return formataddr((name, address))


def reply_to(message: Message) -> list[str]:
    sender = message.sender
    if message.reply_to_sender and sender is not None and sender.is_verified:
        return [sender.email]
    return []


def _language(wanted: str) -> str:
    return wanted if wanted in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def build_email(
    message: Message, recipient: Supporter | str, *, connection: BaseEmailBackend | None = None
) -> EmailMultiAlternatives:
    """Text and HTML parts with the footer and one-click unsubscribe headers (RFC 8058).

    `recipient` is a supporter, or a plain address for a personal message.
    """
    if isinstance(recipient, str):
        return _build_personal_email(message, recipient, connection=connection)
    supporter = recipient
    language = _language(supporter.language)
    with translation.override(language):
        unsubscribe = unsubscribe_url(supporter, message.audience)
        reason = REASONS.get(audience_kind(message.audience), DEFAULT_REASON) % {
            "audience": message.audience_label,
            "site": settings.SITE_NAME,
        }
        context = {
            "message": message,
            "sender": message.sender,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            "reason": reason,
            "unsubscribe_url": unsubscribe,
            "preferences_url": absolute_url(reverse("accounts:settings_email")),
            "postal_address": settings.CAMPAIGN_POSTAL_ADDRESS,
        }
        text = render_to_string("outreach/email/message.txt", context)
        html = render_to_string("outreach/email/message.html", context)
        email = EmailMultiAlternatives(
            subject=_one_line(message.subject),
            body=text,
            from_email=from_address(message.sender),
            to=[supporter.email],
            reply_to=reply_to(message),
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Content-Language": language,
            },
            connection=connection,
        )
    email.attach_alternative(html, "text/html")
    return email


def _build_personal_email(
    message: Message, address: str, *, connection: BaseEmailBackend | None
) -> EmailMultiAlternatives:
    """A supporter's own words to someone of their network: from the campaign's address, named after
    the sender, replies to the sender; one click puts the address on the suppression list."""
    if message.audience != PERSONAL:
        raise ValueError(f"message {message.pk} is not a personal message: it goes to supporters")
    language = _language(message.language)
    with translation.override(language):
        unsubscribe = address_unsubscribe_url(address)
        context = {
            "message": message,
            "sender": message.sender,
            "site_name": settings.SITE_NAME,
            "site_url": settings.SITE_URL,
            "unsubscribe_url": unsubscribe,
            "postal_address": settings.CAMPAIGN_POSTAL_ADDRESS,
        }
        text = render_to_string("outreach/email/personal.txt", context)
        html = render_to_string("outreach/email/personal.html", context)
        email = EmailMultiAlternatives(
            subject=_one_line(message.subject),
            body=text,
            from_email=from_address(message.sender),
            to=[address],
            reply_to=reply_to(message),
            headers={
                "List-Unsubscribe": f"<{unsubscribe}>",
                "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
                "Content-Language": language,
            },
            connection=connection,
        )
    email.attach_alternative(html, "text/html")
    return email
