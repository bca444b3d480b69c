"""The OSDI document says what the code enforces: typed parameters, filter patterns the parser reads,
and the people listing's `modified_date` filter asked of indexed columns."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quartier.accounts.models import Supporter
from quartier.api.models import PersonDetails
from quartier.api.osdi import people
from quartier.api.osdi.filters import parse_filter
from quartier.api.osdi.params import ID_PATTERN, filter_pattern

BASE = "/api/osdi/v1/"
PEOPLE_PATTERN = filter_pattern(people.FILTER_FIELDS)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.from_regex(PEOPLE_PATTERN))
def test_every_filter_the_document_allows_is_read(text):
    parse_filter(text, people.FILTER_FIELDS)  # raises FilterError otherwise


@pytest.mark.parametrize("text", ["modified_date gt '2026-02-30'", "given_name eq x", "(", "nonsense eq 'x'"])
def test_filters_the_parser_refuses_are_outside_the_document(text):
    assert re.search(PEOPLE_PATTERN, text) is None


def test_the_document_types_ids_paging_and_filters(api):
    document = api.get("/api/docs/osdi/openapi.json").json()
    parameters = {p["name"]: p for p in document["paths"][BASE + "people/{person_id}"]["get"]["parameters"]}
    assert parameters["person_id"]["schema"]["pattern"] == ID_PATTERN
    listing = {p["name"]: p["schema"] for p in document["paths"][BASE + "people"]["get"]["parameters"]}
    assert listing["page"]["anyOf"][0]["minimum"] == 1
    assert listing["filter"]["anyOf"][0]["pattern"] == PEOPLE_PATTERN
    assert document["components"]["securitySchemes"]["ApiKeyAuth"]["name"] == "OSDI-API-Token"


def test_an_id_outside_the_documented_pattern_is_not_found(api, supporter):
    assert api.get(f"{BASE}people/quartier:{supporter.pk}").status_code == 200
    for outside in ["not-an-id", "\u0663", f"quartier:{supporter.pk}x", "quartier:"]:
        assert api.get(BASE + "people/" + outside).status_code == 404


def test_json_types_are_strict_and_dates_carry_their_offset(api, supporter):
    event = {"title": "Canvass", "start_date": "2099-05-01T18:00:00Z", "end_date": "2099-05-01T20:00:00Z"}
    assert api.post(BASE + "events", event).status_code == 201
    for wrong in [{"start_date": 4102444800}, {"start_date": "2099-05-01T18:00:00"}, {"capacity": "5"}]:
        assert api.post(BASE + "events", event | wrong).status_code == 422
    tag = api.post(BASE + "tags", {"name": "volunteer"}).json()["identifiers"][0].removeprefix("quartier:")
    named_by_null = {"person_identifier": None, "email_address": supporter.email}
    assert api.post(f"{BASE}tags/{tag}/taggings", named_by_null).status_code == 422
    assert api.post(f"{BASE}tags/{tag}/taggings", {"email_address": "nobody@example.org"}).status_code == 409


@pytest.mark.django_db
def test_modified_date_is_the_latest_of_joining_and_api_changes(make_supporter):
    old = datetime(2020, 1, 1, tzinfo=UTC)
    joined_only, changed_later, untouched = (
        make_supporter(name) for name in ("Joined", "Changed", "Untouched")
    )
    Supporter.objects.filter(pk__in=[changed_later.pk, untouched.pk]).update(date_joined=old)
    Supporter.objects.filter(pk=joined_only.pk).update(date_joined=old + timedelta(days=400))
    PersonDetails.objects.create(supporter=changed_later, modified_at=old + timedelta(days=400))
    PersonDetails.objects.create(supporter=untouched, modified_at=old)

    def found(text: str) -> set[int]:
        return set(
            people.people().filter(parse_filter(text, people.FILTER_FIELDS)).values_list("pk", flat=True)
        )

    after = found("modified_date gt '2020-06-01'")
    before = found("modified_date le '2020-06-01'")
    assert {joined_only.pk, changed_later.pk} <= after and untouched.pk not in after
    assert untouched.pk in before and not {joined_only.pk, changed_later.pk} & before
