"""Bearer authentication, as Mobilize asks (`Authorization: Bearer <key>`), with the site's API keys
(`quartier.api.auth`: hashed keys, revocation at once, per-key rate limits).

A missing, unknown or revoked key gives 401; a key without the scope a route needs gives 403. Which
scopes: `people:read` for people (and for an event's contact), `events:read` and `people:read` for
attendances (each carries its person).
"""

from __future__ import annotations

from django.http import HttpRequest

from quartier.api.auth import authenticate, require_scope, token_from
from quartier.api.models import ApiKey


def optional_key(request: HttpRequest) -> ApiKey | None:
    """The key of a public route's request when it sends one (it may then see more); a key sent but
    unknown or revoked is refused (401), as on private routes."""
    return authenticate(request) if token_from(request) else None


def require(request: HttpRequest, *resources: str) -> None:
    for resource in resources:
        require_scope(request, resource)
