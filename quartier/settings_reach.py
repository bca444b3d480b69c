"""Settings of reach (imported at the end of `quartier/settings.py`): every value from the environment."""

from __future__ import annotations

from quartier.lib.env import env_bool, env_int, env_str

# Spread analytics (`/organize/reach/spread/`): the follow graph, unique reach and whom to ask first.
# Cache the follow graph as an .npz file in private storage, reused while the follows are unchanged.
REACH_GRAPH_CACHE = env_bool("REACH_GRAPH_CACHE", True)
# HyperLogLog precision: 2**p registers per sketch, standard error 1.04 / sqrt(2**p) (p=10: 3.3 %).
REACH_HLL_PRECISION = env_int("REACH_HLL_PRECISION", 10)
# IMM's accuracy ε and confidence exponent ell (the guarantee holds with probability 1 - n**-ell).
REACH_SEEDING_EPSILON_PERCENT = env_int("REACH_SEEDING_EPSILON_PERCENT", 10)
# Memory cap of the reverse-reachable sets in MB: past it ε is raised (and the page says so).
REACH_SEEDING_MEMORY_MB = env_int("REACH_SEEDING_MEMORY_MB", 1024)
# Monte-Carlo runs to compare the strategies' expected spread.
REACH_SIMULATION_RUNS = env_int("REACH_SIMULATION_RUNS", 200)
# First touch: how long the code of the first shared link a visitor opened is remembered (their
# session only), so that a sign-up, RSVP or gift within that time credits that sharer.
REACH_ATTRIBUTION_DAYS = env_int("REACH_ATTRIBUTION_DAYS", 30)
# Seconds between two reads of the activity journal into conversions, and between two full
# recomputes of the cascade metrics (celery beat).
REACH_JOURNAL_SYNC_SECONDS = env_int("REACH_JOURNAL_SYNC_SECONDS", 30)
REACH_RECOMPUTE_SECONDS = env_int("REACH_RECOMPUTE_SECONDS", 900)


def _add_reach_schedule() -> None:
    """Reach's periodic jobs join the project's beat schedule (defined above this module's import)."""
    from quartier import settings as project

    every = project.BEAT_MAX_INTERVAL
    for name, task, seconds in [
        ("reach-journal-sync", "quartier.reach.tasks.sync_conversions", float(REACH_JOURNAL_SYNC_SECONDS)),
        (
            "reach-cascade-recompute",
            "quartier.reach.tasks.recompute_cascades",
            float(REACH_RECOMPUTE_SECONDS),
        ),
        ("reach-publish-lent-statuses", "quartier.reach.lending.tasks.publish_due_statuses", 60.0),
    ]:
        project.CELERY_BEAT_SCHEDULE[name] = {
            "task": task,
            "schedule": min(seconds, every) if every > 0 else seconds,
        }


# The code (a campaign email's, or a supporter's) that brought a new supporter, recorded with their
# sign-up in the journal: `accounts` may not import reach, so the setting names the lookup.
SIGNUP_REFCODE_LOOKUP = "quartier.reach.queries.refcode_from"

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

_add_reach_schedule()
