"""The demo's Mastodon and Bluesky: local fakes started by `quartier demo` in its own process, so that
supporters can connect accounts and see lent statuses go out (the real services are not reachable)."""

from __future__ import annotations

import os

from quartier.reach.fakes.bluesky import FakeBluesky
from quartier.reach.fakes.mastodon import FakeMastodon

DEMO_MASTODON_PORT = 8701
DEMO_BLUESKY_PORT = 8702


def start_demo_fakes() -> dict[str, str]:
    """Start both fakes (on fixed ports when free, else any) and return the environment that points the
    web server and the worker at them."""
    servers = []
    for make, port in ((FakeMastodon, DEMO_MASTODON_PORT), (FakeBluesky, DEMO_BLUESKY_PORT)):
        try:
            servers.append(make(port).start())
        except OSError:
            servers.append(make(0).start())
    mastodon, bluesky = servers
    environment = {
        "REACH_DEMO_FAKES": "1",
        "REACH_MASTODON_API_OVERRIDE": mastodon.url,
        "REACH_BLUESKY_SERVICE": bluesky.url,
    }
    os.environ.update(environment)
    print(f"quartier: demo Mastodon at {mastodon.url}, demo Bluesky at {bluesky.url}", flush=True)
    return environment
