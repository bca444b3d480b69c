"""The OSDI helpers and writes: merge rules, idempotency, and the domain rules they go through."""

from __future__ import annotations

import pytest

from quartier.accounts.models import CAMPAIGN_NEWS, Consent, Supporter
from quartier.api.models import Form, PersonDetails, Submission, Tag, Tagging
from quartier.api.tests.resources import make_event, make_page
from quartier.donations.models import Donation, FundraisingPage
from quartier.organizing.models import Rsvp

BASE = "/api/osdi/v1/"
SIGNUP = BASE + "people/person_signup_helper"


def person(email: str = "ada@example.org", **extra) -> dict:
    return {"email_addresses": [{"address": email, "primary": True}], **extra}


def test_signup_creates_then_merges_by_email_with_arrays_merged(api):
    first = api.post(SIGNUP, {
        "person": person("Ada@Example.org", given_name="Ada", family_name="Lovelace",
                         phone_numbers=[{"number": "+15145550100", "number_type": "Mobile"}],
                         custom_fields={"shirt": "M"}),
        "add_tags": ["volunteer"],
    })  # fmt: skip
    assert first.status_code == 201
    second = api.post(SIGNUP, {
        "person": person("ada@example.org", phone_numbers=[{"number": "+15145550199", "primary": True}],
                         custom_fields={"team": "north"}),
        "add_tags": ["volunteer", "donor"],
    })  # fmt: skip
    assert second.status_code == 200
    assert Supporter.objects.filter(email__iexact="ada@example.org").count() == 1
    body = second.json()
    assert body["identifiers"] == first.json()["identifiers"]
    assert [phone["number"] for phone in body["phone_numbers"]] == ["+15145550100", "+15145550199"]
    assert [phone["primary"] for phone in body["phone_numbers"]] == [False, True]
    assert body["custom_fields"] == {"shirt": "M", "team": "north"}
    assert body["given_name"] == "Ada"
    assert body["family_name"] == "Lovelace"
    assert sorted(Tagging.objects.values_list("tag__name", flat=True)) == ["donor", "volunteer"]


def test_signup_twice_the_same_changes_nothing_more(api):
    payload = {"person": person(phone_numbers=[{"number": "+15145550100"}]), "add_tags": ["a"]}
    api.post(SIGNUP, payload)
    api.post(SIGNUP, payload)
    assert Supporter.objects.filter(email="ada@example.org").count() == 1
    assert PersonDetails.objects.get().phone_numbers == [{"number": "+15145550100"}]
    assert Tagging.objects.count() == 1


def test_signup_never_overwrites_what_the_person_chose_on_the_site(api, supporter):
    api.post(SIGNUP, {"person": person(supporter.email, given_name="Someone", postal_addresses=[
        {"postal_code": "M5V 2T6", "country": "CA"}])})  # fmt: skip
    supporter.refresh_from_db()
    assert supporter.display_name == "Marie Tremblay"
    assert supporter.postal_code == "H2X 1Y4"


def test_the_email_status_follows_the_clients_word(api):
    api.post(
        SIGNUP, {"person": {"email_addresses": [{"address": "ada@example.org", "status": "subscribed"}]}}
    )
    supporter = Supporter.objects.get(email="ada@example.org")
    assert Consent.objects.get(supporter=supporter, audience=CAMPAIGN_NEWS).granted
    response = api.get(f"{BASE}people/{supporter.pk}")
    assert response.json()["email_addresses"][0]["status"] == "subscribed"
    api.post(
        SIGNUP, {"person": {"email_addresses": [{"address": "ada@example.org", "status": "unsubscribed"}]}}
    )
    assert not Consent.objects.get(supporter=supporter, audience=CAMPAIGN_NEWS).granted


def test_a_person_s_email_cannot_be_changed_through_the_api(api, supporter):
    response = api.put(f"{BASE}people/{supporter.pk}", person("thief@example.org"))
    assert response.status_code == 409
    supporter.refresh_from_db()
    assert supporter.email != "thief@example.org"


def test_people_filter_on_email_and_postal_code(api, supporter, other_supporter):
    by_email = api.get(BASE + "people", filter=f"email_address eq '{supporter.email.upper()}'").json()
    assert [item["identifiers"][0] for item in by_email["_embedded"]["osdi:people"]] == [
        f"quartier:{supporter.pk}"
    ]
    by_code = api.get(BASE + "people", filter="postal_code eq 'M5V 2T6' or postal_code eq 'X0X 0X0'").json()
    assert by_code["total_records"] == 1
    not_code = api.get(BASE + "people", filter="postal_code ne 'M5V 2T6'").json()
    assert f"quartier:{other_supporter.pk}" not in [
        i["identifiers"][0] for i in not_code["_embedded"]["osdi:people"]
    ]


def test_donations_show_the_donor_only_to_keys_with_the_people_scope(make_key, api, staff):
    api.post(BASE + "donations/record_donation_helper", {
        "person": person(given_name="Ada", family_name="Lovelace"),
        "donation": {"amount": "20.00", "identifiers": ["tool:1"]},
    })  # fmt: skip
    _key, donations_only = make_key("donations:read")
    item = donations_only.get(BASE + "donations").json()["_embedded"]["osdi:donations"][0]
    assert "donor" not in item
    assert "osdi:donor" not in item["_links"]
    assert "ada@example.org" not in donations_only.get(BASE + "donations").content.decode()
    refused = donations_only.get(BASE + "donations", filter="email_address eq 'ada@example.org'")
    assert refused.status_code == 400
    _key, with_people = make_key("donations:read", "people:read")
    item = with_people.get(BASE + "donations").json()["_embedded"]["osdi:donations"][0]
    assert item["donor"]["email_addresses"][0]["address"] == "ada@example.org"


def test_recording_a_donation_twice_with_one_identifier_records_it_once(api, staff):
    page = make_page(staff, 1)
    payload = {"person": person(given_name="Ada", family_name="Lovelace"),
               "donation": {"amount": "20.00", "identifiers": ["tool:7"]}}  # fmt: skip
    first = api.post(f"{BASE}fundraising_pages/{page.pk}/record_donation_helper", payload)
    second = api.post(f"{BASE}fundraising_pages/{page.pk}/record_donation_helper", payload)
    assert (first.status_code, second.status_code) == (201, 200)
    assert Donation.objects.count() == 1
    page = FundraisingPage.objects.get(pk=page.pk)
    assert (page.total_minor, page.gift_count) == (2000, 1)
    listed = api.get(f"{BASE}fundraising_pages/{page.pk}/donations").json()
    assert listed["total_records"] == 1


def test_a_donation_without_an_identifier_or_idempotency_key_is_refused_and_writes_nothing(api):
    response = api.post(BASE + "donations", {"person": person(), "donation": {"amount": "5.00"}})
    assert response.status_code == 422
    assert not Donation.objects.exists()
    assert not Supporter.objects.filter(email="ada@example.org").exists()


def test_a_donation_past_the_legal_limit_is_refused(api, settings):
    settings.DONATIONS_JURISDICTION = "qc_provincial"
    payload = {"person": person(given_name="Ada", family_name="Lovelace",
                                postal_addresses=[{"postal_code": "H2X 1Y4", "country": "CA"}])}  # fmt: skip
    assert (
        api.post(
            BASE + "donations", payload | {"donation": {"amount": "80.00", "identifiers": ["t:1"]}}
        ).status_code
        == 201
    )
    refused = api.post(
        BASE + "donations", payload | {"donation": {"amount": "80.00", "identifiers": ["t:2"]}}
    )
    assert refused.status_code == 409
    assert refused.json()["error"] == "over_limit"
    assert Donation.objects.filter(status=Donation.Status.SUCCEEDED).count() == 1


def test_recorded_gifts_are_refused_with_a_real_processor(api, settings):
    settings.DONATIONS_GATEWAY = "stripe"
    response = api.post(
        BASE + "donations", {"person": person(), "donation": {"amount": "5.00", "identifiers": ["t:1"]}}
    )
    assert response.status_code == 409
    assert not Donation.objects.exists()


def test_record_attendance_rsvps_once_and_updates_the_attendance(api, staff):
    event = make_event(staff, 1)
    url = f"{BASE}events/{event.pk}/record_attendance_helper"
    first = api.post(url, {"person": person()})
    again = api.post(url, {"person": person()})
    assert (first.status_code, again.status_code) == (201, 200)
    rsvp = Rsvp.objects.get()
    assert rsvp.status == Rsvp.Status.CONFIRMED
    listed = api.get(f"{BASE}events/{event.pk}/attendances").json()
    assert listed["total_records"] == 1
    attendance = listed["_embedded"]["osdi:attendances"][0]
    assert attendance["status"] == "accepted"
    assert attendance["_links"]["osdi:person"]["href"].endswith(f"/people/{rsvp.supporter_id}")
    assert api.get(f"{BASE}events/{event.pk}").json()["total_accepted"] == 1
    updated = api.put(
        f"{BASE}events/{event.pk}/attendances/{rsvp.pk}", {"status": "declined", "attended": False}
    )
    assert updated.status_code == 200
    assert updated.json()["status"] == "declined"
    rsvp.refresh_from_db()
    assert (rsvp.status, rsvp.attended) == (Rsvp.Status.CANCELLED, False)


def test_attendance_helper_needs_the_people_write_scope_too(make_key, staff):
    event = make_event(staff, 1)
    _key, client = make_key("events:write")
    response = client.post(f"{BASE}events/{event.pk}/record_attendance_helper", {"person": person()})
    assert response.status_code == 403
    assert not Rsvp.objects.exists()
    assert not Supporter.objects.filter(email="ada@example.org").exists()


def test_a_form_submission_creates_the_person_with_the_form_s_tags(api, staff):
    form = Form.objects.create(title="Join", add_tags=["joined"])
    response = api.post(
        f"{BASE}forms/{form.pk}/record_submission_helper", {"person": person(), "add_tags": ["extra"]}
    )
    assert response.status_code == 201
    submission = Submission.objects.get()
    assert submission.supporter.email == "ada@example.org"
    assert sorted(Tagging.objects.values_list("tag__name", flat=True)) == ["extra", "joined"]
    assert api.get(f"{BASE}forms/{form.pk}").json()["total_submissions"] == 1
    assert api.get(f"{BASE}forms/{form.pk}/submissions").json()["total_records"] == 1


def test_taggings_add_list_and_remove(api, make_key, supporter):
    tag = Tag.objects.create(name="volunteer")
    created = api.post(f"{BASE}tags/{tag.pk}/taggings", {"person_identifier": f"quartier:{supporter.pk}"})
    assert created.status_code == 201
    assert (
        api.post(f"{BASE}tags/{tag.pk}/taggings", {"person_identifier": str(supporter.pk)}).status_code == 200
    )
    assert api.get(f"{BASE}people/{supporter.pk}/taggings").json()["total_records"] == 1
    tagging_id = created.json()["identifiers"][0].removeprefix("quartier:")
    assert api.delete(f"{BASE}tags/{tag.pk}/taggings/{tagging_id}").status_code == 204
    assert not Tagging.objects.exists()


def test_tagging_by_email_needs_the_people_scope(make_key, supporter):
    tag = Tag.objects.create(name="volunteer")
    _key, tags_only = make_key("tags:write")
    response = tags_only.post(f"{BASE}tags/{tag.pk}/taggings", {"email_address": supporter.email})
    assert response.status_code == 403
    assert not Tagging.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_two_signups_at_once_for_one_address_make_one_person(make_key):
    from quartier.api.actions.people import PersonInput, signup_person
    from quartier.testing import run_together

    outcomes = run_together([
        lambda: signup_person(person=PersonInput(email="race@example.org"), client="test").supporter.pk
        for _ in range(2)
    ])  # fmt: skip
    assert len(set(outcomes)) == 1, outcomes
    assert Supporter.objects.filter(email="race@example.org").count() == 1


def test_an_event_created_with_a_postal_code_is_placed_on_the_map(api):
    response = api.post(BASE + "events", {
        "title": "Canvass", "start_date": "2099-05-01T18:00:00Z", "end_date": "2099-05-01T20:00:00Z",
        "location": {"postal_code": "H2X 1Y4", "country": "CA"},
    })  # fmt: skip
    assert response.status_code == 201
    location = response.json()["location"]
    assert location["location"]["latitude"] is not None
    assert location["locality"]
