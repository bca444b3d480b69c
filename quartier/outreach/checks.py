"""Deployment checks of outreach (`quartier check --deploy`), registered when the app is ready."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.security, deploy=True)
def check_tracking_webhook_secret(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Mail through an ESP without `ANYMAIL_WEBHOOK_SECRET`: its bounces and complaints are not heard."""
    from quartier.outreach.feedback import webhook_secret_set

    if not settings.EMAIL_BACKEND.startswith("anymail.") or webhook_secret_set():
        return []
    return [
        checks.Warning(
            "Email goes through an ESP but ANYMAIL_WEBHOOK_SECRET is not set: the tracking webhooks "
            "at /outreach/esp/<esp>/tracking/ answer 404 (without the secret anyone could post a "
            "forged bounce and suppress any address), so bounces and complaints are not recorded and "
            "campaigns keep mailing addresses that bounce.",
            hint="Set ANYMAIL_WEBHOOK_SECRET to a random 'user:password' and give the ESP the webhook "
            "address with it (https://user:password@your-site/outreach/esp/<esp>/tracking/).",
            id="outreach.W001",
        )
    ]
