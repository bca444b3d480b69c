"""API keys: created by staff, scoped per resource (read or write), revocable, hashed at rest."""

from __future__ import annotations

import hashlib
import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from quartier.accounts.models import Supporter

TOKEN_PREFIX = "qk_"


def hash_token(raw: str) -> str:
    """The stored form of a token: its SHA-256 (tokens are 32 random bytes, so no salt or slow hash is
    needed: there is nothing to guess)."""
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiKey(models.Model):
    """One client's credential. `scopes` lists "<resource>:read" / "<resource>:write" strings
    (resources: people, events, donations, fundraising_pages, tags, forms, mobilize…); write implies read."""

    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)  # the token's first characters, shown to staff
    token_hash = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(default=list)
    created_by = models.ForeignKey(Supporter, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, *, name: str, scopes: list[str], created_by: Supporter | None) -> tuple[ApiKey, str]:
        """A new key and its token, shown once (only its hash is kept)."""
        raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
        key = cls.objects.create(
            name=name,
            prefix=raw[:10],
            token_hash=hash_token(raw),
            scopes=sorted(set(scopes)),
            created_by=created_by,
        )
        return key, raw

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def allows(self, resource: str, *, write: bool = False) -> bool:
        """Whether this key may read (or write) `resource`; a write scope grants reading too."""
        if not self.active:
            return False
        if f"{resource}:write" in self.scopes:
            return True
        return not write and f"{resource}:read" in self.scopes
