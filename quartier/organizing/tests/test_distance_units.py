"""Distances in miles for visitors from the United States, in kilometres for everyone else."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from quartier.lib.geo import haversine_km, km_to_miles
from quartier.testing import client_for

MIDTOWN = (40.7484, -73.9967)


@pytest.fixture
def new_york_event(make_event, host):
    return make_event(
        host, title="Phone bank in Brooklyn", latitude=40.6782, longitude=-73.9442, country="US",
        postal_code="11225", town="Brooklyn", time_zone="America/New_York",
    )  # fmt: skip


def test_a_visitor_searching_a_us_zip_code_gets_miles(new_york_event):
    response = Client().get(reverse("organizing:events"), {"near": "10001", "country": "US", "within": "10"})

    [(event, distance)] = response.context["results"]
    expected = km_to_miles(haversine_km(*MIDTOWN, 40.6782, -73.9442))
    assert event == new_york_event and distance == pytest.approx(expected)
    assert response.context["unit"] == "mi"
    assert f"{expected:.1f} mi away" in response.content.decode()
    assert "Within (mi)" in response.content.decode()


def test_the_radius_is_read_in_miles_for_a_us_visitor(new_york_event):
    # Brooklyn is 5.6 miles (9 km) from Midtown: inside 6 miles, outside 6 km.
    miles = Client().get(reverse("organizing:events"), {"near": "10001", "country": "US", "within": "6"})
    kilometres = Client().get(reverse("organizing:events"), {"near": "40.7484,-73.9967", "within": "6"})

    assert [event.title for event, _d in miles.context["results"]] == ["Phone bank in Brooklyn"]
    assert kilometres.context["results"] == []


def test_an_american_browser_gets_miles_when_searching_coordinates(new_york_event):
    response = Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.8").get(
        reverse("organizing:events"), {"near": "40.7484,-73.9967", "within": "10"}
    )

    assert response.context["unit"] == "mi"


def test_a_canadian_visitor_gets_kilometres(event):
    response = Client(HTTP_ACCEPT_LANGUAGE="fr-CA").get(
        reverse("organizing:events"), {"near": "H2T 1A1", "country": "CA", "within": "10"}
    )

    assert response.context["unit"] == "km"


def test_a_signed_in_supporter_in_the_us_gets_miles_on_group_search(make_supporter, make_group, leader):
    american = make_supporter("Amy", country="US", postal_code="10001")
    make_group(leader, name="Midtown for Climate", latitude=40.75, longitude=-73.99, country="US")

    response = client_for(american).get(reverse("organizing:groups"), {"near": "10001", "country": "US"})

    assert response.context["unit"] == "mi"
    assert [group.name for group, _d in response.context["results"]] == ["Midtown for Climate"]
