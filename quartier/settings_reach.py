"""Settings of reach (imported at the end of `quartier/settings.py`): every value from the environment."""

from __future__ import annotations

from quartier.lib.env import env_bool, env_int, env_str  # noqa: F401

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
    ]:
        project.CELERY_BEAT_SCHEDULE[name] = {
            "task": task,
            "schedule": min(seconds, every) if every > 0 else seconds,
        }


_add_reach_schedule()

# The code (a campaign email's, or a supporter's) that brought a new supporter, recorded with their
# sign-up in the journal: `accounts` may not import reach, so the setting names the lookup.
SIGNUP_REFCODE_LOOKUP = "quartier.reach.queries.refcode_from"
