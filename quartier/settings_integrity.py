"""Settings of integrity (imported at the end of `quartier/settings.py`): every value from the environment."""

from __future__ import annotations

from quartier.lib.env import env_int, env_str

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

INTEGRITY_BEAT_SCHEDULE = {
    "integrity-trust": ("quartier.integrity.tasks.recompute_trust", 6 * 3600.0),
    "integrity-detect": ("quartier.integrity.tasks.detect", 600.0),
    "integrity-purge-fingerprints": ("quartier.integrity.tasks.purge_fingerprints", 3600.0),
}
