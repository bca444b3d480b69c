"""The exact point of an attendee-only event never reaches anyone who may not see its address (12.1).

Searches, distances, the radius filter, ordering and map pins use the event's public point: a fixed
grid node for attendee-only events. Probing from many places measures the node, never the address.
"""

from __future__ import annotations

import dataclasses
import json
import math
import re

import pytest
from django.test import Client
from django.urls import reverse

from quartier.lib.geo import approximate_point, haversine_km
from quartier.organizing.actions import events as events_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Event
from quartier.testing import client_for

EXACT = (45.52347, -73.58712)  # typed by the host; its grid node is (45.52, -73.59)
NODE = (45.52, -73.59)


def probes() -> list[tuple[float, float]]:
    """Points all around the event, from 100 m to 4 km away, as a trilaterating visitor would use."""
    points = []
    for ring_km in (0.1, 0.4, 0.9, 1.6, 2.5, 4.0):
        for step in range(8):
            bearing = math.radians(45 * step + 10)
            latitude = EXACT[0] + ring_km * math.cos(bearing) / 111.2
            longitude = EXACT[1] + ring_km * math.sin(bearing) / (111.2 * math.cos(math.radians(EXACT[0])))
            points.append((round(latitude, 6), round(longitude, 6)))
    return points


def search(client: Client, near: tuple[float, float], within: int = 5, **params):
    return client.get(
        reverse("organizing:events"),
        {"near": f"{near[0]:.6f},{near[1]:.6f}", "within": str(within), **params},
    )


def visible_output(response) -> str:
    """What a response shows, less what changes on every request (CSP nonce, CSRF token, timestamps)."""
    text = response.content.decode()
    text = re.sub(r'nonce="[^"]*"', "", text)
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", text)
    return re.sub(r"DTSTAMP:\S+", "", text)


@pytest.fixture
def hidden_event(make_event, host) -> Event:
    return make_event(
        host, title="Réunion chez Nadia", latitude=EXACT[0], longitude=EXACT[1],
        address_visibility=Event.AddressVisibility.ATTENDEES, address="4521 rue Clark",
    )  # fmt: skip


def move_within_its_cell(event: Event, latitude: float, longitude: float) -> None:
    assert approximate_point(latitude, longitude) == NODE
    draft = events_actions.EventDraft(
        **{
            field.name: getattr(event, field.name)
            for field in dataclasses.fields(events_actions.EventDraft)
            if field.name not in {"shifts", "latitude", "longitude"}
        },
        latitude=latitude,
        longitude=longitude,
        shifts=[
            events_actions.ShiftDraft(starts_at=s.starts_at, ends_at=s.ends_at, capacity=s.capacity, pk=s.pk)
            for s in event.shifts.all()
        ],
    )
    events_actions.update_event(event=event, draft=draft)


def test_an_attendee_only_event_is_stored_with_its_grid_node_as_public_point(hidden_event):
    hidden_event.refresh_from_db()

    assert (hidden_event.latitude, hidden_event.longitude) == EXACT
    assert (hidden_event.public_latitude, hidden_event.public_longitude) == NODE


def test_a_public_event_keeps_its_exact_point_as_public_point(event):
    event.refresh_from_db()

    assert (event.public_latitude, event.public_longitude) == (event.latitude, event.longitude)


def test_every_distance_a_visitor_is_shown_is_the_distance_to_the_grid_node(hidden_event):
    client = Client()

    for probe in probes():
        response = search(client, probe)
        [(found, distance)] = response.context["results"]
        assert found == hidden_event
        assert distance == pytest.approx(haversine_km(*probe, *NODE), abs=1e-9)
        shown = f"{haversine_km(*probe, *NODE):.1f} km away"
        assert shown in response.content.decode()
        [pin] = response.context["map_points"]
        assert (pin["lat"], pin["lon"]) == NODE


def test_the_radius_filter_uses_the_grid_node_not_the_address(hidden_event):
    # 0.95 km north of the address, but 1.45 km from the grid node: outside a 1 km search.
    probe = (EXACT[0] + 0.95 / 111.2, EXACT[1])
    assert haversine_km(*probe, *EXACT) < 1 < haversine_km(*probe, *NODE)

    assert search(Client(), probe, within=1).context["results"] == []
    assert [event for event, _d in search(Client(), probe, within=2).context["results"]] == [hidden_event]


def test_moving_the_address_within_its_cell_changes_nothing_a_visitor_or_outsider_sees(
    hidden_event, make_event, host, outsider
):
    # Neighbours to be ordered against: a public event and another attendee-only one.
    make_event(host, title="Public canvass", latitude=45.5221, longitude=-73.5853)
    make_event(
        host, title="Another home meeting", latitude=45.5262, longitude=-73.5901,
        address_visibility=Event.AddressVisibility.ATTENDEES,
    )  # fmt: skip

    def everything_shown() -> list[str]:
        shown = []
        for client, some_probes in ((Client(), probes()[::2]), (client_for(outsider), probes()[::8])):
            for probe in some_probes:
                for within, order in ((1, ""), (2, ""), (5, ""), (5, "date")):
                    shown.append(visible_output(search(client, probe, within, sort=order)))
            shown.append(visible_output(client.get(hidden_event.get_absolute_url())))
            shown.append(visible_output(client.get(reverse("organizing:event_ics", args=[hidden_event.pk]))))
        return shown

    before = everything_shown()
    move_within_its_cell(hidden_event, 45.51701, -73.59468)
    after_first_move = everything_shown()
    move_within_its_cell(hidden_event, 45.52499, -73.58501)
    after_second_move = everything_shown()

    assert after_first_move == before
    assert after_second_move == before
    assert "4521 rue Clark" not in "".join(before)


def test_the_event_page_pins_the_grid_node_for_visitors_and_the_address_for_attendees(
    hidden_event, supporter
):
    visitor_pin = Client().get(hidden_event.get_absolute_url()).context["map_points"]
    rsvps_actions.rsvp(supporter=supporter, shift=hidden_event.shifts.get())
    attendee_pin = client_for(supporter).get(hidden_event.get_absolute_url()).context["map_points"]

    assert [(pin["lat"], pin["lon"]) for pin in visitor_pin] == [NODE]
    assert [(pin["lat"], pin["lon"]) for pin in attendee_pin] == [EXACT]


def test_the_map_data_of_a_search_holds_no_exact_point(hidden_event):
    response = search(Client(), (45.5, -73.6))

    data = json.loads(re.search(r'id="map-points"[^>]*>(.*?)</script>', response.content.decode()).group(1))
    assert [(pin["lat"], pin["lon"]) for pin in data] == [NODE]
    assert "45.52347" not in response.content.decode() and "-73.58712" not in response.content.decode()


def test_making_the_address_public_makes_the_exact_point_public(hidden_event):
    draft = events_actions.EventDraft(
        **{
            field.name: getattr(hidden_event, field.name)
            for field in dataclasses.fields(events_actions.EventDraft)
            if field.name not in {"shifts", "address_visibility"}
        },
        address_visibility=Event.AddressVisibility.PUBLIC,
        shifts=[
            events_actions.ShiftDraft(starts_at=s.starts_at, ends_at=s.ends_at, capacity=s.capacity, pk=s.pk)
            for s in hidden_event.shifts.all()
        ],
    )

    events_actions.update_event(event=hidden_event, draft=draft)

    hidden_event.refresh_from_db()
    assert (hidden_event.public_latitude, hidden_event.public_longitude) == EXACT
