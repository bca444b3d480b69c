"""Settings of reach (imported at the end of `quartier/settings.py`): every value from the environment."""

from __future__ import annotations

import sys

from quartier.lib.env import env_bool, env_int, env_str

# --- lend your status (issue 23) ------------------------------------------------------------------
# The key that encrypts connected accounts' tokens (any long random string); empty: derived from
# SECRET_KEY (rotating SECRET_KEY then disconnects every account, which is safe: people reconnect).
REACH_TOKEN_KEY = env_str("REACH_TOKEN_KEY", "")
# Local stand-ins for Mastodon and Bluesky (the demo and the tests): when set, every Mastodon instance's
# calls go to this base URL instead of https://<instance>. Production refuses it (check --deploy).
REACH_MASTODON_API_OVERRIDE = env_str("REACH_MASTODON_API_OVERRIDE", "")
# The Bluesky service (PDS) people sign in to; production refuses anything but https on a public host.
REACH_BLUESKY_SERVICE = env_str("REACH_BLUESKY_SERVICE", "https://bsky.social")
# How many times a lent status that failed is retried (with a doubling delay) before giving up.
REACH_LENDING_MAX_ATTEMPTS = env_int("REACH_LENDING_MAX_ATTEMPTS", 6)
# `quartier demo` starts local fakes of Mastodon and Bluesky and points the two settings above at them.
REACH_DEMO_FAKES = env_bool("REACH_DEMO_FAKES", False)

# Periodic jobs of reach, added to the schedule settings.py has built so far (this module is imported at
# its end, so that settings.py stays under 500 lines).
CELERY_BEAT_SCHEDULE = {
    **sys.modules["quartier.settings"].CELERY_BEAT_SCHEDULE,
    "reach-publish-lent-statuses": {
        "task": "quartier.reach.lending.tasks.publish_due_statuses",
        "schedule": 60.0,
    },
}
