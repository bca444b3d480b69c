"""Organizations and Mobilize's paging: count, absolute next/previous links, cursors, page numbers;
a fixed number of queries per page whatever its length."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext

from quartier.api.tests import mobilize_support as support
from quartier.api.tests.mobilize_support import MobilizeClient
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Group

pytestmark = pytest.mark.django_db
make_event, make_group, host, leader = support.make_event, support.make_group, support.host, support.leader


def follow(client: MobilizeClient, link: str) -> dict:
    assert link.startswith(settings.SITE_URL + support.BASE)
    path, _mark, query = link[len(settings.SITE_URL + support.BASE) :].partition("?")
    return client.get(f"{path}?{query}")


def test_next_and_previous_links_walk_every_event_once_each_way(make_event, host):
    events = [make_event(host, title=f"Event {n}").pk for n in range(5)]
    client = MobilizeClient()

    first = client.get("/events", {"per_page": 2, "is_virtual": "false"})
    second = follow(client, first["next"])
    third = follow(client, second["next"])

    assert [first["count"], second["count"], third["count"]] == [5, 5, 5]
    walked = [row["id"] for page in (first, second, third) for row in page["data"]]
    assert walked == events
    assert first["previous"] is None and third["next"] is None
    assert "is_virtual=false" in second["next"] and "per_page=2" in second["next"]
    back = follow(client, third["previous"])
    assert [row["id"] for row in back["data"]] == events[2:4]
    assert [row["id"] for row in follow(client, back["previous"])["data"]] == events[:2]


def test_page_numbers_work_and_a_page_past_the_last_is_empty_with_a_way_back(make_event, host):
    events = [make_event(host).pk for _n in range(3)]
    client = MobilizeClient()

    assert [row["id"] for row in client.get("/events", {"per_page": 2, "page": 2})["data"]] == events[2:]
    past = client.get("/events", {"per_page": 2, "page": 9})
    assert past["data"] == [] and past["count"] == 3 and past["next"] is None
    assert [row["id"] for row in follow(client, past["previous"])["data"]] == events[2:]


@pytest.mark.parametrize(
    "query", [{"per_page": 0}, {"page": 0}, {"cursor": "not-a-cursor"}, {"per_page": "x"}]
)
def test_bad_paging_is_a_400_in_mobilizes_shape(query):
    MobilizeClient().get("/events", query, status=400)


def test_a_large_per_page_is_capped_at_one_hundred(make_event, host):
    assert MobilizeClient().get("/events", {"per_page": 5000})["count"] == 0


def test_organizations_are_the_campaign_then_active_groups(make_group, leader):
    first = make_group(leader, name="First group")
    closed = make_group(leader, name="Closed group")
    Group.objects.filter(pk=closed.pk).update(status=Group.Status.CLOSED)
    last = make_group(leader, name="Last group")
    client = MobilizeClient()

    body = client.get("/organizations")

    assert [row["id"] for row in body["data"]] == [1, first.pk + 1, last.pk + 1]
    assert body["data"][0]["org_type"] == "CAMPAIGN" and body["data"][1]["name"] == "First group"
    assert body["data"][1]["state"] == "QC"
    page_one = client.get("/organizations", {"per_page": 1})
    page_two = follow(client, page_one["next"])
    assert [row["id"] for row in page_two["data"]] == [first.pk + 1]
    assert [row["id"] for row in follow(client, page_two["previous"])["data"]] == [1]
    client.get(f"/organizations/{closed.pk + 1}/events", status=404)


def queries_for(path: str, token: str | None = None) -> int:
    MobilizeClient(token).get(path)  # the campaign's branding cached, as on a live site
    with CaptureQueriesContext(connection) as captured:
        MobilizeClient(token).get(path, {"per_page": 100})
    return len(captured)


def test_an_event_page_costs_the_same_queries_for_two_events_or_twenty(make_event, host, leader, make_group):
    group = make_group(leader)
    for n in range(2):
        make_event(leader if n % 2 else host, group=group if n % 2 else None)
    few = queries_for("/events")
    for n in range(18):
        make_event(leader if n % 2 else host, group=group if n % 2 else None)

    assert queries_for("/events") == few <= 5


def test_attendance_and_people_pages_cost_the_same_queries_for_few_rows_or_many(
    make_event, host, make_supporter, make_key
):
    _key, client = make_key("people:read", "events:read", bearer=True)
    event = make_event(host, capacity=50)
    for n in range(2):
        rsvps_actions.rsvp(supporter=make_supporter(f"Early {n}"), shift=event.shifts.get())
    few = (
        queries_for("/organizations/1/attendances", client.token),
        queries_for("/organizations/1/people", client.token),
    )
    for n in range(15):
        rsvps_actions.rsvp(supporter=make_supporter(f"Late {n}"), shift=make_event(host).shifts.get())

    many = (
        queries_for("/organizations/1/attendances", client.token),
        queries_for("/organizations/1/people", client.token),
    )
    assert many == few
