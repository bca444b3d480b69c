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
