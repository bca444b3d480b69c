"""Rate limits per API key, reads and writes counted apart, in a fixed window of the Django cache.

The cache is Redis in production, so every web process shares the counters. A window starts at a
multiple of `API_RATE_WINDOW_SECONDS`; its counter is created with `add` (atomic) and raised with `incr`
(atomic in Redis), so two processes never both see room for the last request. Past the limit the API
answers 429 with `Retry-After`: the seconds left in the window.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest
from django.utils.translation import gettext as _

from quartier.api.errors import ApiError

READ_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


@dataclass(frozen=True)
class Verdict:
    allowed: bool
    limit: int
    remaining: int
    retry_after: int  # seconds until the window ends


def is_write(request: HttpRequest) -> bool:
    return request.method not in READ_METHODS


def limit_for(*, write: bool) -> int:
    return settings.API_WRITES_PER_WINDOW if write else settings.API_READS_PER_WINDOW


def hit(key_id: int, *, write: bool, now: float | None = None) -> Verdict:
    """Count one request of key `key_id` and say whether it fits in the current window."""
    window = max(1, settings.API_RATE_WINDOW_SECONDS)
    limit = limit_for(write=write)
    moment = time.time() if now is None else now
    window_index = int(moment // window)
    retry_after = max(1, math.ceil((window_index + 1) * window - moment))
    counter = f"api-rate:{key_id}:{'write' if write else 'read'}:{window_index}"
    cache.add(counter, 0, timeout=window + 5)
    try:
        count = cache.incr(counter)
    except ValueError:  # the counter expired between add and incr (a window boundary): start again
        cache.add(counter, 1, timeout=window + 5)
        count = 1
    return Verdict(
        allowed=count <= limit, limit=limit, remaining=max(0, limit - count), retry_after=retry_after
    )


def enforce(request: HttpRequest, key_id: int) -> None:
    """Raise a 429 when key `key_id` has used up its reads (or writes) in this window."""
    write = is_write(request)
    verdict = hit(key_id, write=write)
    if not verdict.allowed:
        kind = _("writes") if write else _("reads")
        raise ApiError(
            429,
            _("Too many %(kind)s with this API key: at most %(limit)s per %(seconds)s seconds.")
            % {"kind": kind, "limit": verdict.limit, "seconds": settings.API_RATE_WINDOW_SECONDS},
            headers={"Retry-After": str(verdict.retry_after)},
        )
