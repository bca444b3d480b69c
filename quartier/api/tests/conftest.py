"""API test helpers: keys with chosen scopes and a client that sends them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from quartier.api.models import ApiKey

ALL_RESOURCES = ["people", "events", "donations", "fundraising_pages", "tags", "forms"]


class ApiClient:
    """A test client that sends a token (in the OSDI header unless told otherwise) and JSON bodies."""

    def __init__(self, token: str | None, *, bearer: bool = False) -> None:
        self.client = Client()
        self.token = token
        self.bearer = bearer

    def headers(self) -> dict[str, str]:
        if self.token is None:
            return {}
        if self.bearer:
            return {"Authorization": f"Bearer {self.token}"}
        return {"OSDI-API-Token": self.token}

    def get(self, path: str, **query: Any) -> Any:
        return self.client.get(path, query, headers=self.headers())

    def send(self, method: str, path: str, body: Any = None, *, raw: str | None = None) -> Any:
        data = raw if raw is not None else ("" if body is None else __import__("json").dumps(body))
        return getattr(self.client, method.lower())(
            path, data=data, content_type="application/json", headers=self.headers()
        )

    def post(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.send("POST", path, body, **kwargs)

    def put(self, path: str, body: Any = None, **kwargs: Any) -> Any:
        return self.send("PUT", path, body, **kwargs)

    def delete(self, path: str) -> Any:
        return self.send("DELETE", path)


@pytest.fixture
def make_key(db, staff) -> Callable[..., tuple[ApiKey, ApiClient]]:
    def make(*scopes: str, name: str = "Data team", bearer: bool = False) -> tuple[ApiKey, ApiClient]:
        key, token = ApiKey.issue(name=name, scopes=list(scopes), created_by=staff)
        return key, ApiClient(token, bearer=bearer)

    return make


@pytest.fixture
def full_key(make_key) -> tuple[ApiKey, ApiClient]:
    return make_key(*[f"{resource}:write" for resource in ALL_RESOURCES])


@pytest.fixture
def api(full_key) -> ApiClient:
    return full_key[1]


@pytest.fixture(autouse=True)
def _sandbox_donations(settings):
    settings.DONATIONS_GATEWAY = "sandbox"
    settings.DONATIONS_JURISDICTION = "none"
    settings.DONATIONS_CURRENCY = "CAD"
    settings.DONATIONS_ELECTION_YEAR = 0


@pytest.fixture(autouse=True)
def _counted_on_every_request(settings):
    """Totals counted afresh in most tests (`test_count_cache.py` checks the cached ones)."""
    settings.API_COUNT_CACHE_SECONDS = 0
