"""Settings of api (imported at the end of `quartier/settings.py`): every value from the environment."""

from __future__ import annotations

from quartier.lib.env import env_bool, env_int, env_str

# Requests each API key may make per window, reads (GET, HEAD, OPTIONS) and writes counted apart
# (`quartier/api/limits.py`); past it the API answers 429 with `Retry-After`.
API_READS_PER_WINDOW = env_int("API_READS_PER_WINDOW", 600)
API_WRITES_PER_WINDOW = env_int("API_WRITES_PER_WINDOW", 120)
API_RATE_WINDOW_SECONDS = env_int("API_RATE_WINDOW_SECONDS", 60)
# OSDI paging: `per_page` defaults to 25 and is capped by the entry point's `max_pagesize`.
API_DEFAULT_PAGE_SIZE = env_int("API_DEFAULT_PAGE_SIZE", 25)
API_MAX_PAGE_SIZE = env_int("API_MAX_PAGE_SIZE", 100)
# The entry point's message of the day (empty: a standard welcome).
API_MOTD = env_str("API_MOTD", "")

# --- outgoing webhooks and people imports (issue 25 §4, §5) --------------------------------------

# Webhook deliveries may reach loopback/private addresses and plain http: tests and the demo only
# (production refuses it, see quartier/api/checks.py).
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", False)
WEBHOOKS_TIMEOUT_SECONDS = env_int("WEBHOOKS_TIMEOUT_SECONDS", 10)
# Attempts before a delivery is marked failed; waits grow as 30 s * 4^(attempt-1) (30 s … ~34 h).
WEBHOOKS_MAX_ATTEMPTS = env_int("WEBHOOKS_MAX_ATTEMPTS", 8)
WEBHOOKS_FIRST_RETRY_SECONDS = env_int("WEBHOOKS_FIRST_RETRY_SECONDS", 30)

# The dict settings.py made (this module is imported at its end), extended in place: the journal's
# new rows become webhook deliveries, and deliveries whose retry is due are sent.
from quartier.settings import CELERY_BEAT_SCHEDULE  # noqa: E402

CELERY_BEAT_SCHEDULE["api-webhooks"] = {"task": "quartier.api.tasks.run_webhooks", "schedule": 10.0}
CELERY_BEAT_SCHEDULE["api-imports-sweep"] = {"task": "quartier.api.tasks.sweep_imports", "schedule": 3600.0}

# How long a list's total_records is kept in the cache (counting millions of rows costs more than the
# page); totals may lag new rows by this long. 0: counted on every request.
API_COUNT_CACHE_SECONDS = env_int("API_COUNT_CACHE_SECONDS", 10)

# How long the anchors of deep OSDI pages (the key at every thousandth row of a listing) are kept; a
# count checks them every API_COUNT_CACHE_SECONDS, and they are taken again after a row is removed.
API_ANCHOR_CACHE_SECONDS = env_int("API_ANCHOR_CACHE_SECONDS", 600)
