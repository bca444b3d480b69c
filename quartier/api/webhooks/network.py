"""One guarded HTTP POST to a webhook endpoint.

The host name is resolved once, every address it resolves to is checked (no loopback, private,
link-local, multicast or reserved address unless `WEBHOOKS_ALLOW_PRIVATE_ADDRESSES`), and the
connection is made to the checked address (so a second DNS answer cannot swap it: no rebinding).
Redirects are not followed; the response body is read up to a few KB and thrown away.
"""

from __future__ import annotations

import http.client
import ipaddress
import socket
import ssl
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from django.conf import settings

RESPONSE_BYTES_READ = 4096


class RefusedAddress(Exception):
    """The URL is not one a campaign's webhooks may reach."""


@dataclass(frozen=True)
class PostOutcome:
    status_code: int | None
    duration_ms: int
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return not (
        ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_multicast or ip.is_reserved
        or ip.is_unspecified
    )  # fmt: skip


def checked_address(url: str) -> tuple[str, str, int, str]:
    """(scheme, host, port, address to connect to) of a URL webhooks may reach; RefusedAddress if not."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise RefusedAddress("only http and https URLs with a host name")
    if parts.scheme == "http" and not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        raise RefusedAddress("https only")
    port = parts.port or (443 if parts.scheme == "https" else 80)
    try:
        answers = socket.getaddrinfo(parts.hostname, port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as error:
        raise RefusedAddress(f"unknown host ({error})") from None
    addresses = [answer[4][0] for answer in answers]
    if not addresses:
        raise RefusedAddress("unknown host")
    if not settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES and not all(_is_public(a) for a in addresses):
        raise RefusedAddress("a private, loopback or reserved address")
    return parts.scheme, parts.hostname, port, addresses[0]


class _PinnedHTTPConnection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout)
        self._address = address

    def connect(self) -> None:
        self.sock = socket.create_connection((self._address, self.port), self.timeout)


class _PinnedHTTPSConnection(http.client.HTTPSConnection):
    def __init__(self, host: str, port: int, address: str, timeout: float) -> None:
        super().__init__(host, port, timeout=timeout, context=ssl.create_default_context())
        self._address = address

    def connect(self) -> None:
        sock = socket.create_connection((self._address, self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.host)


def post(url: str, body: bytes, headers: dict[str, str]) -> PostOutcome:
    """POST `body`; never raises for a network failure (the outcome says what happened)."""
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        scheme, host, port, address = checked_address(url)
    except RefusedAddress as error:
        return PostOutcome(None, elapsed(), f"refused: {error}")
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    connection_class = _PinnedHTTPSConnection if scheme == "https" else _PinnedHTTPConnection
    connection = connection_class(host, port, address, settings.WEBHOOKS_TIMEOUT_SECONDS)
    try:
        connection.request("POST", target, body=body, headers=headers)
        response = connection.getresponse()
        response.read(RESPONSE_BYTES_READ)
        return PostOutcome(response.status, elapsed())
    except (OSError, http.client.HTTPException) as error:
        return PostOutcome(None, elapsed(), f"{type(error).__name__}: {error}"[:300])
    finally:
        connection.close()
