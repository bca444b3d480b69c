from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from quartier.api.models import ApiKey
from quartier.api.tests.conftest import ApiClient

ENTRY = "/api/osdi/v1/"
PEOPLE = "/api/osdi/v1/people"


def test_it_refuses_a_request_without_a_key_with_a_json_reason(db):
    response = ApiClient(None).get(PEOPLE)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json")
    assert "OSDI-API-Token" in response.json()["reason"]


def test_it_refuses_an_unknown_key(db):
    response = ApiClient("qk_not-a-real-token").get(PEOPLE)
    assert response.status_code == 401
    assert response.json()["error"] == "unauthorized"


def test_it_refuses_a_revoked_key_at_once(make_key):
    key, client = make_key("people:read")
    assert client.get(PEOPLE).status_code == 200
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())
    response = client.get(PEOPLE)
    assert response.status_code == 401
    assert response.json()["error"] == "revoked"


def test_it_accepts_the_token_as_a_bearer(make_key):
    _key, client = make_key("people:read", bearer=True)
    assert client.get(PEOPLE).status_code == 200


def test_it_refuses_a_key_scoped_to_another_resource(make_key):
    _key, client = make_key("tags:write")
    response = client.get(PEOPLE)
    assert response.status_code == 403
    assert response.json()["error"] == "scope"
    assert client.get("/api/osdi/v1/tags").status_code == 200


def test_a_read_scope_cannot_write(make_key):
    _key, client = make_key("tags:read")
    response = client.post("/api/osdi/v1/tags", {"name": "volunteer"})
    assert response.status_code == 403
    from quartier.api.models import Tag

    assert not Tag.objects.exists()


def test_it_notes_the_last_use_at_most_once_a_minute(make_key, django_assert_num_queries):
    key, client = make_key("tags:read")
    client.get("/api/osdi/v1/tags")
    key.refresh_from_db()
    first_use = key.last_used_at
    assert first_use is not None
    client.get("/api/osdi/v1/tags")
    key.refresh_from_db()
    assert key.last_used_at == first_use
    ApiKey.objects.filter(pk=key.pk).update(last_used_at=first_use - timedelta(minutes=2))
    client.get("/api/osdi/v1/tags")
    key.refresh_from_db()
    assert key.last_used_at > first_use - timedelta(minutes=2)


def test_the_entry_point_links_every_collection(api):
    response = api.get(ENTRY)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/hal+json")
    body = response.json()
    assert body["vendor_name"] == "Quartier"
    assert body["osdi_version"]
    assert body["namespace"] == "quartier"
    assert body["max_pagesize"] >= 25
    assert body["motd"]
    for rel in ["people", "events", "donations", "fundraising_pages", "tags", "forms"]:
        assert body["_links"][f"osdi:{rel}"]["href"].endswith(f"/api/osdi/v1/{rel}")
    assert body["_links"]["curies"][0]["name"] == "osdi"


def test_an_unknown_path_under_the_api_is_a_json_404(api):
    response = api.get("/api/osdi/v1/nothing-here/at-all")
    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")


def test_a_wrong_method_is_a_json_405(api):
    response = api.send("PATCH", "/api/osdi/v1/tags")
    assert response.status_code == 405
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["error"] == "method_not_allowed"


def test_a_body_that_is_not_json_is_a_json_4xx(api):
    response = api.post("/api/osdi/v1/tags", raw="{not json")
    assert 400 <= response.status_code < 500
    assert response["Content-Type"].startswith("application/json")
    assert response.json()["reason"]
