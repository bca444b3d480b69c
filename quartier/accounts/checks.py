"""Deployment checks (`quartier check --deploy`) for what Django's own checklist cannot know.

In production every fake or local stand-in is an error: a sandbox payment gateway takes "payments" that
never happen, a sandbox SMS gateway texts nobody, a console, file or in-memory email backend mails
nobody. `quartier serve` and `quartier worker` run these checks and refuse to start on an error.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks

# Caches not shared by every web process of every machine (the file cache is the demo's default without
# Redis: shared by the processes of one machine only).
PER_PROCESS_CACHES = {
    "django.core.cache.backends.locmem.LocMemCache",
    "django.core.cache.backends.dummy.DummyCache",
    "django.core.cache.backends.filebased.FileBasedCache",
}

# Email backends that deliver nothing to anyone.
LOCAL_EMAIL_BACKENDS = {
    "django.core.mail.backends.console.EmailBackend",
    "django.core.mail.backends.filebased.EmailBackend",
    "django.core.mail.backends.locmem.EmailBackend",
    "django.core.mail.backends.dummy.EmailBackend",
}

# The one host the stripe library may talk to in production (`STRIPE_API_BASE` is for tests and fakes).
STRIPE_API_HOST = "api.stripe.com"


def _in_production() -> bool:
    return settings.QUARTIER_ENV == "production"


@checks.register(checks.Tags.security, deploy=True)
def check_shared_cache(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Rate limits (sign-in, password reset, uploads) live in the cache: it must be shared by every worker."""
    backend = settings.CACHES["default"]["BACKEND"]
    if _in_production() and backend in PER_PROCESS_CACHES:
        return [
            checks.Error(
                f"The cache ({backend}) belongs to each process or machine: every web worker counts rate "
                "limits on its own, so an attacker gets as many tries as there are workers.",
                hint="Set REDIS_URL so that the cache, and the rate limits in it, are shared.",
                id="quartier.E001",
            )
        ]
    return []


@checks.register(checks.Tags.security, deploy=True)
def check_real_gateways(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Payments and text messages go through real providers in production, never the sandboxes."""
    if not _in_production():
        return []
    errors = []
    if settings.DONATIONS_GATEWAY == "sandbox":
        errors.append(
            checks.Error(
                "DONATIONS_GATEWAY is sandbox: gifts are recorded as paid while no money moves (a test "
                'card makes a "succeeded" gift).',
                hint="Set DONATIONS_GATEWAY=stripe with STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRETS.",
                id="quartier.E101",
            )
        )
    if settings.STRIPE_API_BASE and not _is_stripe(settings.STRIPE_API_BASE):
        errors.append(
            checks.Error(
                f"STRIPE_API_BASE sends payment calls to {settings.STRIPE_API_BASE!r}, not to Stripe.",
                hint=f"Leave STRIPE_API_BASE empty (it is for tests), or set it to https://{STRIPE_API_HOST}.",
                id="quartier.E102",
            )
        )
    if settings.SMS_GATEWAY == "sandbox":
        errors.append(
            checks.Error(
                "SMS_GATEWAY is sandbox: text messages (confirmation codes, campaign texts) reach nobody.",
                hint="Set SMS_GATEWAY=twilio with the TWILIO_* settings.",
                id="quartier.E103",
            )
        )
    return errors


def _is_stripe(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme == "https" and parts.hostname == STRIPE_API_HOST and parts.port in {None, 443}


@checks.register(checks.Tags.security, deploy=True)
def check_real_email(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    """Email leaves the machine, carries the campaign's postal address, and ESP feedback is authenticated."""
    if not _in_production():
        return []
    errors = []
    backend = settings.EMAIL_BACKEND
    if backend in LOCAL_EMAIL_BACKENDS:
        errors.append(
            checks.Error(
                f"The email backend ({backend}) delivers nothing: sign-up links, password resets and "
                "campaign email never reach anyone.",
                hint="Set EMAIL_URL to smtp://…, smtps://… or anymail:<esp>.",
                id="quartier.E104",
            )
        )
    if not settings.CAMPAIGN_POSTAL_ADDRESS.strip():
        errors.append(
            checks.Error(
                "CAMPAIGN_POSTAL_ADDRESS is empty: the law (CAN-SPAM, CASL) wants the sender's postal "
                "address at the foot of every bulk and personal email.",
                hint="Set CAMPAIGN_POSTAL_ADDRESS to the campaign's postal address.",
                id="quartier.E105",
            )
        )
    if backend.startswith("anymail.") and not settings.ANYMAIL.get("WEBHOOK_SECRET"):
        errors.append(
            checks.Error(
                "Email goes through an ESP (anymail) but ANYMAIL_WEBHOOK_SECRET is empty: bounces and "
                "complaints cannot be received safely, so the campaign keeps mailing addresses that bounce.",
                hint='Set ANYMAIL_WEBHOOK_SECRET ("user:password") and give the ESP the tracking URL with it.',
                id="quartier.E106",
            )
        )
    return errors
