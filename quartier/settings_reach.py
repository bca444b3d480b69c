"""Settings of reach (imported at the end of `quartier/settings.py`): every value from the environment."""

from __future__ import annotations

from quartier.lib.env import env_bool, env_int, env_str  # noqa: F401

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
