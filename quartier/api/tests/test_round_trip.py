"""The round trip of issue 25: import a CSV, read it back through the OSDI people API, export it,
and find the same people with the same details at each step."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from quartier.api.tests.people_files import import_text
from quartier.testing import client_for

SOURCE = (
    "email,first_name,last_name,phone,postal_code,tags\n"
    "ana.silva@example.org,Ana,Silva,514 872 0311,H2X 1Y4,volunteer\n"
    "ben.cote@example.org,Ben,Côté,,H3A 1A1,volunteer;donor\n"
    "chloe.dion@example.org,Chloé,Dion,+1 418 641 6290,G1R 4S9,\n"
)


def _osdi_people(api) -> dict[str, dict]:
    found: dict[str, dict] = {}
    page = 1
    while True:
        body = api.get("/api/osdi/v1/people", page=page, per_page=25).json()
        people = body["_embedded"]["osdi:people"]
        if not people:
            return found
        for person in people:
            found[person["email_addresses"][0]["address"]] = person
        page += 1


def test_a_csv_comes_back_the_same_through_the_api_and_the_export(staff, make_key):
    job = import_text(SOURCE, by=staff, tags=["round-trip"])
    assert (job.status, job.created_count, job.problem_count) == ("done", 3, 0)
    source = {row["email"]: row for row in csv.DictReader(io.StringIO(SOURCE))}

    _key, api = make_key("people:read")
    through_api = _osdi_people(api)
    response = client_for(staff).get(reverse("api:exports"), {"what": "people", "file_format": "csv"})
    exported = {
        row["email"]: row
        for row in csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode()))
    }

    for email, row in source.items():
        person = through_api[email]
        assert (person["given_name"], person["family_name"]) == (row["first_name"], row["last_name"])
        assert person["postal_addresses"][0]["postal_code"] == row["postal_code"]
        assert person["email_addresses"][0]["status"] == "unsubscribed"  # an import ticks no consent
        api_numbers = [phone["number"] for phone in person["phone_numbers"]]
        out = exported[email]
        assert out["name"] == f"{row['first_name']} {row['last_name']}"
        assert out["postal_code"] == row["postal_code"]
        assert out["campaign_news_consent"] == ""
        assert out["identifier"] in person["identifiers"]
        assert (out["phone_numbers"].split(";") if out["phone_numbers"] else []) == api_numbers
        assert bool(api_numbers) == bool(row["phone"])
        expected_tags = sorted({"round-trip", *filter(None, row["tags"].split(";"))})
        assert out["tags"].split(";") == expected_tags
