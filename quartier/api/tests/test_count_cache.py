from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from quartier.api.models import Tag


def test_a_list_total_is_counted_once_then_kept_for_a_while(api, settings):
    settings.API_COUNT_CACHE_SECONDS = 60
    Tag.objects.create(name="a")
    assert api.get("/api/osdi/v1/tags").json()["total_records"] == 1
    Tag.objects.create(name="b")
    with CaptureQueriesContext(connection) as queries:
        body = api.get("/api/osdi/v1/tags").json()
    assert not any("COUNT(" in query["sql"].upper() for query in queries.captured_queries)
    assert body["total_records"] == 1  # kept: the documented lag
    filtered = api.get("/api/osdi/v1/tags", filter="name eq 'b'").json()
    assert filtered["total_records"] == 1  # another filter, another count


def test_with_no_cache_every_total_is_fresh(api, settings):
    settings.API_COUNT_CACHE_SECONDS = 0
    Tag.objects.create(name="a")
    api.get("/api/osdi/v1/tags")
    Tag.objects.create(name="b")
    assert api.get("/api/osdi/v1/tags").json()["total_records"] == 2
