"""Search results come a page at a time (no silent cut at 20), in the order asked for."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from quartier.organizing.queries.search import PAGE_SIZE


def titles(response) -> list[str]:
    return [
        item.name if hasattr(item, "name") else item.title for item, _distance in response.context["results"]
    ]


@pytest.fixture
def many_events(make_event, host):
    """45 events, one every 100 m going north, each a day later than the one before."""
    return [
        make_event(host, title=f"Event {n:02d}", latitude=45.52 + n * 0.0009, longitude=-73.58,
                   starts_in=timedelta(days=1 + n))
        for n in range(45)
    ]  # fmt: skip


def test_event_search_pages_through_every_result_nearest_first(many_events, django_assert_max_num_queries):
    client = Client()
    query = {"near": "45.52,-73.58", "within": "25"}

    first = client.get(reverse("organizing:events"), query)
    with django_assert_max_num_queries(5):
        second = client.get(reverse("organizing:events"), {**query, "page": "2"})
    third = client.get(reverse("organizing:events"), {**query, "page": "3"})

    assert titles(first) == [f"Event {n:02d}" for n in range(20)]
    assert titles(second) == [f"Event {n:02d}" for n in range(20, 40)]
    assert titles(third) == [f"Event {n:02d}" for n in range(40, 45)]
    page = first.content.decode()
    assert 'rel="next" href="?near=45.52%2C-73.58&amp;within=25&amp;page=2"' in page
    assert 'rel="prev"' not in page
    assert 'rel="prev" href="?near=45.52%2C-73.58&amp;within=25&amp;page=2"' in third.content.decode()
    assert 'rel="next"' not in third.content.decode()


def test_event_search_sorts_by_date_near_a_place_when_asked(many_events, make_event, host):
    make_event(host, title="Far and soon", latitude=45.70, longitude=-73.58, starts_in=timedelta(hours=5))
    make_event(host, title="Too far", latitude=46.81, longitude=-71.21, starts_in=timedelta(hours=1))

    response = Client().get(
        reverse("organizing:events"), {"near": "45.52,-73.58", "within": "25", "sort": "date"}
    )

    assert titles(response) == ["Far and soon"] + [f"Event {n:02d}" for n in range(19)]


def test_event_search_without_a_place_pages_by_date(many_events):
    response = Client().get(reverse("organizing:events"), {"page": "3"})

    assert titles(response) == [f"Event {n:02d}" for n in range(40, 45)]
    assert response.context["page"].has_previous and not response.context["page"].has_next


def test_a_page_number_that_is_not_a_number_shows_the_first_page(many_events):
    response = Client().get(reverse("organizing:events"), {"near": "45.52,-73.58", "page": "deux"})

    assert response.status_code == 200
    assert len(titles(response)) == PAGE_SIZE and response.context["page"].number == 1


def test_group_search_pages_too(make_group, leader):
    for n in range(25):
        make_group(leader, name=f"Group {n:02d}", latitude=45.52 + n * 0.0009, longitude=-73.58)

    first = Client().get(reverse("organizing:groups"), {"near": "45.52,-73.58", "within": "25"})
    second = Client().get(reverse("organizing:groups"), {"near": "45.52,-73.58", "within": "25", "page": "2"})

    assert titles(first) == [f"Group {n:02d}" for n in range(20)]
    assert titles(second) == [f"Group {n:02d}" for n in range(20, 25)]
    assert len(first.context["map_points"]) == 20


@pytest.mark.parametrize("url", ["organizing:events", "organizing:groups"])
def test_a_search_error_is_never_shown_with_the_empty_state(url, db):
    response = Client().get(reverse(url), {"near": "not a place", "country": "CA"})

    page = response.content.decode()
    assert 'class="error"' in page
    assert 'class="empty"' not in page


@pytest.mark.parametrize("url", ["organizing:events", "organizing:groups"])
def test_a_search_without_results_shows_the_empty_state_and_no_error(url, db):
    response = Client().get(reverse(url), {"near": "45.52,-73.58", "within": "5"})

    page = response.content.decode()
    assert 'class="empty"' in page
    assert 'class="error"' not in page


def test_every_kind_of_search_page_runs_a_bounded_number_of_queries(
    many_events, django_assert_max_num_queries
):
    client = Client()
    near = {"near": "45.52,-73.58", "within": "25"}

    # Soonest first near a place: the ids of the box in date order (one chunk here), then the rows.
    with django_assert_max_num_queries(3):
        client.get(reverse("organizing:events"), {**near, "sort": "date", "page": "2"})
    # No place: one query for the page and its hosts and groups.
    with django_assert_max_num_queries(2):
        client.get(reverse("organizing:events"), {"page": "2"})
    with django_assert_max_num_queries(6):
        client.get(reverse("organizing:groups"), {**near, "page": "2"})
