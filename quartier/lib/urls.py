"""Addresses that leave the site (emails, their headers, calendar files and feeds) start with SITE_URL.

Pages may link with the host the visitor used; anything read later, elsewhere, cannot: it uses these.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings


def absolute_url(path: str) -> str:
    """`SITE_URL` followed by a site path, as `reverse()` or `get_absolute_url()` give it."""
    if not path.startswith("/"):
        raise ValueError(f"absolute_url takes a path starting with '/', not {path!r}")
    return f"{settings.SITE_URL}{path}"


def calendar_uid(kind: str, pk: int) -> str:
    """A calendar entry's UID (RFC 5545): `shift-12@quartier.example.org`.

    An identifier, not a link: it carries the site's host name (unique to the installation) and never
    its scheme or port, so moving the site to another port or behind TLS keeps every entry the same.
    """
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"{kind}-{pk}@{host}"
