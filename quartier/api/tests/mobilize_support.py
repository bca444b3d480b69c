"""Helpers of the Mobilize API's tests: fixtures for events and groups, and a client whose every
response is checked against the operation's schema in the generated OpenAPI document."""

from __future__ import annotations

from functools import cache
from typing import Any

import jsonschema_rs
from django.test import Client

from quartier.api.mobilize.api import api as mobilize_api
from quartier.organizing.tests import conftest as organizing_fixtures

BASE = "/api/mobilize/v1"
MONTREAL = organizing_fixtures.MONTREAL
make_event = organizing_fixtures.make_event  # organizing's fixtures, shared with these tests
make_group = organizing_fixtures.make_group
host = organizing_fixtures.host
leader = organizing_fixtures.leader
member = organizing_fixtures.member
group = organizing_fixtures.group


@cache
def document() -> dict:
    return mobilize_api.get_openapi_schema(path_prefix=BASE)


def operation_of(path: str) -> tuple[str, dict]:
    """The templated path and GET operation a concrete path (no query) belongs to."""
    parts = path.partition("?")[0].split("/")
    for template, item in document()["paths"].items():
        pattern = template.split("/")
        if (
            len(pattern) == len(parts)
            and "get" in item
            and all(want.startswith("{") or want == got for want, got in zip(pattern, parts, strict=True))
        ):
            return template, item["get"]
    raise AssertionError(f"no operation for {path}")


def assert_conforms(path: str, status: int, body: Any) -> None:
    """The response validates against the schema its operation documents for this status."""
    _template, operation = operation_of(path)
    responses = {str(code): response for code, response in operation["responses"].items()}
    assert str(status) in responses, f"{path} answered {status}, which its operation does not document"
    schema = responses[str(status)]["content"]["application/json"]["schema"]
    jsonschema_rs.Draft202012Validator({**schema, "components": document()["components"]}).validate(body)


class MobilizeClient:
    """GETs a Mobilize path (with a Bearer key if given) and checks the response against the schema."""

    def __init__(self, token: str | None = None) -> None:
        self.client = Client()
        self.token = token

    def get(self, path: str, query: dict | list | None = None, *, status: int = 200) -> dict:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        response = self.client.get(BASE + path, query or {}, headers=headers)
        body = response.json()
        assert response.status_code == status, body
        assert_conforms(BASE + path, response.status_code, body)
        if status == 200:
            assert "error" not in body
        else:
            assert body["data"] is None and body["error"]["detail"]
        return body
