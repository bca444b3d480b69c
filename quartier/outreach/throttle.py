"""Per-provider throttling: at most `OUTREACH_MAX_PER_SECOND` emails a second across every worker.

A counter per provider and second in the Django cache (Redis in production, so every worker shares
it). A worker takes its slots in blocks (`BLOCK`, one cache round trip per block instead of per
email) and spends them within that second; a worker that finds the second full waits for the next
one. Slots a worker took but did not spend are lost with their second: never more than the limit.
0 turns throttling off (the default: a local SMTP relay takes what it is given; ESPs publish their
own rates).
"""

from __future__ import annotations

import threading
import time

from django.conf import settings
from django.core.cache import cache

# Slots taken from the shared counter at once.
BLOCK = 10

_taken = threading.local()  # this thread's slots: `second` and how many are `left`


def wait_for_slot() -> None:
    limit = settings.OUTREACH_MAX_PER_SECOND
    if limit <= 0:
        return
    provider = settings.EMAIL_BACKEND.rsplit(".", 2)[-2]
    while True:
        second = int(time.time())
        if getattr(_taken, "second", None) == (provider, second) and _taken.left > 0:
            _taken.left -= 1
            return
        block = min(BLOCK, limit)
        key = f"outreach:rate:{provider}:{second}"
        cache.add(key, 0, timeout=5)
        try:
            used = cache.incr(key, block)
        except ValueError:  # expired between add and incr
            continue
        granted = min(block, limit - (used - block))
        if granted > 0:
            _taken.second, _taken.left = (provider, second), granted - 1
            return
        time.sleep(max(0.0, second + 1 - time.time()))
