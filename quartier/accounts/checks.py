"""Deployment checks (`quartier check --deploy`) for what Django's own checklist cannot know."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks

PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
}


@checks.register(checks.Tags.security, deploy=True)
def check_shared_cache(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Rate limits (sign-in, password reset, uploads) live in the cache: it must be shared by every worker."""
    backend = settings.CACHES["default"]["BACKEND"]
    if settings.QUARTIER_ENV == "production" and backend in PER_PROCESS_CACHES:
        return [
            checks.Error(
                f"The cache ({backend}) belongs to each process: every web worker counts rate limits on "
                "its own, so an attacker gets as many tries as there are workers.",
                hint="Set REDIS_URL so that the cache, and the rate limits in it, are shared.",
                id="quartier.E001",
            )
        ]
    return []
