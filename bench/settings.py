"""Settings of the benchmark server: Quartier's own, plus the trivial page the others are compared to.

`python -m bench` serves Quartier with `DJANGO_SETTINGS_MODULE=bench.settings`. Everything comes from
`quartier.settings` (read from the environment as in production); only the URL configuration differs,
so that the trivial page exists on the benchmark server and nowhere else.
"""

from __future__ import annotations

from quartier.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"

# A benchmark moves no money, sends no text message and no mail: the production checks that refuse the
# sandbox gateways and console mail (quartier.E101, E103, E104) would stop the benchmark server.
SILENCED_SYSTEM_CHECKS = [
    *globals().get("SILENCED_SYSTEM_CHECKS", []),
    "quartier.E101",
    "quartier.E103",
    "quartier.E104",
]
