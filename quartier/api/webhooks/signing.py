"""The signature of a delivery: HMAC-SHA256 over `<timestamp>.<body>` with the endpoint's secret, sent
as `Quartier-Signature: t=<timestamp>,v1=<hex digest>` (the scheme documented in docs/webhooks.md)."""

from __future__ import annotations

import hashlib
import hmac
import time

SIGNATURE_HEADER = "Quartier-Signature"
TOLERANCE_SECONDS = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, timestamp: int | None = None) -> str:
    timestamp = int(time.time()) if timestamp is None else timestamp
    return f"t={timestamp},v1={signature(secret, timestamp, body)}"


def verify(
    secret: str, body: bytes, header: str, *, now: int | None = None, tolerance: int = TOLERANCE_SECONDS
) -> bool:
    """What a receiver does (the same code as the snippet in docs/webhooks.md)."""
    parts = dict(part.split("=", 1) for part in header.split(",") if "=" in part)
    try:
        timestamp = int(parts["t"])
    except (KeyError, ValueError):
        return False
    now = int(time.time()) if now is None else now
    if abs(now - timestamp) > tolerance:
        return False
    return hmac.compare_digest(signature(secret, timestamp, body), parts.get("v1", ""))
