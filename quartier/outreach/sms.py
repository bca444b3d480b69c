"""Text messages: the `SmsGateway` interface, an offline sandbox and a Twilio adapter.

`SMS_GATEWAY` picks one (`sandbox` by default: nothing leaves the machine, sent texts are kept in
`SANDBOX_OUTBOX` as Django's test outbox keeps mail). A gateway sends a text and checks that an
inbound webhook really comes from it (Twilio: `X-Twilio-Signature`, HMAC-SHA1 of the public URL and
the form fields with the auth token, Twilio's documented scheme checked with the standard library; the
sandbox: `X-Sandbox-Signature`, HMAC-SHA256 of the body with `SMS_SANDBOX_SECRET`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import urllib.parse
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

import phonenumbers
from django.conf import settings
from django.http import HttpRequest

from quartier.lib.urls import absolute_url

# STOP and its synonyms (CTIA's list, with French), START, HELP: matched on the whole text, any case.
STOP_WORDS = {"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "ARRET", "ARRÊT"}
START_WORDS = {"START", "UNSTOP", "YES", "SUBSCRIBE", "OUI"}
HELP_WORDS = {"HELP", "INFO", "AIDE"}


@dataclass(frozen=True)
class InboundText:
    provider_id: str
    phone: str
    body: str


class SmsGateway(Protocol):
    name: str

    def send(self, *, to: str, body: str) -> str:
        """Send one text; return the provider's id for it. Raise on failure."""

    def inbound(self, request: HttpRequest) -> InboundText | None:
        """The text a webhook request carries, or None when its signature is not the provider's."""


SANDBOX_OUTBOX: list[tuple[str, str]] = []


class SandboxGateway:
    name = "sandbox"

    def send(self, *, to: str, body: str) -> str:
        SANDBOX_OUTBOX.append((to, body))
        return f"sandbox-{len(SANDBOX_OUTBOX)}"

    @staticmethod
    def signature(body: bytes) -> str:
        return hmac.new(settings.SMS_SANDBOX_SECRET.encode(), body, hashlib.sha256).hexdigest()

    def inbound(self, request: HttpRequest) -> InboundText | None:
        given = request.headers.get("X-Sandbox-Signature", "")
        if not settings.SMS_SANDBOX_SECRET or not hmac.compare_digest(given, self.signature(request.body)):
            return None
        return InboundText(
            provider_id=request.POST.get("id", "")[:64],
            phone=request.POST.get("from", ""),
            body=request.POST.get("text", ""),
        )


class TwilioGateway:
    """Twilio's Messages API (form-encoded POST, basic auth) and its signed inbound webhooks."""

    name = "twilio"

    def send(self, *, to: str, body: str) -> str:
        account = settings.TWILIO_ACCOUNT_SID
        url = f"{settings.TWILIO_API_BASE.rstrip('/')}/2010-04-01/Accounts/{account}/Messages.json"
        data = urllib.parse.urlencode({"To": to, "From": settings.TWILIO_FROM_NUMBER, "Body": body}).encode()
        credentials = base64.b64encode(f"{account}:{settings.TWILIO_AUTH_TOKEN}".encode()).decode()
        request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting, https by default)
            url, data=data, headers={"Authorization": f"Basic {credentials}"}, method="POST"
        )
        with urllib.request.urlopen(request, timeout=20) as response:  # noqa: S310
            return json.loads(response.read())["sid"]

    def inbound(self, request: HttpRequest) -> InboundText | None:
        url = absolute_url(request.get_full_path())  # what Twilio signed: the public address
        fields = {key: request.POST.getlist(key) for key in request.POST}
        given = request.headers.get("X-Twilio-Signature", "").encode()
        token = settings.TWILIO_AUTH_TOKEN
        if not token or not any(
            hmac.compare_digest(twilio_signature(token, signed_url, fields).encode(), given)
            for signed_url in _with_and_without_default_port(url)
        ):
            return None
        return InboundText(
            provider_id=request.POST.get("MessageSid", "")[:64],
            phone=request.POST.get("From", ""),
            body=request.POST.get("Body", ""),
        )


def twilio_signature(auth_token: str, url: str, fields: Mapping[str, Sequence[str]]) -> str:
    """Twilio's webhook signature (the Auth Token scheme of its "Webhooks security" page): the full URL,
    then each POST field's name and value with no separator, fields sorted by name (a repeated
    field's distinct values sorted too, as Twilio's own libraries do), HMAC-SHA1 with the auth token,
    base64."""
    signed = url + "".join(name + value for name in sorted(fields) for value in sorted(set(fields[name])))
    return base64.b64encode(hmac.new(auth_token.encode(), signed.encode(), hashlib.sha1).digest()).decode()


def _with_and_without_default_port(url: str) -> set[str]:
    """`url` as given, with its scheme's default port and without a port: Twilio signs one or the
    other depending on how the webhook address was configured (its libraries accept both)."""
    parts = urllib.parse.urlsplit(url)
    host = parts.netloc.rsplit(":", 1)[0] if parts.port else parts.netloc
    default_port = 443 if parts.scheme == "https" else 80
    return {
        url,
        urllib.parse.urlunsplit(parts._replace(netloc=host)),
        urllib.parse.urlunsplit(parts._replace(netloc=f"{host}:{parts.port or default_port}")),
    }


GATEWAYS: dict[str, type] = {"sandbox": SandboxGateway, "twilio": TwilioGateway}


def gateway(name: str | None = None) -> SmsGateway:
    return GATEWAYS[name or settings.SMS_GATEWAY]()


def normalize_phone(raw: str, country: str = "CA") -> str | None:
    """E.164 (`+15145550123`) or None when it is not a possible mobile number."""
    try:
        number = phonenumbers.parse(raw, country or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def keyword(body: str) -> str:
    """`stop`, `start`, `help` or "" for a text that is none of them (whole message, any case)."""
    word = " ".join(body.split()).upper().rstrip(".!")
    if word in STOP_WORDS or word == "STOP ALL":
        return "stop"
    if word in START_WORDS:
        return "start"
    if word in HELP_WORDS:
        return "help"
    return ""
