"""What a signup looks like, reduced to coarse features and hashed with a secret salt.

Features: the network (/24 for IPv4, /48 for IPv6), the browser family and platform (not the full
user agent), and the shape of the email address (letters → "a", digits → "9", runs collapsed, the
domain kept): `jean.dupont42@example.org` → `a.a9@example.org`. Each is hashed with HMAC-SHA256 and the
salt, so the stored value says only "same as another signup", never what it was.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import re

from django.conf import settings

BROWSERS = (
    ("Edg", "edge"),
    ("OPR", "opera"),
    ("Firefox", "firefox"),
    ("Chrome", "chrome"),
    ("Safari", "safari"),
)
PLATFORMS = (
    ("Android", "android"),
    ("iPhone", "ios"),
    ("iPad", "ios"),
    ("Windows", "windows"),
    ("Mac OS", "macos"),
    ("Linux", "linux"),
)


def salt() -> bytes:
    configured = settings.INTEGRITY_FINGERPRINT_SALT
    if configured:
        return configured.encode()
    return hashlib.sha256(b"integrity-fingerprint:" + settings.SECRET_KEY.encode()).digest()


def salted_hash(value: str) -> str:
    return hmac.new(salt(), value.encode(), hashlib.sha256).hexdigest()


def network_of(ip_address: str | None) -> str:
    """The /24 (IPv4) or /48 (IPv6) the address belongs to; "" when unknown or malformed."""
    try:
        address = ipaddress.ip_address((ip_address or "").strip())
    except ValueError:
        return ""
    prefix = 24 if address.version == 4 else 48
    return str(ipaddress.ip_network(f"{address}/{prefix}", strict=False))


def agent_family(user_agent: str) -> str:
    """The browser and platform family ("chrome/android"; "other" for what is not recognised)."""
    browser = next((name for token, name in BROWSERS if token in user_agent), "other")
    platform = next((name for token, name in PLATFORMS if token in user_agent), "other")
    return f"{browser}/{platform}"


def email_pattern(email: str) -> str:
    local, _at, domain = email.lower().partition("@")
    shape = re.sub(r"[a-z]+", "a", local)
    shape = re.sub(r"[0-9]+", "9", shape)
    return f"{shape}@{domain}"
