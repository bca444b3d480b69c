"""Share intents: plain links that open another service's compose screen with a message and a link.

No third-party script, no pixel: each intent is an `<a href>` the visitor follows or not. Mastodon has
no central host, so its intent goes through Quartier's instance chooser (`views.share`), which asks for
the visitor's instance and then sends them to `https://<instance>/share?text=`.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import quote, urlencode

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

TEXT_LIMIT = 280  # the shortest of the services (X counts a link as 23 characters; we keep it simple)
HOSTNAME = re.compile(r"^(?=.{4,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$")


@dataclass(frozen=True)
class ShareIntent:
    name: str  # stable, for tests and CSS: "email", "sms", ...
    label: str
    href: str


def _message(text: str, url: str) -> str:
    text = " ".join(text.split())[: TEXT_LIMIT - len(url) - 1]
    return f"{text} {url}".strip()


def share_intents(url: str, text: str) -> list[ShareIntent]:
    """Every intent for the link `url` announced by `text` (a page's title), in a fixed order."""
    message = _message(text, url)
    mastodon = reverse("reach:share_mastodon") + "?" + urlencode({"text": message})
    return [
        ShareIntent("email", str(_("Email")), f"mailto:?subject={quote(text)}&body={quote(message)}"),
        ShareIntent("sms", str(_("Text message")), f"sms:?&body={quote(message)}"),
        ShareIntent("whatsapp", "WhatsApp", "https://wa.me/?" + urlencode({"text": message})),
        ShareIntent("mastodon", "Mastodon", mastodon),
        ShareIntent("bluesky", "Bluesky", "https://bsky.app/intent/compose?" + urlencode({"text": message})),
        ShareIntent(
            "facebook", "Facebook", "https://www.facebook.com/sharer/sharer.php?" + urlencode({"u": url})
        ),
        ShareIntent("x", "X", "https://x.com/intent/post?" + urlencode({"text": text[:200], "url": url})),
    ]


def clean_instance(raw: object) -> str:
    """A Mastodon instance's host name as typed ("mastodon.social", "https://piaille.fr/"), or "" when it
    cannot be one: no port, no path, no IP address, no user part, no single-label host."""
    value = str(raw or "").strip().lower()
    for prefix in ("https://", "http://"):
        if value.startswith(prefix):
            value = value[len(prefix) :]
    value = value.rstrip("/").lstrip("@")
    if "@" in value:  # "@me@instance.social": the part after the last @ is the instance
        value = value.rsplit("@", 1)[1]
    try:
        value = value.encode("idna").decode("ascii")
    except UnicodeError:
        return ""
    try:
        ipaddress.ip_address(value)
        return ""
    except ValueError:
        pass
    return value if HOSTNAME.match(value) else ""


def mastodon_share_url(instance: str, text: str) -> str:
    return f"https://{instance}/share?" + urlencode({"text": text[:1000]})
