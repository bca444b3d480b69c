"""Deployment checks of reach: production refuses the local fakes of Mastodon and Bluesky."""

from __future__ import annotations

import ipaddress
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core import checks


def _local_or_plain(url: str) -> bool:
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if parts.scheme != "https" or not host or host == "localhost" or host.endswith((".localhost", ".test")):
        return True
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False
    return address.is_private or address.is_loopback or address.is_link_local


@checks.register(checks.Tags.security, deploy=True)
def check_lending_services(app_configs: Any = None, **kwargs: Any) -> list[checks.CheckMessage]:
    if settings.QUARTIER_ENV != "production":
        return []
    errors = []
    if settings.REACH_MASTODON_API_OVERRIDE or settings.REACH_DEMO_FAKES:
        errors.append(
            checks.Error(
                "REACH_MASTODON_API_OVERRIDE (or REACH_DEMO_FAKES) sends every Mastodon call to a local fake: "
                "lent statuses would go nowhere.",
                hint="Unset REACH_MASTODON_API_OVERRIDE and REACH_DEMO_FAKES in production.",
                id="quartier.E301",
            )
        )
    if _local_or_plain(settings.REACH_BLUESKY_SERVICE):
        errors.append(
            checks.Error(
                f"REACH_BLUESKY_SERVICE ({settings.REACH_BLUESKY_SERVICE}) is not a public https service: "
                "app passwords would be sent to a fake or in the clear.",
                hint="Use https://bsky.social or your own PDS over https.",
                id="quartier.E302",
            )
        )
    return errors
