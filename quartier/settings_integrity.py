"""Settings of integrity (imported at the end of `quartier/settings.py`): every value from the environment."""

from __future__ import annotations

from quartier.lib.env import env_bool, env_int, env_str  # noqa: F401

# --- verification badges (issue 24 §1; the code lives in accounts/verification.py) ---------------------
# A texted code is valid this many minutes, for this many tries.
PHONE_CODE_LIFETIME_MINUTES = env_int("PHONE_CODE_LIFETIME_MINUTES", 10)
PHONE_CODE_MAX_ATTEMPTS = env_int("PHONE_CODE_MAX_ATTEMPTS", 5)
# How many codes one account may ask for per hour, and one number may receive per day (any account).
PHONE_CODES_PER_ACCOUNT_PER_HOUR = env_int("PHONE_CODES_PER_ACCOUNT_PER_HOUR", 3)
PHONE_CODES_PER_NUMBER_PER_DAY = env_int("PHONE_CODES_PER_NUMBER_PER_DAY", 5)
# How many supporters one leader may vouch for per day: a vouch is a personal word, not a bulk action.
VOUCHES_PER_LEADER_PER_DAY = env_int("VOUCHES_PER_LEADER_PER_DAY", 20)

# The secret mixed into every signup fingerprint before hashing (network, browser family, email shape):
# without it the hashes of a /24 could be recomputed. Empty: derived from SECRET_KEY (an error of
# `check --deploy` in production, quartier.E240: set a salt of its own there).
INTEGRITY_FINGERPRINT_SALT = env_str("INTEGRITY_FINGERPRINT_SALT", "")
# Days a signup fingerprint is kept; a beat task deletes older ones.
INTEGRITY_FINGERPRINT_RETENTION_DAYS = env_int("INTEGRITY_FINGERPRINT_RETENTION_DAYS", 30)
# Fewest distinct accounts a finding needs before it becomes a cluster proposed to staff.
INTEGRITY_MIN_CLUSTER_SIZE = env_int("INTEGRITY_MIN_CLUSTER_SIZE", 3)
# Seconds within which actions on the same item count as synchronised.
INTEGRITY_SYNC_WINDOW_SECONDS = env_int("INTEGRITY_SYNC_WINDOW_SECONDS", 30)

# Integrity's periodic jobs, added to CELERY_BEAT_SCHEDULE by `IntegrityConfig.ready()` (settings.py stays
# under 500 lines), with the same QUARTIER_BEAT_MAX_INTERVAL rule as the others.
_BEAT_MAX_INTERVAL = env_int("QUARTIER_BEAT_MAX_INTERVAL", 0)
INTEGRITY_BEAT_SCHEDULE = {
    name: {"task": task, "schedule": min(every, _BEAT_MAX_INTERVAL) if _BEAT_MAX_INTERVAL > 0 else every}
    for name, task, every in [
        ("integrity-trust", "quartier.integrity.tasks.recompute_trust", 6 * 3600.0),
        ("integrity-detect", "quartier.integrity.tasks.detect", 600.0),
        ("integrity-purge-fingerprints", "quartier.integrity.tasks.purge_fingerprints", 3600.0),
    ]
}
