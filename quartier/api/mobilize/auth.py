"""Bearer authentication, as Mobilize asks (`Authorization: Bearer <key>`), with the site's API keys.

A missing, unknown or revoked key gives 401; a key without the scope a route needs gives 403. Which
scopes: `people:read` for people (and for an event's contact), `events:read` and `people:read` for
attendances (each carries its person).
"""

from __future__ import annotations

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import HttpBearer

from quartier.api.mobilize.problems import MobilizeError
from quartier.api.models import ApiKey
from quartier.api.models.keys import hash_token


def key_of(token: str) -> ApiKey | None:
    key = ApiKey.objects.filter(token_hash=hash_token(token), revoked_at__isnull=True).first()
    if key is not None:
        ApiKey.objects.filter(pk=key.pk).update(last_used_at=timezone.now())
    return key


def bearer_token(request: HttpRequest) -> str | None:
    scheme, _space, token = request.headers.get("Authorization", "").partition(" ")
    return token.strip() or None if scheme.lower() == "bearer" else None


def optional_key(request: HttpRequest) -> ApiKey | None:
    """The key of a public route's request, if it carries a valid one (it may then see more)."""
    token = bearer_token(request)
    return key_of(token) if token else None


class MobilizeBearer(HttpBearer):
    """The OpenAPI security scheme of the private routes; ninja answers 401 when this returns None."""

    def authenticate(self, request: HttpRequest, token: str) -> ApiKey | None:
        return key_of(token)


def require(key: ApiKey, *resources: str) -> None:
    missing = [resource for resource in resources if not key.allows(resource)]
    if missing:
        needed = ", ".join(f"{resource}:read" for resource in missing)
        raise MobilizeError(403, f"This API key may not read this: it needs the scope {needed}.")
