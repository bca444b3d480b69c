"""Fixtures for outreach tests; the personas come from `quartier/testing.py`."""

from __future__ import annotations

import email
import email.message
import email.policy
import socket
from collections.abc import Callable, Iterator

import pytest

from quartier.accounts.models import Supporter
from quartier.celery import app as celery_app
from quartier.outreach.tests.helpers import consent


@pytest.fixture(autouse=True)
def _eager_celery():
    """Tasks run in the test process whatever REDIS_URL says, and their errors surface."""
    previous = celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates
    celery_app.conf.task_always_eager = True
    celery_app.conf.task_eager_propagates = True
    yield
    celery_app.conf.task_always_eager, celery_app.conf.task_eager_propagates = previous


@pytest.fixture
def members(make_supporter) -> Callable[..., list[Supporter]]:
    """`members(3)`: that many verified supporters who consented to the test group."""

    def make(count: int, **fields: object) -> list[Supporter]:
        people = [make_supporter(f"Member {number}", **fields) for number in range(count)]
        for person in people:
            consent(person)
        return people

    return make


class Sink:
    """What a real SMTP server (aiosmtpd) received, parsed on arrival."""

    def __init__(self) -> None:
        self.messages: list[email.message.EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []

    async def handle_DATA(self, server, session, envelope) -> str:
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [message for message in self.messages if address in message["To"]]


@pytest.fixture
def smtp_sink(settings) -> Iterator[Sink]:
    """Django's SMTP backend pointed at an aiosmtpd server on a free local port."""
    from aiosmtpd.controller import Controller

    sink = Sink()
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield sink
    finally:
        controller.stop()
