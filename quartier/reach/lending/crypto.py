"""Connected accounts' credentials at rest: encrypted with Fernet (AES-128-CBC + HMAC-SHA256) under
REACH_TOKEN_KEY, or a key derived from SECRET_KEY. Never shown on any page, never exported."""

from __future__ import annotations

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    secret = settings.REACH_TOKEN_KEY or settings.SECRET_KEY
    key = hashlib.sha256(b"quartier.reach.lending:" + secret.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def encrypt(plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode()


def decrypt(token: str) -> str:
    """The plain credential, or "" when the key changed since it was stored (the account must reconnect)."""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""
