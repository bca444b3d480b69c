"""Who is calling: the API key sent in the `OSDI-API-Token` header or as `Authorization: Bearer <token>`.

A key is looked up by the hash of its token on every request (one indexed query), so a revoked key is
refused at once; its `last_used_at` is written at most once a minute (a conditional UPDATE, never on
every request). Authenticating also counts the request against the key's rate limit (`limits`).

Endpoints say what they need with `require_scope(request, "people")` (or `write=True`).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.db.models import Q
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja.security import APIKeyHeader, HttpBearer

from quartier.api import limits
from quartier.api.errors import ApiError
from quartier.api.models import ApiKey
from quartier.api.models.keys import hash_token

TOKEN_HEADER = "OSDI-API-Token"
LAST_USED_RESOLUTION = timedelta(minutes=1)


def token_from(request: HttpRequest) -> str:
    """The token the request carries, from either header (empty when none)."""
    token = request.headers.get(TOKEN_HEADER, "").strip()
    if token:
        return token
    scheme, _space, credentials = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer":
        return credentials.strip()
    return ""


def key_for_token(token: str) -> ApiKey:
    """The active key behind `token`, or a 401 saying why not."""
    if not token:
        raise ApiError(401, _("An API key is needed: send it in the OSDI-API-Token header."))
    key = ApiKey.objects.filter(token_hash=hash_token(token)).first()
    if key is None:
        raise ApiError(401, _("This API key is not known."))
    if not key.active:
        raise ApiError(401, _("This API key was revoked."), code="revoked")
    return key


def note_use(key: ApiKey) -> None:
    """Record when the key was last used, at most once a minute (conditional, so races write once)."""
    now = timezone.now()
    threshold = now - LAST_USED_RESOLUTION
    if key.last_used_at is not None and key.last_used_at > threshold:
        return
    ApiKey.objects.filter(pk=key.pk).filter(
        Q(last_used_at__isnull=True) | Q(last_used_at__lte=threshold)
    ).update(last_used_at=now)
    key.last_used_at = now


def authenticate(request: HttpRequest) -> ApiKey:
    """The request's key, checked, its use noted and its rate limit counted (raises ApiError)."""
    key = key_for_token(token_from(request))
    limits.enforce(request, key.pk)
    note_use(key)
    return key


class ApiKeyAuth(APIKeyHeader):
    """Ninja auth: the `OSDI-API-Token` header (documented), or `Authorization: Bearer` (accepted)."""

    param_name = TOKEN_HEADER

    def __call__(self, request: HttpRequest) -> ApiKey:
        return authenticate(request)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:  # pragma: no cover - unused
        return authenticate(request)


class BearerApiKeyAuth(HttpBearer):
    """Ninja auth documented as `Authorization: Bearer <token>` (Mobilize's scheme); same keys."""

    def __call__(self, request: HttpRequest) -> ApiKey:
        return authenticate(request)

    def authenticate(self, request: HttpRequest, token: str) -> Any:  # pragma: no cover - unused
        return authenticate(request)


def require_scope(request: HttpRequest, resource: str, *, write: bool = False) -> ApiKey:
    """The request's key if it may read (or write) `resource`; a 403 with the reason otherwise."""
    key = getattr(request, "auth", None)
    if not isinstance(key, ApiKey):
        raise ApiError(401, _("An API key is needed: send it in the OSDI-API-Token header."))
    if not key.allows(resource, write=write):
        message = (
            _("This API key may not write %(resource)s.")
            if write
            else _("This API key may not read %(resource)s.")
        )
        raise ApiError(403, message % {"resource": resource}, code="scope")
    return key
