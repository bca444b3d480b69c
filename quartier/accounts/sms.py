"""Texting a verification code: the `SmsSender` interface accounts needs, filled by outreach.

`accounts` may not import `outreach` (outreach stands on accounts), so outreach registers its gateway
here from `OutreachConfig.ready()` (`use_gateway`): the same `SMS_GATEWAY` setting then picks the
offline sandbox (texts kept in outreach's `SANDBOX_OUTBOX`, which the tests read) or Twilio, and
production refuses the sandbox (`quartier.E103`, `accounts/checks.py`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

import phonenumbers


class SmsSender(Protocol):
    def send(self, *, to: str, body: str) -> str:
        """Send one text; return the provider's id for it. Raise on failure."""


class NoGateway(RuntimeError):
    """No app registered an SMS gateway: phone verification is unavailable."""


_gateway_factory: Callable[[], SmsSender] | None = None


def use_gateway(factory: Callable[[], SmsSender]) -> None:
    """Register how to get the configured gateway (called once, from outreach's `ready()`)."""
    global _gateway_factory
    _gateway_factory = factory


def gateway() -> SmsSender:
    if _gateway_factory is None:
        raise NoGateway("no SMS gateway registered (is quartier.outreach installed?)")
    return _gateway_factory()


def normalize_phone(raw: str, country: str = "CA") -> str | None:
    """E.164 (`+15145550123`) or None when it is not a valid number."""
    try:
        number = phonenumbers.parse(raw, country or None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def masked(phone_number: str) -> str:
    """`+1 ••• ••• 0123`: enough for its owner to recognise it, not enough to call it."""
    return f"{phone_number[:2]} ••• ••• {phone_number[-4:]}" if len(phone_number) > 6 else "•••"
