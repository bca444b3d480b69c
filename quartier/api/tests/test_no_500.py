"""No input makes the OSDI API answer 500 or HTML: hostile JSON bodies on every write, hostile queries."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quartier.api.tests.resources import make_event, make_page

HOSTILE_TEXT = st.sampled_from(
    [
        "",
        " ",
        "\x00",
        "nul\x00byte",
        "9" * 30,
        "-1",
        "1e309",
        "nan",
        "9999-12-31T23:59:59Z",
        "0000-00-00",
        "<script>",
        "é" * 300,
        "x" * 5000,
        "quartier:",
        "'",
        "()",
        "a@b",
        "😀",
    ]
)
JSON = st.recursive(
    st.none() | st.booleans() | st.integers(-(10**20), 10**20) | st.floats(allow_nan=False) | HOSTILE_TEXT,
    lambda children: st.lists(children, max_size=3) | st.dictionaries(HOSTILE_TEXT, children, max_size=3),
    max_leaves=8,
)
PERSON_KEYS = [
    "given_name",
    "family_name",
    "email_addresses",
    "phone_numbers",
    "postal_addresses",
    "custom_fields",
]


def person_like():
    email = st.fixed_dictionaries(
        {"address": HOSTILE_TEXT | st.just("ok@example.org")}, optional={"status": JSON}
    )
    return st.fixed_dictionaries(
        {"email_addresses": st.lists(email, max_size=2)},
        optional=dict.fromkeys(PERSON_KEYS[:2] + PERSON_KEYS[3:], JSON),
    )


@pytest.fixture
def targets(staff) -> dict[str, str]:
    event = make_event(staff, 1)
    page = make_page(staff, 1)
    return {
        "people": "people",
        "signup": "people/person_signup_helper",
        "events": "events",
        "attendance": f"events/{event.pk}/record_attendance_helper",
        "donations": "donations",
        "page_donation": f"fundraising_pages/{page.pk}/record_donation_helper",
        "pages": "fundraising_pages",
        "tags": "tags",
        "forms": "forms",
    }


@settings(max_examples=60, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    target=st.sampled_from(["people", "signup", "events", "attendance", "donations", "page_donation", "pages", "tags", "forms"]),
    body=st.one_of(
        JSON,
        st.fixed_dictionaries({"person": person_like()}, optional={"add_tags": JSON, "donation": JSON}),
        st.fixed_dictionaries({}, optional={"title": JSON, "start_date": JSON, "end_date": JSON, "goal": JSON,
                                            "name": JSON, "capacity": JSON, "location": JSON}),
    ),
)  # fmt: skip
def test_no_body_makes_a_write_answer_500(api, targets, target, body):
    response = api.post("/api/osdi/v1/" + targets[target], body)
    assert response.status_code < 500, response.content[:300]
    assert response["Content-Type"].startswith(("application/json", "application/hal+json"))


@settings(max_examples=40, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    collection=st.sampled_from(["people", "events", "donations", "fundraising_pages", "tags", "forms"]),
    page=HOSTILE_TEXT, per_page=HOSTILE_TEXT, filter_text=HOSTILE_TEXT | st.text(max_size=60),
)  # fmt: skip
def test_no_query_makes_a_list_answer_500(api, collection, page, per_page, filter_text):
    response = api.get("/api/osdi/v1/" + collection, page=page, per_page=per_page, filter=filter_text)
    assert response.status_code < 500, response.content[:300]
    assert response["Content-Type"].startswith(("application/json", "application/hal+json"))


def test_the_openapi_document_is_served(api):
    response = api.get("/api/osdi/v1/openapi.json")
    assert response.status_code == 200
    assert "/api/osdi/v1/people" in response.json()["paths"]
