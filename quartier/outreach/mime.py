"""Campaign emails as MIME bytes, assembled by string joining instead of Python's `email` package.

Building a tree of `email.mime` objects and serialising it (header folding, charset lookups, the
boundary search) cost about 6 ms a message, forty times the merge itself. A campaign email is always
the same shape: multipart/alternative with a UTF-8 text part and a UTF-8 HTML part, and headers the
renderer already knows. `assemble` writes those bytes directly, as Django would write them: bodies
`8bit` (quoted-printable when a line is longer than SMTP's 998 octets), non-ASCII headers as RFC 2047
words, CRLF line ends. `PreparedEmail` carries them: backends that serialise (SMTP, console, file)
send the bytes as they are; those that read the attributes (locmem, anymail's ESPs) still find the
subject, body, HTML and headers they always did; anything that looks into `message()` gets a parsed
copy on first access.
"""

from __future__ import annotations

import binascii
import email
import email.policy
import secrets
from email import quoprimime
from email.utils import formatdate, make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.core.mail.message import sanitize_address
from django.core.mail.utils import DNS_NAME

# SMTP's limit on a line (RFC 5321), without the CRLF.
MAX_LINE = 998


# Bytes of UTF-8 per encoded word: 60 base64 characters, 72 with `=?utf-8?b?…?=`, under 76 (RFC 2047).
WORD_BYTES = 45


def header_value(value: str) -> str:
    """A header's value as it goes on the wire: as is when ASCII, else RFC 2047 encoded words
    (base64, never cutting a character in two), one per folded line."""
    if value.isascii():
        return value
    data = value.encode()
    words = []
    start = 0
    while start < len(data):
        end = min(start + WORD_BYTES, len(data))
        while end < len(data) and (data[end] & 0xC0) == 0x80:  # a continuation byte: step back
            end -= 1
        words.append(f"=?utf-8?b?{binascii.b2a_base64(data[start:end], newline=False).decode()}?=")
        start = end
    return "\n ".join(words)


def address(value: str) -> str:
    """An address header's value: a plain ASCII address as is, anything else through Django."""
    if value.isascii() and "\n" not in value and "\r" not in value and "<" not in value and "," not in value:
        return value
    return sanitize_address(value, "utf-8")


def _body(text: str) -> tuple[str, str]:
    """(Content-Transfer-Encoding, the body as it goes on the wire) for a UTF-8 part."""
    suspects = [line for line in text.split("\n") if len(line) * 4 > MAX_LINE]  # 4 bytes a character at most
    if suspects and any(len(line.encode()) > MAX_LINE for line in suspects):
        return "quoted-printable", quoprimime.body_encode(text, maxlinelen=76)
    return "8bit", text


def _part(content_type: str, text: str) -> str:
    encoding, body = _body(text)
    return (
        f'Content-Type: {content_type}; charset="utf-8"\nMIME-Version: 1.0\n'
        f"Content-Transfer-Encoding: {encoding}\n\n{body}"
    )


def assemble(
    *,
    subject: str,
    from_header: str,
    to: str,
    text: str,
    html: str,
    headers: dict[str, str],
    reply_to: list[str],
) -> bytes:
    """One multipart/alternative email, CRLF line ends, ready for SMTP."""
    boundary = f"==============={secrets.token_hex(12)}=="
    lines = [
        f'Content-Type: multipart/alternative; boundary="{boundary}"',
        "MIME-Version: 1.0",
        f"Subject: {header_value(subject)}",
        f"From: {from_header}",
        f"To: {address(to)}",
    ]
    if reply_to:
        lines.append(f"Reply-To: {', '.join(address(each) for each in reply_to)}")
    names = {name.lower() for name in headers}
    if "date" not in names:
        lines.append(f"Date: {formatdate(localtime=settings.EMAIL_USE_LOCALTIME)}")
    if "message-id" not in names:
        lines.append(f"Message-ID: {make_msgid(domain=DNS_NAME)}")
    lines.extend(f"{name}: {header_value(value)}" for name, value in headers.items())
    document = (
        "\n".join(lines)
        + f"\n\n--{boundary}\n"
        + _part("text/plain", text)
        + f"\n--{boundary}\n"
        + _part("text/html", html)
        + f"\n--{boundary}--\n"
    )
    return document.replace("\r\n", "\n").replace("\n", "\r\n").encode()


class _Prepared:
    """What `PreparedEmail.message()` returns: the bytes, and a parsed copy for anyone who looks inside."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._parsed = None

    def as_bytes(self, unixfrom: bool = False, linesep: str = "\n") -> bytes:
        return self._data if linesep == "\r\n" else self._data.replace(b"\r\n", linesep.encode())

    def as_string(self, unixfrom: bool = False, linesep: str = "\n") -> str:
        return self.as_bytes(linesep=linesep).decode()

    def _message(self):
        if self._parsed is None:
            self._parsed = email.message_from_bytes(self._data, policy=email.policy.compat32)
        return self._parsed

    def __getitem__(self, name: str):
        return self._message()[name]

    def __contains__(self, name: str) -> bool:
        return name in self._message()

    def __getattr__(self, name: str):
        return getattr(self._message(), name)


class PreparedEmail(EmailMultiAlternatives):
    """An email whose MIME bytes were assembled once (`assemble`); `message()` returns them."""

    prepared: bytes = b""

    def message(self):
        if not self.prepared:
            return super().message()
        return _Prepared(self.prepared)
