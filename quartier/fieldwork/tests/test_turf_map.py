"""The turf map (issue 20): the campaign's contacts as clusters made by the database, the extent the
map opens on, place names from the bundled places data, and the doors inside a drawn area counted
before cutting (the same doors the cut then takes)."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from quartier.fieldwork import turf_map
from quartier.fieldwork.models import Target, WalkList
from quartier.organizing.actions import groups as organizing_groups
from quartier.organizing.models import Group
from quartier.testing import client_for

pytestmark = pytest.mark.django_db

# Three streets of the Plateau, and two contacts far away in Laval.
PLATEAU = [(45.5230, -73.5900), (45.5232, -73.5902), (45.5270, -73.5780), (45.5210, -73.5560)]
LAVAL = [(45.5700, -73.7200), (45.5705, -73.7210)]


@pytest.fixture
def mapped(make_contact, make_supporter, leader):
    """Six contacts of the campaign's group and one of another group, far away (Toronto), created first."""
    other = organizing_groups.create_group(
        creator=make_supporter("Olga Other"),
        draft=organizing_groups.GroupDraft(
            name="Toronto", description="", area="", country="CA", postal_code="M5V 2T6", latitude=43.65,
            longitude=-79.38, town="Toronto", join_policy=Group.JoinPolicy.OPEN,
        ),
    )  # fmt: skip
    make_contact("Tom", latitude=43.6500, longitude=-79.3800, scope_group=other)
    for lat, lon in PLATEAU + LAVAL:
        make_contact("Anne", latitude=lat, longitude=lon)
    make_contact("Nowhere", latitude=None, longitude=None)


def points(client, campaign, zoom: int) -> dict:
    response = client.get(reverse("fieldwork:turf_points", args=[campaign.pk]), {"zoom": zoom})
    assert response.status_code == 200
    return response.json()


def test_the_map_shows_the_campaigns_contacts_clustered_by_zoom(mapped, canvass, leader):
    client = client_for(leader)
    by_zoom = {zoom: points(client, canvass, zoom) for zoom in (18, 14, 11, 8, 2)}

    for found in by_zoom.values():  # the Toronto contact is not the campaign's, nor any without a position
        assert sum(n for _lat, _lon, n in found["clusters"]) == 6
    sizes = [len(by_zoom[zoom]["clusters"]) for zoom in (18, 14, 11, 8, 2)]
    assert sizes[0] == 6 and sizes[-1] == 1  # one dot per door close up, one for the whole area far out
    assert sizes == sorted(sizes, reverse=True)  # zooming out only merges
    near = by_zoom[18]
    assert near["extent"] == [45.521, 45.5705, -73.721, -73.556]
    assert "Montréal" in [name for name, _lat, _lon in near["places"]]


def test_the_turf_page_opens_on_the_campaigns_contacts_not_the_first_row(mapped, canvass, leader):
    page = client_for(leader).get(reverse("fieldwork:turf", args=[canvass.pk])).content.decode()
    extent = json.loads(
        page.split('id="turf-extent" type="application/json">', 1)[1].split("</script>", 1)[0]
    )
    assert extent == [45.521, 45.5705, -73.721, -73.556]  # Montréal and Laval, not Toronto


def test_a_bad_zoom_is_refused_in_words(canvass, leader):
    response = client_for(leader).get(reverse("fieldwork:turf_points", args=[canvass.pk]), {"zoom": "far"})
    assert response.status_code == 400 and response.json()["reason"]


def test_the_doors_inside_the_area_are_counted_before_the_cut_and_the_cut_takes_them(
    mapped, canvass, leader, make_contact
):
    make_contact("Bob", address="2 rue Saint-Denis", latitude=45.5231, longitude=-73.5901)  # a Plateau door
    make_contact("Dan", latitude=45.5233, longitude=-73.5899, do_not_knock=True)  # never on a list
    area = [[45.515, -73.60], [45.530, -73.60], [45.530, -73.55], [45.515, -73.55]]  # the Plateau only
    form = {"polygon": json.dumps(area), "country": "CA", "doors_per_list": 50, "max_lists": 10}
    client = client_for(leader)

    counted = client.get(reverse("fieldwork:turf_count", args=[canvass.pk]), form).json()
    assert (counted["doors"], counted["people"]) == (4, 5)
    assert counted["text"] == "4 doors to knock in this area (5 people)."

    client.post(reverse("fieldwork:turf", args=[canvass.pk]), form)
    assert WalkList.objects.get(campaign=canvass).door_count == 4
    assert Target.objects.filter(campaign=canvass).count() == 5
    again = client.get(reverse("fieldwork:turf_count", args=[canvass.pk]), form).json()
    assert (again["doors"], again["people"]) == (0, 0)  # the doors now on a list are not offered twice


def test_a_count_of_an_unreadable_area_says_what_is_wrong(canvass, leader):
    response = client_for(leader).get(
        reverse("fieldwork:turf_count", args=[canvass.pk]),
        {"polygon": "[[1, 2]]", "country": "CA", "doors_per_list": 5, "max_lists": 1},
    )
    assert response.status_code == 400
    assert "could not be read" in response.json()["reason"]


def test_grid_steps_halve_with_each_zoom():
    assert turf_map.grid_degrees(13) == pytest.approx(turf_map.grid_degrees(12) / 2)
    assert turf_map.grid_degrees(99) == turf_map.grid_degrees(turf_map.MAX_ZOOM)
