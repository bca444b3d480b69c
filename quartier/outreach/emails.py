"""One outreach message as an email to one supporter, in that supporter's language, or to one plain
address for a personal message (in the language the sender wrote in)."""

from __future__ import annotations

import re
from collections.abc import Callable
from email.utils import formataddr, parseaddr

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.backends.base import BaseEmailBackend
from django.core.mail.message import sanitize_address
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from quartier.accounts import branding
from quartier.accounts.models import Supporter
from quartier.lib.urls import absolute_url
from quartier.outreach import merge, mime, registry
from quartier.outreach.access import address_unsubscribe_url, preferences_token, unsubscribe_token
from quartier.outreach.models import CAMPAIGN_NEWS, PERSONAL, TOPICS, Message, audience_kind

# Why a person gets a message, per kind of audience: said at the bottom of every message.
REASONS = {
    "group": _("You get this because you joined %(audience)s and accepted messages from its leaders."),
    "event": _("You get this because you signed up for %(audience)s and accepted messages from its hosts."),
    CAMPAIGN_NEWS: _("You get this because you accepted news and calls to action from %(site)s."),
}
DEFAULT_REASON = _("You get this because you accepted messages from %(audience)s.")
# Merge fields whose values another app registers (`registry.register_merge_field`): `{{ group }}`
# and `{{ next_event }}` come from `organizing`.
PROVIDED_FIELDS = ("group", "next_event")


def _one_line(text: str) -> str:
    """Names go into headers: no line breaks, no runs of spaces."""
    return " ".join(text.split())


def from_address(sender: Supporter | None) -> str:
    """The campaign's address, named after the sender: `"Marie Tremblay via Quartier" <no-reply@…>`."""
    if sender is None or not sender.display_name:
        return branding.current().from_email
    _name, address = parseaddr(branding.current().from_email)
    name = gettext("%(name)s via %(site)s") % {
        "name": _one_line(sender.display_name),
        "site": branding.current().name,
    }
    return formataddr((name, address))


def reply_to(message: Message) -> list[str]:
    sender = message.sender
    if message.reply_to_sender and sender is not None and sender.is_verified:
        return [sender.email]
    return []


def _language(wanted: str) -> str:
    return wanted if wanted in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


UNSUBSCRIBE_MARK = "\ue000unsubscribe\ue000"
PREFERENCES_MARK = "\ue000preferences\ue000"


def _with_refcode(html: str, text: str, refcode: str) -> tuple[str, str]:
    """Links to this site carry the message's referral code, so actions they lead to are credited."""
    if not refcode:
        return html, text
    site = re.escape(settings.SITE_URL.rstrip("/"))
    link = re.compile(rf"({site}(?:/[^\s<>\"')\]]*)?)")

    def tag(match: re.Match) -> str:
        url = match.group(1)
        if "/unsubscribe" in url or "/email/preferences/" in url or "ref=" in url:
            return url
        joiner = "&amp;" if "?" in url else "?"
        return f"{url}{joiner}ref={refcode}"

    html = link.sub(tag, html)
    text = link.sub(lambda match: tag(match).replace("&amp;", "&"), text)
    return html, text


class Renderer:
    """Turns one message into emails for many supporters, fast.

    The templates are rendered once per language into a skeleton (subject, text, HTML) holding the
    merge fields and a mark where each reader's unsubscribe link goes; each email is then plain
    string substitution (`merge.fill`), escaped in HTML. `prepare(supporters)` loads what the merge
    fields need for a whole batch in one query each, through the loaders other apps registered.
    """

    def __init__(self, message: Message) -> None:
        self.message = message
        self._skeletons: dict[str, tuple[str, str, str, str]] = {}
        self.fields = merge.used_fields(
            message.subject,
            message.body,
            *[v.get("subject", "") + v.get("body", "") for v in message.versions.values()],
        )
        # A missing provider fails here, before anything is rendered.
        self._loaders = {name: registry.merge_field(name) for name in PROVIDED_FIELDS if name in self.fields}
        self._provided: dict[str, Callable[[Supporter], str]] = {}
        # The links' fixed part, reversed once (a reverse per email costs more than the signature).
        self._unsubscribe_base = absolute_url(reverse("outreach:unsubscribe", args=["-"]))[:-2]
        self._preferences_base = absolute_url(reverse("outreach:preferences", args=["-"]))[:-2]
        # The campaign's own messages come from the campaign, not from the staff member who wrote them.
        self._from_email = (
            branding.current().from_email if message.audience in TOPICS else from_address(message.sender)
        )
        self._from_header = sanitize_address(self._from_email, "utf-8")
        self._reply_to = reply_to(message)
        self._domain = _domain()

    def prepare(self, supporters: list[Supporter]) -> None:
        self._provided = {name: load(supporters) for name, load in self._loaders.items()}

    def values_for(self, supporter: Supporter) -> dict[str, str]:
        values: dict[str, str] = {}
        if "first_name" in self.fields:
            values["first_name"] = (supporter.display_name.split() or [""])[0]
        if "town" in self.fields:
            values["town"] = supporter.town
        for name, value_of in self._provided.items():
            values[name] = value_of(supporter)
        return values

    def skeleton(self, language: str) -> tuple[str, str, str, str]:
        """(language, subject, text, html) with merge fields and the unsubscribe mark left in."""
        language = _language(language)
        if language in self._skeletons:
            return self._skeletons[language]
        message = self.message
        version = message.version(language)
        # Only the writer's links carry the code (not the footer's links to the site itself).
        body_html, body = _with_refcode(version["body_html"], version["body"], message.refcode)
        with translation.override(language):
            # A topic is named in the reader's language; a group or an event by its own name.
            label = str(TOPICS[message.audience]) if message.audience in TOPICS else message.audience_label
            reason = REASONS.get(audience_kind(message.audience), DEFAULT_REASON) % {
                "audience": label,
                "site": branding.current().name,
            }
            context = {
                "message": message,
                "audience_label": label,
                "subject": version["subject"],
                "preview_text": version.get("preview_text", ""),
                "body": body,
                "body_html": body_html,
                "sender": message.sender,
                "site_name": branding.current().name,
                "site_url": settings.SITE_URL,
                "reason": reason,
                "unsubscribe_url": UNSUBSCRIBE_MARK,
                "preferences_url": PREFERENCES_MARK,
                "postal_address": settings.CAMPAIGN_POSTAL_ADDRESS,
            }
            text = render_to_string("outreach/email/message.txt", context)
            html = render_to_string("outreach/email/message.html", context)
        self._skeletons[language] = (language, _one_line(version["subject"]), text, html)
        return self._skeletons[language]

    def render(self, supporter: Supporter) -> tuple[str, str, str, str, str]:
        """(language, subject, text, html, unsubscribe url) for one reader."""
        language, subject, text, html = self.skeleton(supporter.language)
        values = self.values_for(supporter) if self.fields else {}
        unsubscribe = (
            self._unsubscribe_base
            + unsubscribe_token(supporter, self.message.audience, message_id=self.message.pk)
            + "/"
        )
        preferences = self._preferences_base + preferences_token(supporter) + "/"
        return (
            language,
            merge.fill(subject, values, html=False),
            merge.fill(text, values, html=False)
            .replace(UNSUBSCRIBE_MARK, unsubscribe)
            .replace(PREFERENCES_MARK, preferences),
            merge.fill(html, values, html=True)
            .replace(UNSUBSCRIBE_MARK, unsubscribe)
            .replace(PREFERENCES_MARK, preferences),
            unsubscribe,
        )

    def email_for(
        self,
        supporter: Supporter,
        *,
        connection: BaseEmailBackend | None = None,
        delivery_id: int | None = None,
    ) -> EmailMultiAlternatives:
        language, subject, text, html, unsubscribe = self.render(supporter)
        headers = {
            "List-Unsubscribe": f"<{unsubscribe}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            "Content-Language": language,
        }
        if delivery_id is not None:
            # The same Message-ID if a delivery cut short by a crash is sent again: receivers can
            # tell it is one message (see `actions.sweep`).
            headers["Message-ID"] = f"<outreach.{self.message.pk}.{delivery_id}@{self._domain}>"
        email = mime.PreparedEmail(
            subject=subject,
            body=text,
            from_email=self._from_email,
            to=[supporter.email],
            reply_to=self._reply_to,
            headers=headers,
            connection=connection,
        )
        email.attach_alternative(html, "text/html")
        if delivery_id is not None:
            # anymail sends these to the ESP and gets them back in its tracking webhooks.
            email.metadata = {"outreach_delivery": str(delivery_id)}
            email.tags = [f"message-{self.message.pk}"]
        # The MIME bytes, written directly (see `mime`): SMTP sends them as they are.
        email.prepared = mime.assemble(
            subject=subject, from_header=self._from_header, to=supporter.email, text=text, html=html,
            headers=headers, reply_to=self._reply_to,
        )  # fmt: skip
        return email


def _domain() -> str:
    _name, address = parseaddr(branding.current().from_email)
    return address.rpartition("@")[2] or "localhost"


def build_email(
    message: Message, recipient: Supporter | str, *, connection: BaseEmailBackend | None = None
) -> EmailMultiAlternatives:
    """Text and HTML parts with the footer and one-click unsubscribe headers (RFC 8058).

    `recipient` is a supporter, or a plain address for a personal message. For many recipients use
    one `Renderer` (what `actions.send_deliveries` does).
    """
    if isinstance(recipient, str):
        return _build_personal_email(message, recipient, connection=connection)
    renderer = Renderer(message)
    renderer.prepare([recipient])
    return renderer.email_for(recipient, connection=connection)


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
            "site_name": branding.current().name,
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
