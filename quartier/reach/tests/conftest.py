"""Fixtures of reach's tests: local Mastodon and Bluesky servers spoken to over real HTTP."""

from __future__ import annotations

import itertools
import urllib.request
from collections.abc import Callable
from urllib.parse import urlsplit

import pytest
from django.urls import reverse

from quartier.accounts import actions as accounts_actions
from quartier.accounts.models import Supporter
from quartier.reach.fakes.bluesky import FakeBluesky
from quartier.reach.fakes.mastodon import FakeMastodon
from quartier.reach.lending import actions as lending_actions

INSTANCE = "piaille.example"


@pytest.fixture(scope="session")
def _mastodon_server():
    server = FakeMastodon().start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def _bluesky_server():
    server = FakeBluesky().start()
    yield server
    server.stop()


@pytest.fixture
def mastodon(_mastodon_server, settings):
    settings.REACH_MASTODON_API_OVERRIDE = _mastodon_server.url
    _mastodon_server.fail_next = 0
    _mastodon_server.statuses.clear()
    _mastodon_server.requests.clear()
    return _mastodon_server


@pytest.fixture
def bluesky(_bluesky_server, settings):
    settings.REACH_BLUESKY_SERVICE = _bluesky_server.url
    _bluesky_server.fail_next = 0
    _bluesky_server.records.clear()
    _bluesky_server.requests.clear()
    return _bluesky_server


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def connect_mastodon(client, mastodon) -> object:
    """The whole OAuth dance: Quartier → the instance's authorize page (over HTTP) → back with a code."""
    response = client.post(reverse("reach:mastodon_connect"), {"instance": INSTANCE})
    assert response.status_code == 302, response.content.decode()[:300]
    authorize = response["Location"]
    assert authorize.startswith(mastodon.url + "/oauth/authorize?")
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        opener.open(authorize, timeout=5)
    except urllib.error.HTTPError as answer:  # the 302 back to Quartier
        back = urlsplit(answer.headers["Location"])
    return client.get(f"{back.path}?{back.query}")


def connect_bluesky(client, password: str = "abcd-efgh-ijkl-mnop") -> object:
    return client.post(
        reverse("reach:bluesky_connect"), {"handle": "ana.bsky.social", "app_password": password}
    )


def opt_in(supporter, cap: int = 1):
    return lending_actions.set_consent(supporter=supporter, active=True, weekly_cap=cap)


_numbers = itertools.count(1)


@pytest.fixture
def join(db) -> Callable[..., Supporter]:
    """Sign someone up the way the sign-up form does, brought by `referred_by` when given."""

    def make(name: str, referred_by: Supporter | None = None, refcode: str = "") -> Supporter:
        supporter = Supporter(email=f"joiner{next(_numbers)}@example.org")
        supporter.set_password("x")
        return accounts_actions.complete_signup(
            supporter=supporter, display_name=name, country="CA", postal_code="H2X 1Y4", language="fr",
            news_consent=False, consent_wording="Non merci", ip_address="127.0.0.1", referred_by=referred_by,
            refcode=refcode,
        )  # fmt: skip

    return make
