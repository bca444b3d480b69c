from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quartier.api.models import ApiKey
from quartier.api.models.keys import hash_token
from quartier.testing import client_for, repeated_ids

KEYS = "/staff/api-keys/"
FORM = {"name": "Data team", "scope_people": "read", "scope_tags": "write", "scope_events": ""}


def test_staff_create_a_key_and_see_its_token_once(staff):
    client = client_for(staff)
    response = client.post(KEYS, FORM)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    key = ApiKey.objects.get()
    token = re.search(r'value="(qk_[^"]+)"', response.content.decode()).group(1)
    assert key.token_hash == hash_token(token)
    assert key.scopes == ["people:read", "tags:write"]
    assert key.created_by == staff
    again = client.get(KEYS).content.decode()
    assert token not in again
    assert key.prefix in again
    assert not repeated_ids(again)


@pytest.mark.parametrize(
    "persona", ["anonymous", "unverified", "supporter", "other_supporter"], indirect=True
)
def test_nobody_but_staff_sees_creates_or_revokes_keys(persona, staff):
    _name, who = persona
    key, _token = ApiKey.issue(name="Existing", scopes=["people:read"], created_by=staff)
    client = client_for(who)
    assert client.get(KEYS).status_code in {302, 404}
    assert client.post(KEYS, FORM).status_code in {302, 404}
    assert client.post(reverse("api:revoke_key", args=[key.pk])).status_code in {302, 404}
    key.refresh_from_db()
    assert key.revoked_at is None
    assert ApiKey.objects.count() == 1


def test_staff_revoke_a_key_and_it_stops_working_at_once(staff):
    key, token = ApiKey.issue(name="Old tool", scopes=["tags:read"], created_by=staff)
    assert Client().get("/api/osdi/v1/tags", headers={"OSDI-API-Token": token}).status_code == 200
    response = client_for(staff).post(reverse("api:revoke_key", args=[key.pk]))
    assert response.status_code == 302
    key.refresh_from_db()
    assert key.revoked_at is not None
    assert Client().get("/api/osdi/v1/tags", headers={"OSDI-API-Token": token}).status_code == 401
    assert "Revoked" in client_for(staff).get(KEYS).content.decode()


def test_the_page_shows_when_each_key_was_last_used(staff):
    _key, token = ApiKey.issue(name="Parsons", scopes=["tags:read"], created_by=staff)
    assert "Never" in client_for(staff).get(KEYS).content.decode()
    Client().get("/api/osdi/v1/tags", headers={"OSDI-API-Token": token})
    page = client_for(staff).get(KEYS).content.decode()
    assert "Never" not in page


def test_the_empty_page_says_what_to_do_next(staff):
    page = client_for(staff).get(KEYS).content.decode()
    assert "No key yet" in page


def test_a_form_without_any_access_or_name_re_renders_with_a_reason_and_creates_nothing(staff):
    response = client_for(staff).post(KEYS, {"name": "  ", "scope_people": ""})
    assert response.status_code == 400
    assert "error-summary" in response.content.decode()
    response = client_for(staff).post(KEYS, {"name": "Kept name", "scope_people": ""})
    assert response.status_code == 400
    assert 'value="Kept name"' in response.content.decode()
    assert not ApiKey.objects.exists()


def test_the_page_is_in_french_for_french_staff(staff):
    staff.language = "fr"
    staff.save(update_fields=["language"])
    page = client_for(staff).get(KEYS, headers={"Accept-Language": "fr"}).content.decode()
    assert "Clés d’API" in page
    assert "Créer une clé" in page


@settings(max_examples=25, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    name=st.text(max_size=300),
    level=st.sampled_from(["", "read", "write", "admin", "\x00", "9" * 50]),
)
def test_no_input_makes_the_key_form_answer_500(staff, name, level):
    response = client_for(staff).post(KEYS, {"name": name, "scope_people": level, "scope_forms": level})
    assert response.status_code in {200, 400}


def test_staff_find_the_keys_page_in_the_menu(staff, supporter):
    assert KEYS in client_for(staff).get("/").content.decode()
    assert KEYS not in client_for(supporter).get("/").content.decode()
