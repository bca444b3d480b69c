"""Per-provider throttling: at most `OUTREACH_MAX_PER_SECOND` emails a second across every worker.

A counter per second in the Django cache (Redis in production, so every worker shares it): a worker
that finds the second full waits for the next one. 0 turns throttling off (the default: a local SMTP
relay takes what it is given; ESPs publish their own rates).
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.cache import cache


def wait_for_slot() -> None:
    limit = settings.OUTREACH_MAX_PER_SECOND
    if limit <= 0:
        return
    provider = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    while True:
        second = int(time.time())
        key = f"outreach:rate:{provider}:{second}"
        cache.add(key, 0, timeout=5)
        try:
            used = cache.incr(key)
        except ValueError:  # expired between add and incr
            continue
        if used <= limit:
            return
        time.sleep(max(0.0, second + 1 - time.time()))
