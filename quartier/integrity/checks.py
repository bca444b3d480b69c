"""Deployment checks of integrity (`quartier check --deploy`), registered when the app is ready."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_fingerprint_salt(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """In production, signup fingerprints are salted with a secret of their own, not one derived."""
    if settings.QUARTIER_ENV != "production" or len(settings.INTEGRITY_FINGERPRINT_SALT) >= 16:
        return []
    return [
        checks.Error(
            "INTEGRITY_FINGERPRINT_SALT is not set (or shorter than 16 characters): signup fingerprints "
            "would be hashed with a salt derived from SECRET_KEY.",
            hint="Set INTEGRITY_FINGERPRINT_SALT to a long random string, and keep it secret.",
            id="quartier.E240",
        )
    ]
