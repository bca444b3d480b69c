"""The campaign home: upcoming events near the visitor (their postal code, or `?near=`), Donate in
view, an empty state that says what to do, and an anonymous page that stays cheap and cached."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse

from quartier.testing import client_for

pytestmark = pytest.mark.django_db
TORONTO = (43.6426, -79.3871)


def titles(response) -> list[str]:
    return [event.title for event, _distance in response.context["events"]]


@pytest.fixture
def two_cities(make_event, host):
    make_event(host, title="Door-knocking in Mile End")
    make_event(host, title="Phone bank on Queen West", latitude=TORONTO[0], longitude=TORONTO[1],
               postal_code="M5V 2T6", town="Toronto", starts_in=timedelta(days=1))  # fmt: skip


def test_a_visitor_sees_events_near_the_postal_code_they_type(client, two_cities):
    montreal = client.get(reverse("home"), {"near": "H2X 1Y4"})
    assert titles(montreal) == ["Door-knocking in Mile End"]
    page = montreal.content.decode()
    assert "Upcoming events near Montréal" in page
    assert f'href="{reverse("donations:donate")}"' in page and "button donate" in page
    assert reverse("account_signup") in page
    assert titles(client.get(reverse("home"), {"near": "M5V 2T6"})) == ["Phone bank on Queen West"]


def test_without_a_place_the_soonest_events_are_shown(client, two_cities):
    assert titles(client.get(reverse("home"))) == ["Phone bank on Queen West", "Door-knocking in Mile End"]


def test_a_signed_in_supporter_sees_events_near_their_own_postal_code(two_cities, supporter, other_supporter):
    assert titles(client_for(supporter).get(reverse("home"))) == ["Door-knocking in Mile End"]  # H2X 1Y4
    assert titles(client_for(other_supporter).get(reverse("home"))) == ["Phone bank on Queen West"]  # M5V


def test_no_event_nearby_says_what_to_do_next(client, make_event, host):
    make_event(host, latitude=TORONTO[0], longitude=TORONTO[1], postal_code="M5V 2T6", town="Toronto")
    page = client.get(reverse("home"), {"near": "H2X 1Y4"}).content.decode()
    assert "No upcoming event near this place yet." in page
    assert reverse("organizing:event_create") in page
    assert reverse("organizing:events") in page


def test_an_unknown_place_is_said_in_the_visitors_language_never_a_500(client):
    response = client.get(reverse("home"), {"near": "Atlantis 999"}, HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 200
    assert "Nous ne connaissons pas ce code postal" in response.content.decode()
    assert response.context["events"] == []


def test_the_anonymous_home_stays_cheap_and_is_served_from_the_page_cache(
    client, two_cities, django_assert_max_num_queries
):
    # The place, the soonest ids in the radius's box, their rows, the groups, the branding (then cached).
    with django_assert_max_num_queries(6):
        first = client.get(reverse("home"), {"near": "H2X 1Y4"})
    assert first.context is not None  # rendered
    client.cookies.clear()
    second = client.get(reverse("home"), {"near": "H2X 1Y4"})
    assert second.context is None  # not rendered again: the stored body


def test_the_home_is_french_for_a_french_visitor(client, two_cities):
    page = client.get(reverse("home"), {"near": "H2X 1Y4"}, HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Événements à venir près de Montréal" in page
    assert "Faire un don" in page
