"""Fixtures for outreach tests; the personas come from `quartier/testing.py`."""

from __future__ import annotations

from collections.abc import Callable

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
