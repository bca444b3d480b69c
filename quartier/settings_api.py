"""Settings of api (imported at the end of `quartier/settings.py`): every value from the environment."""

from __future__ import annotations

from quartier.lib.env import env_bool, env_int, env_str  # noqa: F401

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
# How long a list's total_records is kept in the cache (counting millions of rows costs more than the
# page); totals may lag new rows by this long. 0: counted on every request.
API_COUNT_CACHE_SECONDS = env_int("API_COUNT_CACHE_SECONDS", 10)
