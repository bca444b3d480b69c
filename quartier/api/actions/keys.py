"""Issuing and revoking API keys (staff only: the views check it)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.api.models import ApiKey
from quartier.api.scopes import READ, RESOURCES, WRITE


def scopes_from(levels: dict[str, str]) -> list[str]:
    """`{"people": "read", "tags": "write", "events": ""}` → `["people:read", "tags:write"]`."""
    return sorted(
        f"{resource}:{level}"
        for resource, level in levels.items()
        if resource in RESOURCES and level in {READ, WRITE}
    )


@transaction.atomic
def issue_key(*, name: str, levels: dict[str, str], created_by: Supporter) -> tuple[ApiKey, str]:
    """A new key and its token (shown once: only its hash is stored)."""
    return ApiKey.issue(name=name.strip(), scopes=scopes_from(levels), created_by=created_by)


@transaction.atomic
def revoke_key(*, key: ApiKey) -> bool:
    """Revoke the key at once (the next request with it is refused); revoking twice changes nothing."""
    revoked = ApiKey.objects.filter(pk=key.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    return bool(revoked)
