"""The Mobilize-compatible events feed: public events only, Mobilize's fields, filters and privacy."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from quartier.api.tests import mobilize_support as support
from quartier.api.tests.mobilize_support import MobilizeClient
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Event, Shift

pytestmark = pytest.mark.django_db
make_event, make_group, host, leader, member, group = (  # organizing's fixtures
    support.make_event,
    support.make_group,
    support.host,
    support.leader,
    support.member,
    support.group,
)


def ids(body: dict) -> list[int]:
    return [event["id"] for event in body["data"]]


def test_the_feed_lists_published_events_and_never_pending_rejected_or_cancelled_ones(make_event, host):
    shown = make_event(host, title="Shown")
    for status in (Event.Status.PENDING, Event.Status.REJECTED, Event.Status.CANCELLED):
        hidden = make_event(host, title=f"Hidden {status}")
        Event.objects.filter(pk=hidden.pk).update(status=status)

    body = MobilizeClient().get("/events")

    assert ids(body) == [shown.pk]
    assert body["count"] == 1
    assert "Hidden" not in json.dumps(body)


def test_a_private_event_is_404_by_id_and_a_public_one_is_served_in_mobilizes_shape(make_event, host):
    event = make_event(host, shifts=2, capacity=1)
    private = make_event(host)
    Event.objects.filter(pk=private.pk).update(status=Event.Status.PENDING)

    data = MobilizeClient().get(f"/events/{event.pk}")["data"]
    MobilizeClient().get(f"/events/{private.pk}", status=404)
    MobilizeClient().get("/events/999999", status=404)

    first, second = event.shifts.order_by("starts_at")
    assert data["timeslots"] == [
        {"id": shift.pk, "start_date": int(shift.starts_at.timestamp()), "end_date": int(shift.ends_at.timestamp()),
         "max_attendees": 1, "is_full": False, "instructions": None}
        for shift in (first, second)
    ]  # fmt: skip
    assert data["event_type"] == "CANVASS"
    assert data["browser_url"] == f"{settings.SITE_URL}/events/{event.pk}/"
    assert data["sponsor"]["id"] == 1
    assert data["visibility"] == "PUBLIC" and data["address_visibility"] == "PUBLIC"
    assert data["location"]["address_lines"] == ["124 rue Saint-Viateur O", ""]
    assert data["location"]["region"] == "QC" and data["location"]["postal_code"] == "H2T 1A1"
    assert data["location"]["location"] == {"latitude": event.latitude, "longitude": event.longitude}
    assert data["timezone"] == "America/Toronto"
    assert data["contact"] is None  # no key: no contact


def test_a_hidden_address_never_leaves_not_its_street_postal_code_nor_exact_point(make_event, host):
    event = make_event(
        host, address_visibility=Event.AddressVisibility.ATTENDEES, latitude=45.52871, longitude=-73.60011
    )

    for body in (MobilizeClient().get("/events"), MobilizeClient().get(f"/events/{event.pk}")):
        text = json.dumps(body)
        assert "Saint-Viateur" not in text and "Olimpico" not in text
        assert "H2T" not in text and "45.52871" not in text and "-73.60011" not in text
    location = MobilizeClient().get(f"/events/{event.pk}")["data"]["location"]
    assert location["address_lines"][0].startswith("This event’s address is private")
    assert len(location["address_lines"]) == 2
    assert location["locality"] == "Montréal"


def test_the_link_to_join_an_online_event_is_never_served(make_event, host):
    event = make_event(
        host, is_virtual=True, join_url="https://meet.example.org/secret-room", venue="", address=""
    )

    data = MobilizeClient().get(f"/events/{event.pk}")["data"]

    assert "secret-room" not in json.dumps(data)
    assert data["is_virtual"] is True and data["virtual_action_url"] is None


def test_quartier_event_types_map_onto_mobilizes_enum_and_filter_by_it(make_event, host):
    canvass = make_event(host)
    phone_bank = make_event(host, event_type="phone_bank")
    registration = make_event(host, event_type="voter_registration")
    client = MobilizeClient()

    assert ids(client.get("/events", {"event_types": ["PHONE_BANK", "VOTER_REG"]})) == [
        phone_bank.pk,
        registration.pk,
    ]
    assert ids(client.get("/events", {"event_types": "CANVASS"})) == [canvass.pk]
    assert ids(client.get("/events", {"event_types": "TOWN_HALL"})) == []  # Mobilize's, no Quartier event
    client.get("/events", {"event_types": "PARTY"}, status=400)


def test_timeslot_filters_keep_the_events_and_the_timeslots_that_match(make_event, host):
    soon = make_event(host, starts_in=timedelta(days=1), shifts=2)
    later = make_event(host, starts_in=timedelta(days=10))
    cutoff = int((timezone.now() + timedelta(days=5)).timestamp())
    second_shift_start = int(soon.shifts.order_by("starts_at")[1].starts_at.timestamp())
    client = MobilizeClient()

    assert ids(client.get("/events", {"timeslot_start": f"gte_{cutoff}"})) == [later.pk]
    assert ids(client.get("/events", {"timeslot_start": f"lt_{cutoff}"})) == [soon.pk]
    assert ids(client.get("/events", {"timeslot_end": "gte_now"})) == [soon.pk, later.pk]
    narrowed = client.get(
        "/events", [("timeslot_start", f"gte_{second_shift_start}"), ("timeslot_start", f"lte_{cutoff}")]
    )
    assert ids(narrowed) == [soon.pk]
    assert [slot["start_date"] for slot in narrowed["data"][0]["timeslots"]] == [second_shift_start]
    client.get("/events", {"timeslot_start": "after_1"}, status=400)


def test_updated_since_and_is_virtual_filter_events(make_event, host):
    old = make_event(host)
    Event.objects.filter(pk=old.pk).update(updated_at=timezone.now() - timedelta(days=30))
    online = make_event(host, is_virtual=True, venue="", address="")
    since = int((timezone.now() - timedelta(days=1)).timestamp())
    client = MobilizeClient()

    assert ids(client.get("/events", {"updated_since": since})) == [online.pk]
    assert ids(client.get("/events", {"is_virtual": "true"})) == [online.pk]
    assert ids(client.get("/events", {"is_virtual": "false"})) == [old.pk]


def test_exclude_full_drops_full_timeslots_and_events_with_no_other(make_event, host, make_supporter):
    full = make_event(host, capacity=1)
    open_event = make_event(host, capacity=5)
    Shift.objects.filter(event=full).update(confirmed_count=1)

    assert ids(MobilizeClient().get("/events", {"exclude_full": "true"})) == [open_event.pk]
    assert MobilizeClient().get(f"/events/{full.pk}")["data"]["timeslots"][0]["is_full"] is True


def test_zipcode_and_max_dist_keep_events_near_the_postal_code(make_event, host):
    montreal = make_event(host)
    toronto = make_event(host, latitude=43.6532, longitude=-79.3832, postal_code="M5V 2T6", town="Toronto")
    client = MobilizeClient()

    assert ids(client.get("/events", {"zipcode": "H2T 1A1", "max_dist": 20})) == [montreal.pk]
    assert ids(client.get("/events", {"zipcode": "M5V 2T6", "max_dist": 20})) == [toronto.pk]
    assert ids(client.get("/events", {"zipcode": "H2T1A1", "max_dist": 400})) == [montreal.pk, toronto.pk]
    assert client.get("/events", {"zipcode": "00000"})["data"] == []  # no known place: nothing near it
    client.get("/events", {"zipcode": "Z"}, status=400)


def test_private_events_asked_for_are_refused_with_403(make_event, host):
    make_event(host)

    MobilizeClient().get("/events", {"visibility": "PRIVATE"}, status=403)
    assert len(MobilizeClient().get("/events", {"visibility": "PUBLIC"})["data"]) == 1


def test_the_hosts_contact_goes_only_to_a_key_that_may_read_people(make_event, host, make_key):
    event = make_event(host)
    _key, events_only = make_key("events:read", bearer=True)
    _key, people = make_key("people:read", bearer=True)

    assert MobilizeClient(events_only.token).get(f"/events/{event.pk}")["data"]["contact"] is None
    contact = MobilizeClient(people.token).get(f"/events/{event.pk}")["data"]["contact"]
    assert contact == {
        "name": host.display_name,
        "email_address": host.email,
        "phone_number": "",
        "owner_user_id": host.pk,
    }
    MobilizeClient("qk_not-a-key").get(f"/events/{event.pk}", status=401)


def test_a_groups_events_are_sponsored_by_the_group_and_listed_under_it(make_event, host, leader, group):
    own = make_event(leader, group=group)
    campaign = make_event(host)
    organization = group.pk + 1
    client = MobilizeClient()

    assert ids(client.get(f"/organizations/{organization}/events")) == [own.pk]
    assert ids(client.get("/organizations/1/events")) == [own.pk, campaign.pk]
    assert client.get(f"/events/{own.pk}")["data"]["sponsor"]["id"] == organization
    assert ids(client.get("/events", {"organization_id": organization})) == [own.pk]
    assert ids(client.get("/events", {"organization_id": 1})) == [campaign.pk]
    assert client.get(f"/organizations/{organization}/events/{own.pk}")["data"]["id"] == own.pk
    client.get(f"/organizations/{organization}/events/{campaign.pk}", status=404)
    client.get("/organizations/999999/events", status=404)


def test_an_rsvp_does_not_change_what_the_feed_shows_of_the_address(make_event, host, make_supporter):
    event = make_event(host, address_visibility=Event.AddressVisibility.ATTENDEES)
    guest = make_supporter("Gus Guest")
    rsvps_actions.rsvp(supporter=guest, shift=event.shifts.get(), guests=0, phone="", shares_contact=False)

    assert "Saint-Viateur" not in json.dumps(MobilizeClient().get("/events"))
