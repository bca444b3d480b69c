"""CiviCRM-style conformance: the same checks run on every OSDI resource (`resources.RESOURCES`)."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quartier.api.models import Tag
from quartier.api.osdi import hal
from quartier.api.tests.resources import RESOURCES, Resource

BASE = "/api/osdi/v1/"

resource_params = pytest.mark.parametrize("resource", RESOURCES, ids=[r.name for r in RESOURCES])


NUMBERS = itertools.count()


def rows(resource: Resource, staff, count: int) -> list:
    return [resource.make(staff, next(NUMBERS)) for _ in range(count)]


def embedded(body: dict, resource: Resource) -> list[dict]:
    return body["_embedded"][f"osdi:{resource.name}"]


@resource_params
def test_it_lists_in_hal_with_paging_fields(resource, api, staff):
    made = rows(resource, staff, 3)
    response = api.get(BASE + resource.name)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/hal+json")
    body = response.json()
    assert body["total_records"] >= len(made)
    items = embedded(body, resource)
    assert body["total_records"] == len(items)
    assert body["page"] == 1
    assert body["per_page"] == 25
    assert body["total_pages"] == 1
    assert body["_links"]["self"]["href"].startswith("http")
    assert body["_links"]["curies"][0]["name"] == "osdi"
    assert len(body["_links"][f"osdi:{resource.name}"]) == len(items)
    for item in items:
        assert item["identifiers"][0].startswith("quartier:")
        assert item["created_date"].endswith("Z")
        assert item["modified_date"].endswith("Z")
        assert item["_links"]["self"]["href"].endswith(f"/{resource.name}/{item['identifiers'][0][9:]}")


@resource_params
def test_it_reads_one_and_answers_a_json_404_for_an_unknown_one(resource, api, staff):
    row = rows(resource, staff, 1)[0]
    response = api.get(f"{BASE}{resource.name}/{row.pk}")
    assert response.status_code == 200
    assert response.json()["identifiers"] == [f"quartier:{row.pk}"]
    assert api.get(f"{BASE}{resource.name}/quartier:{row.pk}").status_code == 200
    for missing in [str(row.pk + 1000), "abc", "quartier:x", "9" * 40]:
        refused = api.get(f"{BASE}{resource.name}/{missing}")
        assert refused.status_code == 404
        assert refused["Content-Type"].startswith("application/json")
        assert refused.json()["reason"]


@resource_params
def test_it_creates_where_the_spec_allows_and_reads_it_back(resource, api, staff):
    assert resource.create is not None
    response = api.post(BASE + resource.name, resource.create)
    assert response.status_code == 201, response.content
    identifier = response.json()["identifiers"][0].removeprefix("quartier:")
    assert api.get(f"{BASE}{resource.name}/{identifier}").status_code == 200


@resource_params
def test_it_updates_with_put_or_refuses_the_method_as_json(resource, api, staff):
    row = rows(resource, staff, 1)[0]
    if resource.update is None:
        response = api.put(f"{BASE}{resource.name}/{row.pk}", {"amount": "1.00"})
        assert response.status_code == 405
        assert response["Content-Type"].startswith("application/json")
        return
    response = api.put(f"{BASE}{resource.name}/{row.pk}", resource.update)
    assert response.status_code == 200, response.content
    name, value = resource.updated_field
    assert response.json()[name] == value
    assert api.get(f"{BASE}{resource.name}/{row.pk}").json()[name] == value


@resource_params
def test_paging_walks_every_page_and_past_the_end_is_an_empty_200(resource, api, staff):
    rows(resource, staff, 5)
    total = api.get(BASE + resource.name).json()["total_records"]
    first = api.get(BASE + resource.name, per_page=2).json()
    assert first["total_pages"] == (total + 1) // 2
    assert len(embedded(first, resource)) == 2
    assert "previous" not in first["_links"]
    seen = []
    page = first
    while True:
        seen += [item["identifiers"][0] for item in embedded(page, resource)]
        if "next" not in page["_links"]:
            break
        page = api.client.get(page["_links"]["next"]["href"], headers=api.headers()).json()
        assert "previous" in page["_links"]
    assert len(seen) == len(set(seen)) == total
    past = api.get(BASE + resource.name, page=99, per_page=2)
    assert past.status_code == 200
    assert embedded(past.json(), resource) == []
    assert past.json()["total_records"] == total


@resource_params
def test_deep_pages_found_by_their_keys_first_hold_the_same_rows_in_the_same_order(
    resource, api, staff, monkeypatch
):
    rows(resource, staff, 5)

    def walk() -> list[str]:
        total_pages = api.get(BASE + resource.name, per_page=2).json()["total_pages"]
        return [
            item["identifiers"][0]
            for number in range(1, total_pages + 1)
            for item in embedded(api.get(BASE + resource.name, page=number, per_page=2).json(), resource)
        ]

    shallow = walk()
    assert len(shallow) == len(set(shallow)) >= 5
    monkeypatch.setattr(hal, "DEEP_OFFSET", 1)  # every page past the first is "deep"
    for every in (1, 2, 3, 1000):  # anchors on page boundaries, between them, and only the first row
        monkeypatch.setattr(hal, "ANCHOR_EVERY", every)
        assert walk() == shallow, every


def test_deep_page_anchors_outlive_new_rows_and_are_taken_again_after_a_removal(db, settings, monkeypatch):
    settings.API_COUNT_CACHE_SECONDS = 10
    monkeypatch.setattr(hal, "ANCHOR_EVERY", 2)
    clock = [1_000_000.0]
    monkeypatch.setattr(hal.time, "time", lambda: clock[0])
    Tag.objects.bulk_create(Tag(name=f"anchor-{number}") for number in range(7))
    queryset = Tag.objects.order_by("pk")
    keys = list(queryset.values_list("pk", flat=True))

    def anchors() -> tuple[list[int], int]:
        with CaptureQueriesContext(connection) as queries:
            found = hal.anchors_of(queryset)
        return found, len(queries)

    assert anchors() == (keys[::2], 1)  # one scan of the keys
    assert anchors() == (keys[::2], 0)  # then the cache
    Tag.objects.create(name="anchor-new")
    clock[0] += 11
    assert anchors() == (keys[::2], 1)  # a count checks them: rows added after them leave them right
    assert anchors() == (keys[::2], 0)
    queryset.filter(pk=keys[0]).delete()
    assert anchors() == (keys[::2], 0)  # for up to API_COUNT_CACHE_SECONDS, as the total
    clock[0] += 11
    rest = list(queryset.values_list("pk", flat=True))
    assert anchors() == (rest[::2], 2)  # the check fails: taken again


@resource_params
def test_per_page_is_capped_at_max_pagesize(resource, api, staff, settings):
    settings.API_MAX_PAGE_SIZE = 2
    rows(resource, staff, 3)
    body = api.get(BASE + resource.name, per_page=500).json()
    assert body["per_page"] == 2
    assert len(embedded(body, resource)) == 2


@resource_params
def test_it_filters_on_modified_date(resource, api, staff):
    rows(resource, staff, 2)
    total = api.get(BASE + resource.name).json()["total_records"]
    assert total >= 2
    future = api.get(BASE + resource.name, filter="modified_date gt '2999-01-01'").json()
    assert future["total_records"] == 0
    past = api.get(
        BASE + resource.name,
        filter="(modified_date ge '2000-01-01T00:00:00Z') and created_date lt '2999-01-01'",
    )
    assert past.json()["total_records"] == total
    either = api.get(
        BASE + resource.name, filter="modified_date lt '2000-01-01' or modified_date gt '2000-01-01'"
    )
    assert either.json()["total_records"] == total


@resource_params
def test_a_filter_it_cannot_read_is_a_json_400_with_a_reason(resource, api, staff):
    for bad in ["modified_date gt", "nonsense eq 'x'", "modified_date zz '2020-01-01'",
                "modified_date gt 'yesterday'", "(modified_date gt '2020-01-01'", "'x' eq 'x'", "(" * 30]:  # fmt: skip
        response = api.get(BASE + resource.name, filter=bad)
        assert response.status_code == 400, bad
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["error"] == "bad_filter"
        assert response.json()["reason"]


@resource_params
def test_bad_input_is_a_json_4xx_and_writes_nothing(resource, api, staff):
    rows(resource, staff, 1)
    before = api.get(BASE + resource.name).json()["total_records"]
    for body in [resource.invalid, [1, 2], "text"]:
        response = api.post(BASE + resource.name, body)
        assert 400 <= response.status_code < 500, (body, response.content)
        assert response["Content-Type"].startswith("application/json")
        assert response.json()["reason"]
    for query in [{"page": "abc"}, {"page": 0}, {"per_page": 0}, {"per_page": "-1"}, {"page": "9" * 30}]:
        response = api.get(BASE + resource.name, **query)
        assert 400 <= response.status_code < 500, query
        assert response["Content-Type"].startswith("application/json")
    assert api.get(BASE + resource.name).json()["total_records"] == before


@resource_params
def test_a_key_without_the_scope_reads_and_writes_nothing(resource, make_key, staff):
    row = rows(resource, staff, 1)[0]
    other = "tags" if resource.name != "tags" else "events"
    _key, client = make_key(f"{other}:write")
    for response in [
        client.get(BASE + resource.name),
        client.get(f"{BASE}{resource.name}/{row.pk}"),
        client.post(BASE + resource.name, resource.create),
    ]:
        assert response.status_code == 403
        assert response.json()["error"] == "scope"
    _key, reader = make_key(f"{resource.name}:read")
    assert reader.get(BASE + resource.name).status_code == 200
    assert reader.post(BASE + resource.name, resource.create).status_code == 403


@resource_params
def test_a_list_page_costs_the_same_queries_for_few_or_many_rows(resource, api, staff):
    rows(resource, staff, 2)
    api.get(BASE + resource.name)  # the key's last use is written once: not counted below
    with CaptureQueriesContext(connection) as few:
        assert api.get(BASE + resource.name).status_code == 200
    rows(resource, staff, 6)
    with CaptureQueriesContext(connection) as many:
        assert api.get(BASE + resource.name).status_code == 200
    assert len(many) == len(few)
    assert len(few) <= 4  # the key, the count, the page (and a savepoint-free read)
