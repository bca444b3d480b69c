"""Shared personas and helpers for every test (loaded as a pytest plugin by the root conftest).

Personas: `anonymous` (a client with nobody signed in), `unverified` (signed up, email not yet
confirmed), `supporter` and `other_supporter` (verified), `staff` (a verified organiser with TOTP).
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from collections.abc import Callable

import pytest
from allauth.account.models import EmailAddress
from django.db import OperationalError, connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from quartier.accounts import actions
from quartier.accounts.models import Affiliation, Supporter

TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PASSWORD = "correct horse battery staple"


@pytest.fixture(autouse=True)
def _fast_hashing_and_clean_cache(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_STORAGE_ROOT = tmp_path / "private"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.PAGE_CACHE_SETTLE_SECONDS = 0  # one clock: a page renders after the bump it follows
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def make_supporter(db) -> Callable[..., Supporter]:
    """Create a supporter the way sign-up does, verified unless told otherwise."""
    counter = iter(range(1, 10_000))

    def make(
        name: str = "Marie Tremblay",
        *,
        email: str | None = None,
        verified: bool = True,
        staff: bool = False,
        country: str = "CA",
        postal_code: str = "H2X 1Y4",
        language: str = "en",
        affiliation: str = Affiliation.NONE,
    ) -> Supporter:
        number = next(counter)
        email = email or f"person{number}-{os.getpid()}@example.org"
        supporter = Supporter(email=email, is_staff=staff, affiliation=affiliation)
        supporter.set_password(PASSWORD)
        actions.complete_signup(
            supporter=supporter,
            display_name=name,
            country=country,
            postal_code=postal_code,
            language=language,
            news_consent=False,
            consent_wording="No thanks",
            ip_address="127.0.0.1",
        )
        EmailAddress.objects.create(user=supporter, email=email, primary=True, verified=verified)
        if verified:
            supporter.email_verified_at = timezone.now()
            supporter.save(update_fields=["email_verified_at"])
        return supporter

    return make


@pytest.fixture
def unverified(make_supporter) -> Supporter:
    return make_supporter("Hugo Unverified", verified=False)


@pytest.fixture
def supporter(make_supporter) -> Supporter:
    return make_supporter("Marie Tremblay")


@pytest.fixture
def other_supporter(make_supporter) -> Supporter:
    return make_supporter("Sam Wilson", postal_code="M5V 2T6")


@pytest.fixture
def staff(make_supporter) -> Supporter:
    from allauth.mfa.totp.internal.auth import TOTP

    organiser = make_supporter("Camille Roy", staff=True, affiliation=Affiliation.STAFF)
    TOTP.activate(organiser, TOTP_SECRET)
    return organiser


def client_for(supporter: Supporter | None) -> Client:
    client = Client()
    if supporter is not None:
        client.force_login(supporter)
    return client


@pytest.fixture
def anonymous() -> None:
    return None


PERSONAS = ["anonymous", "unverified", "supporter", "other_supporter", "staff"]


@pytest.fixture(params=PERSONAS)
def persona(request) -> tuple[str, Supporter | None]:
    """Parametrises a test over every persona: (name, supporter or None)."""
    return request.param, request.getfixturevalue(request.param)


def reauthenticate(client: Client, password: str = PASSWORD) -> None:
    """Confirm the password as allauth asks before sensitive actions (delete account, change email)."""
    response = client.post(reverse("account_reauthenticate"), {"password": password})
    assert response.status_code == 302, response.content.decode()[:500]


def run_together(jobs: list[Callable[[], object]]) -> list[object]:
    """Run each job in its own thread (own database connection), all released at once, for races.

    Returns what each job returned, or `"error: …"`; PostgreSQL's connection limit is waited out.
    Use from `django_db(transaction=True)` tests.
    """
    barrier = threading.Barrier(len(jobs))
    outcomes: list[str] = []
    lock = threading.Lock()

    def run(job) -> None:
        # Connected before the start, so that the jobs really overlap. A thread the server refuses
        # still reaches the barrier (and connects when its job runs): none waits there forever.
        try:
            connection.ensure_connection()
        except OperationalError:
            connection.close()
        with contextlib.suppress(threading.BrokenBarrierError):  # a thread timed out: run anyway
            barrier.wait(timeout=120)
        for _retry in range(50):
            try:
                outcome = job()
            except OperationalError as error:
                connection.close()
                if "too many clients" in str(error):
                    time.sleep(0.05)  # PostgreSQL's connection limit, not the code under test
                    continue
                outcome = f"error: {error!r}"
            except Exception as error:  # the assertions show what went wrong
                outcome = f"error: {error!r}"
            with lock:
                outcomes.append(outcome)
            connection.close()
            return

    connection.close()
    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def repeated_ids(html: str) -> list[str]:
    """The id attributes a page uses more than once (a label, a link or ARIA then points at the wrong
    element)."""
    from collections import Counter
    from html.parser import HTMLParser

    ids: Counter[str] = Counter()

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            ids.update(value for name, value in attrs if name == "id")

    Parser().feed(html)
    return sorted(name for name, count in ids.items() if count > 1)


@pytest.fixture
def sent_texts():
    """The sandbox SMS gateway's outbox (`(to, body)` pairs), emptied before and after the test."""
    from quartier.outreach.sms import SANDBOX_OUTBOX

    SANDBOX_OUTBOX.clear()
    yield SANDBOX_OUTBOX
    SANDBOX_OUTBOX.clear()
