"""Settings of api (imported at the end of `quartier/settings.py`): every value from the environment."""

from __future__ import annotations

from quartier.lib.env import env_bool, env_int, env_str  # noqa: F401

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
