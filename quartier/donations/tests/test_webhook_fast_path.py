"""Stripe's webhook skips the site's middleware and asks the cache for a batch once a debounce (issue 22).

A delivery runs one query (the inbox's insert) even with a signed-in session cookie: no session, user
or language lookup; it keeps its own guards (host, method, signature, size, malformed body); and a
burst of deliveries asks the cache for a batch at most twice a debounce per process, while every
event stored meanwhile is still claimed by the task queued for it.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quartier.donations import inbox, tasks
from quartier.donations.models import InboxEvent
from quartier.donations.tests.conftest import SECRETS, post_event, start_stripe_gift
from quartier.donations.tests.fake_stripe import sign
from quartier.donations.urls import STRIPE_WEBHOOK_PATH

pytestmark = pytest.mark.django_db


@pytest.fixture
def cache_asks(monkeypatch):
    """The kick's round trips to the cache, by name."""
    from django.core.cache import cache

    asks: list[str] = []

    def counted(name: str):
        original = getattr(cache, name)

        def ask(key, *args, **kwargs):
            if key == inbox._KICK_KEY:
                asks.append(name)
            return original(key, *args, **kwargs)

        return ask

    for name in ("add", "get"):
        monkeypatch.setattr(cache, name, counted(name))
    return asks


def _events(fake_stripe, count: int) -> list[dict]:
    """The first event of each of `count` paid gifts (each applies on its own)."""
    events = []
    for number in range(count):
        _donation, checkout = start_stripe_gift(1000 + number, first_name=f"Fast{number}")
        events.append(fake_stripe.pay_session(checkout.reference)[0])
    return events


def _writes_and_reads(queries) -> list[str]:
    return [q["sql"] for q in queries if not q["sql"].lstrip().upper().startswith(("SAVEPOINT", "RELEASE"))]


def test_the_fast_path_is_the_routed_webhook():
    assert reverse("donations:stripe_webhook") == STRIPE_WEBHOOK_PATH


def test_a_delivery_with_a_signed_in_cookie_runs_only_the_insert(fake_stripe, client, broker, supporter):
    (event,) = _events(fake_stripe, 1)
    client.force_login(supporter)  # a session cookie that the site's middleware would look up
    with CaptureQueriesContext(connection) as queries:
        response = post_event(client, event)
    assert response.status_code == 200 and response.json() == {"status": "received"}
    (insert,) = _writes_and_reads(queries)
    assert "ON CONFLICT" in insert and "donations_inboxevent" in insert
    # Nothing of the session, the language or the page cache touched the answer.
    assert (
        "Vary" not in response
        and "Set-Cookie" not in str(response.cookies)
        and "Content-Language" not in response
    )


def test_the_fast_path_keeps_the_webhooks_guards(fake_stripe, client, broker, settings):
    (event,) = _events(fake_stripe, 1)
    body, header = sign(event, SECRETS[0])
    post = lambda **extra: client.post(STRIPE_WEBHOOK_PATH, body, content_type="application/json", **extra)  # noqa: E731
    assert post(HTTP_STRIPE_SIGNATURE=header, HTTP_HOST="evil.example").status_code == 400  # not our host
    assert client.get(STRIPE_WEBHOOK_PATH).status_code == 405
    assert post(HTTP_STRIPE_SIGNATURE=header.replace("v1=", "v1=0")).status_code == 400  # signature
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = len(body) - 1
    assert post(HTTP_STRIPE_SIGNATURE=header).status_code == 400  # too big: never read
    assert not InboxEvent.objects.exists() and broker == []


def test_a_burst_asks_the_cache_once_and_its_task_claims_after_the_key_is_gone(
    fake_stripe, client, broker, cache_asks
):
    events = _events(fake_stripe, 6)
    for event in events:
        assert post_event(client, event).json() == {"status": "received"}
    assert cache_asks == ["add"] and len(broker) == 1  # one ask for the burst, one task
    # The task claims after the key (the debounce) is gone: what was stored while it lived is in it.
    assert broker[0]["countdown"] > inbox.DEBOUNCE_SECONDS
    assert tasks.apply_inbox() == {"applied": 6}


def test_a_process_that_finds_a_task_queued_waits_for_its_end_before_asking_again(
    fake_stripe, client, broker, cache_asks, monkeypatch
):
    first, *others = _events(fake_stripe, 5)
    assert post_event(client, first).json() == {"status": "received"}  # another process's ask, say
    monkeypatch.setattr(inbox, "_asked_until", [0.0])  # this process has not asked yet
    for event in others:
        assert post_event(client, event).json() == {"status": "received"}
    assert cache_asks == ["add", "add", "get"] and len(broker) == 1  # refused once, then quiet
    assert tasks.apply_inbox() == {"applied": 5}
