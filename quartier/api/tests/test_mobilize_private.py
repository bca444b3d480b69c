"""People and attendances: only to a Bearer key with the right scopes; 401/403 in Mobilize's shape."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from quartier.api.models import ApiKey
from quartier.api.tests import mobilize_support as support
from quartier.api.tests.mobilize_support import MobilizeClient
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Event, Rsvp

pytestmark = pytest.mark.django_db
make_event, make_group, host, leader, member, group = (  # organizing's fixtures
    support.make_event,
    support.make_group,
    support.host,
    support.leader,
    support.member,
    support.group,
)
PRIVATE = ("/organizations/1/people", "/organizations/1/attendances")


@pytest.mark.parametrize("path", PRIVATE)
def test_private_lists_refuse_a_request_without_a_key_with_a_json_401(path, supporter):
    response = MobilizeClient().client.get(support.BASE + path)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Bearer"
    assert response.json()["data"] is None and "Bearer" in response.json()["error"]["detail"]
    assert supporter.email not in response.content.decode()


@pytest.mark.parametrize("path", PRIVATE)
def test_private_lists_refuse_an_unknown_or_revoked_key(path, make_key, supporter):
    key, client = make_key("people:read", "events:read", bearer=True)
    ApiKey.objects.filter(pk=key.pk).update(revoked_at=timezone.now())

    MobilizeClient("qk_unknown").get(path, status=401)
    body = MobilizeClient(client.token).get(path, status=401)
    assert supporter.email not in json.dumps(body)


@pytest.mark.parametrize(
    ("path", "scopes"),
    [
        ("/organizations/1/people", ["events:read", "tags:write"]),
        ("/organizations/1/attendances", ["people:read"]),
        ("/organizations/1/attendances", ["events:read"]),
    ],
)
def test_a_key_without_the_scope_is_refused_with_403(path, scopes, make_key, supporter):
    _key, client = make_key(*scopes, bearer=True)

    body = MobilizeClient(client.token).get(path, status=403)

    assert "may not read" in body["error"]["detail"]
    assert supporter.email not in json.dumps(body)


def test_people_of_the_campaign_are_every_active_supporter_in_mobilizes_shape(
    make_key, supporter, make_supporter
):
    gone = make_supporter("Gone Person")
    gone.is_active = False
    gone.save()
    _key, client = make_key("people:read", bearer=True)

    body = MobilizeClient(client.token).get("/organizations/1/people")

    emails = [person["email_addresses"][0]["address"] for person in body["data"]]
    assert supporter.email in emails and gone.email not in emails
    mine = next(person for person in body["data"] if person["id"] == supporter.pk)
    given, _space, family = supporter.display_name.partition(" ")
    assert (mine["given_name"], mine["family_name"], mine["user_id"]) == (given, family, supporter.pk)
    assert mine["email_addresses"] == [{"primary": True, "address": supporter.email}]
    assert mine["created_date"] == int(supporter.date_joined.timestamp())


def test_people_of_a_group_are_its_active_members_only(make_key, group, leader, member, supporter):
    _key, client = make_key("people:read", bearer=True)

    body = MobilizeClient(client.token).get(f"/organizations/{group.pk + 1}/people")

    assert sorted(person["id"] for person in body["data"]) == sorted([leader.pk, member.pk])


def test_attendances_are_rsvps_to_public_events_with_person_event_and_timeslot(
    make_key, make_event, host, make_supporter
):
    event = make_event(host, capacity=1)
    hidden = make_event(host)
    going, waiting, hidden_guest = (
        make_supporter("Gia Going"),
        make_supporter("Will Waiting"),
        make_supporter("Hal Hidden"),
    )
    shift = event.shifts.get()
    going_rsvp = rsvps_actions.rsvp(supporter=going, shift=shift, phone="+15145550100")
    rsvps_actions.rsvp(supporter=waiting, shift=shift)
    rsvps_actions.rsvp(supporter=hidden_guest, shift=hidden.shifts.get())
    Event.objects.filter(pk=hidden.pk).update(status=Event.Status.PENDING)
    _key, client = make_key("people:read", "events:read", bearer=True)

    body = MobilizeClient(client.token).get("/organizations/1/attendances")

    assert [row["id"] for row in body["data"]] == [going_rsvp.pk]  # no waiting list, no private event
    row = body["data"][0]
    assert row["status"] == "REGISTERED" and row["attended"] is None
    assert row["person"]["email_addresses"][0]["address"] == going.email
    assert row["person"]["phone_numbers"] == [{"primary": True, "number": "+15145550100"}]
    assert row["event"]["id"] == event.pk and row["timeslot"]["id"] == shift.pk
    assert row["sponsor"]["id"] == 1
    assert Rsvp.objects.filter(supporter=waiting, status=Rsvp.Status.WAITLISTED).exists()


def test_a_cancelled_rsvp_is_a_cancelled_attendance(make_key, make_event, host, make_supporter):
    event = make_event(host)
    record = rsvps_actions.rsvp(supporter=make_supporter("Carl Cancel"), shift=event.shifts.get())
    rsvps_actions.cancel_rsvp(rsvp_record=record)
    _key, client = make_key("people:read", "events:read", bearer=True)

    body = MobilizeClient(client.token).get("/organizations/1/attendances")

    assert [row["status"] for row in body["data"]] == ["CANCELLED"]


def test_attendances_of_a_group_are_rsvps_to_its_own_public_events_only(
    make_key, make_event, host, group, leader, make_supporter
):
    own, other = make_event(leader, group=group), make_event(host)
    draft_event = make_event(leader, group=group)
    guest = make_supporter("Gus Guest")
    mine = rsvps_actions.rsvp(supporter=guest, shift=own.shifts.get())
    rsvps_actions.rsvp(supporter=guest, shift=other.shifts.get())
    rsvps_actions.rsvp(supporter=guest, shift=draft_event.shifts.get())
    Event.objects.filter(pk=draft_event.pk).update(status=Event.Status.PENDING)
    _key, client = make_key("people:read", "events:read", bearer=True)

    body = MobilizeClient(client.token).get(f"/organizations/{group.pk + 1}/attendances")

    assert [row["id"] for row in body["data"]] == [mine.pk]
    assert body["data"][0]["event"]["id"] == own.pk
    assert body["data"][0]["sponsor"]["id"] == group.pk + 1


def test_an_unknown_organization_is_404_for_a_key_that_may_read(make_key):
    _key, client = make_key("people:read", "events:read", bearer=True)

    MobilizeClient(client.token).get("/organizations/424242/people", status=404)
    MobilizeClient(client.token).get("/organizations/424242/attendances", status=404)


def test_errors_speak_french_to_a_french_client():
    response = MobilizeClient().client.get(
        support.BASE + "/organizations/1/people", headers={"Accept-Language": "fr"}
    )

    assert response.json()["error"]["detail"].startswith("Une clé d’API est nécessaire")
