"""Row ids in addresses: every route of the project takes them through the `id` converter, so a number
no database row can have (past 2**63 - 1) is a 404 on every page, never an OverflowError (SQLite) or a
500 (issue 17, point 13: `/messages/99999999999999999999/`)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.converters import IntConverter
from django.urls.exceptions import Resolver404

from quartier.lib.ids import MAX_ID, IdConverter, parse_id
from quartier.testing import client_for

CONVERTER = re.compile(r"<(?:(?P<kind>[^>:]+):)?(?P<name>[^>]+)>")
SAMPLES = {"slug": "x", "str": "x", "path": "x", "uuid": "00000000-0000-0000-0000-000000000000"}


def quartier_routes(resolver: URLResolver | None = None, prefix: str = "") -> Iterator[tuple[str, object]]:
    """(route, pattern) of every route whose view belongs to the project (not the admin or allauth)."""
    for entry in (resolver or get_resolver()).url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from quartier_routes(entry, route)
        elif isinstance(entry, URLPattern) and _belongs_to_quartier(entry):
            yield route, entry


def _belongs_to_quartier(entry: URLPattern) -> bool:
    callback = entry.callback
    module = getattr(callback, "__module__", "") or type(callback).__module__
    return module.startswith("quartier.")


def id_routes() -> list[str]:
    return sorted({route for route, _entry in quartier_routes() if "<id:" in route})


def fill(route: str, row_id: str) -> str:
    def value(match: re.Match) -> str:
        kind = match["kind"] or "str"
        return row_id if kind == "id" else SAMPLES[kind]

    return "/" + CONVERTER.sub(value, route).lstrip("^").rstrip("$")


def test_no_route_of_the_project_takes_an_unbounded_int():
    found = []
    for route, entry in quartier_routes():
        converters = entry.pattern.converters if hasattr(entry.pattern, "converters") else {}
        found += [
            f"{route} ({name})"
            for name, converter in converters.items()
            if isinstance(converter, IntConverter)
        ]
    assert found == []
    assert len(id_routes()) > 40  # the walk reaches every app's routes


@pytest.mark.parametrize("route", id_routes())
def test_a_number_no_row_can_have_is_no_route(route):
    for too_big in (str(MAX_ID + 1), "9" * 20, "9" * 40):
        with pytest.raises(Resolver404):
            resolve(fill(route, too_big))
    assert resolve(fill(route, str(MAX_ID))).kwargs  # the largest row id still reaches the view


@pytest.mark.django_db
@pytest.mark.parametrize("route", id_routes())
def test_no_page_answers_500_to_the_largest_ids(route, supporter, staff):
    for persona in (None, supporter, staff):
        client = client_for(persona)
        client.raise_request_exception = True
        for row_id in (str(MAX_ID), "9" * 20):
            for method in (client.get, client.post):
                response = method(fill(route, row_id))
                assert response.status_code < 500, (route, row_id)


def test_parse_id_reads_row_ids_only():
    assert [parse_id(value) for value in ("1", "42", str(MAX_ID))] == [1, 42, MAX_ID]
    bad = ("", "0", "-1", "+1", " 1", "1.0", "١٢", "²", str(MAX_ID + 1), "9" * 20, None, "x", "0x1")
    assert [parse_id(value) for value in bad] == [None] * len(bad)
    with pytest.raises(ValueError):
        IdConverter().to_python(str(MAX_ID + 1))


@pytest.mark.django_db
def test_ids_in_query_strings_and_report_addresses_are_bounded_too(supporter):
    client = client_for(supporter)
    client.raise_request_exception = True
    for kind in ("post", "comment", "message", "profile"):
        for row_id in (str(MAX_ID), str(MAX_ID + 1), "9" * 20):
            assert client.get(f"/report/{kind}/{row_id}/").status_code == 404
    # The probe's address: a signed-in supporter's conversation lookup (by foreign key) overflowed.
    for row_id in (str(MAX_ID + 1), "9" * 20):
        assert client.get(f"/messages/{row_id}/").status_code == 404
