"""Deploy check: in production, webhooks never reach private or loopback addresses (SSRF)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_webhook_addresses(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.QUARTIER_ENV == "production" and settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        return [
            checks.Error(
                "WEBHOOKS_ALLOW_PRIVATE_ADDRESSES is on: a staff account could make Quartier post to "
                "services inside its own network (SSRF).",
                hint="Leave WEBHOOKS_ALLOW_PRIVATE_ADDRESSES unset in production (it is for tests and the demo).",
                id="quartier.E401",
            )
        ]
    return []
