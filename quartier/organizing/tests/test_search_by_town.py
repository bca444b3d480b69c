"""The "near" field of a search takes a town's name as well as a postal code or coordinates."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from quartier.accounts.models import PostalCode

SAINT_ETIENNE = (45.4397, 4.3872)


@pytest.fixture
def saint_etienne(db, make_event, host):
    for code, place_name in (
        ("42000", "Saint-Étienne"),
        ("42100", "Saint-Étienne"),
        ("42230", "Saint-Étienne"),
    ):
        PostalCode.objects.get_or_create(
            country="FR", code=code,
            defaults={"place_name": place_name, "admin_name1": "Auvergne-Rhône-Alpes", "latitude": SAINT_ETIENNE[0],
                      "longitude": SAINT_ETIENNE[1]},
        )  # fmt: skip
    # A village of the same name far away, with a single code: the larger town wins.
    PostalCode.objects.create(
        country="FR", code="05150", place_name="Saint-Étienne", admin_name1="Provence-Alpes-Côte d'Azur",
        latitude=44.33, longitude=5.77,
    )  # fmt: skip
    return make_event(
        host, title="Porte-à-porte à Saint-Étienne", latitude=45.44, longitude=4.39, country="FR",
        postal_code="42000", town="Saint-Étienne", time_zone="Europe/Paris",
    )  # fmt: skip


def found(**query) -> list[str]:
    response = Client().get(reverse("organizing:events"), {"within": "10", **query})
    assert response.status_code == 200
    return [event.title for event, _distance in response.context["results"]]


@pytest.mark.parametrize("typed", ["Saint-Étienne", "saint etienne", "ST-ETIENNE", "  Saint Étienne "])
def test_a_french_town_is_found_whatever_its_accents_case_and_hyphens(saint_etienne, typed):
    assert found(near=typed, country="FR") == ["Porte-à-porte à Saint-Étienne"]


def test_a_town_of_another_campaign_country_is_found_when_the_country_chosen_has_none(saint_etienne):
    assert found(near="Saint-Étienne", country="CA") == ["Porte-à-porte à Saint-Étienne"]


def test_a_town_from_the_bundled_table_is_found_without_its_accents(make_event, host):
    make_event(host, title="Mile End canvass")

    assert found(near="montreal", country="CA") == ["Mile End canvass"]


def test_an_unknown_town_is_an_error_that_says_so(db):
    response = Client().get(reverse("organizing:events"), {"near": "Atlantis", "country": "FR"})

    assert "We do not know this postal code or town." in response.content.decode()
    assert response.context["results"] == []


def test_group_search_takes_a_town_too(make_group, leader):
    make_group(leader, name="Montréal pour le climat")

    response = Client().get(
        reverse("organizing:groups"), {"near": "Montréal", "country": "CA", "within": "10"}
    )

    assert [group.name for group, _distance in response.context["results"]] == ["Montréal pour le climat"]


@pytest.mark.django_db
def test_a_postal_code_of_another_campaign_country_is_found_when_the_country_was_left_on_its_default(
    make_event, host
):
    PostalCode.objects.get_or_create(
        country="US", code="10001",
        defaults={"place_name": "New York", "admin_name1": "New York", "latitude": 40.7484, "longitude": -73.9967},
    )  # fmt: skip
    make_event(
        host, title="Canvass in Chelsea", latitude=40.75, longitude=-73.99, country="US", postal_code="10001",
        town="New York", time_zone="America/New_York",
    )  # fmt: skip

    assert found(near="10001") == ["Canvass in Chelsea"]
    assert found(near="10001", country="CA") == ["Canvass in Chelsea"]


@pytest.mark.django_db
def test_an_unknown_postal_code_still_says_so_and_finds_nothing(make_event, host):
    make_event(host)

    response = Client().get(reverse("organizing:events"), {"near": "99999"})

    assert "We do not know this postal code or town." in response.content.decode()
    assert list(response.context["results"]) == []
