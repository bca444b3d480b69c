"""The organiser dashboard's figures are rendered once per scope and served to everyone who may see
that scope: never to anyone else, never after a rollup changed them, in the same few queries whatever
the size of the figures."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import TOTP
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from quartier.accounts.activity import record_activity
from quartier.dashboard import actions
from quartier.organizing.actions import groups as organizing_groups
from quartier.organizing.models import Group
from quartier.testing import TOTP_SECRET, client_for

pytestmark = pytest.mark.django_db

ORGANIZE = reverse("dashboard:organize")


def given(body: str) -> str:
    return body.split('data-figure="amount">')[1].split("</dd>")[0]


def make_group(creator, name: str) -> Group:
    draft = organizing_groups.GroupDraft(
        name=name, description="", area="Plateau", country="CA", postal_code="H2X 1Y4", latitude=45.52,
        longitude=-73.58, town="Montréal", join_policy=Group.JoinPolicy.OPEN,
    )  # fmt: skip
    return organizing_groups.create_group(creator=creator, draft=draft)


def roll_up(capture) -> None:
    with capture(execute=True):  # the stamp is bumped when the rollup commits
        actions.roll_up()


def test_a_rollup_that_changes_the_figures_shows_at_once(
    staff, supporter, django_capture_on_commit_callbacks
):
    client = client_for(staff)
    record_activity("donations.gift", supporter=supporter, key="g1", amount=1_100, currency="CAD")
    roll_up(django_capture_on_commit_callbacks)
    assert "$11" in given(client.get(ORGANIZE).content.decode())
    assert "$11" in given(client.get(ORGANIZE).content.decode())  # served from the cache
    record_activity("donations.gift", supporter=supporter, key="g2", amount=2_200, currency="CAD")
    roll_up(django_capture_on_commit_callbacks)
    assert "$33" in given(client.get(ORGANIZE).content.decode())


def test_the_figures_are_read_once_for_every_staff_member(staff, make_supporter, supporter):
    record_activity("donations.gift", supporter=supporter, key="g1", amount=1_100, currency="CAD")
    actions.roll_up()
    other_staff = make_supporter("Autre permanent", staff=True)
    TOTP.activate(other_staff, TOTP_SECRET)
    with CaptureQueriesContext(connection) as first:
        assert client_for(staff).get(ORGANIZE).status_code == 200
    with CaptureQueriesContext(connection) as second:
        body = client_for(other_staff).get(ORGANIZE).content.decode()
    assert "$11" in given(body)
    figure_tables = ("dashboard_regionfigure", "dashboard_regionperiodfigure", "dashboard_cursor")
    assert any(table in query["sql"] for query in first.captured_queries for table in figure_tables)
    assert not any(table in query["sql"] for query in second.captured_queries for table in figure_tables)


def test_a_leader_never_sees_another_groups_figures_through_the_cache(supporter, other_supporter, staff):
    ours, theirs = make_group(supporter, "Plateau pour tous"), make_group(other_supporter, "Rosemont")
    record_activity(
        "donations.gift", supporter=supporter, key="ours", amount=1_100, currency="CAD", group_id=ours.pk
    )
    record_activity("donations.gift", supporter=other_supporter, key="theirs", amount=2_200, currency="CAD",
                    group_id=theirs.pk)  # fmt: skip
    actions.roll_up()
    for path in (reverse("dashboard:organize_group", args=[ours.slug]), ORGANIZE):
        client_for(supporter).get(path)  # ours cached (and the campaign's redirect to it)
    client_for(staff).get(ORGANIZE)  # the campaign's figures cached
    body = client_for(other_supporter).get(reverse("dashboard:organize_group", args=[theirs.slug])).content
    assert "$22" in given(body.decode()) and "$11" not in given(body.decode())
    assert (
        client_for(other_supporter).get(reverse("dashboard:organize_group", args=[ours.slug])).status_code
        == 404
    )
    assert client_for(other_supporter).get(ORGANIZE).status_code in {302, 403}
    # Staff asking for one group on the campaign's page see that group's figures only.
    assert "$11" not in given(client_for(staff).get(f"{ORGANIZE}?group={theirs.slug}").content.decode())


def test_each_area_keeps_its_own_figures(staff, make_supporter):
    montreal = make_supporter("Montréal", postal_code="H2X 1Y4")
    toronto = make_supporter("Toronto", postal_code="M5V 2T6")
    record_activity("donations.gift", supporter=montreal, key="m", amount=1_100, currency="CAD")
    record_activity("donations.gift", supporter=toronto, key="t", amount=2_200, currency="CAD")
    actions.roll_up()
    client = client_for(staff)
    for _twice in range(2):
        assert "$11" in given(client.get(ORGANIZE + "?area=CA-QC").content.decode())
        assert "$22" in given(client.get(ORGANIZE + "?area=CA-ON").content.decode())
        assert "$33" in given(client.get(ORGANIZE).content.decode())


def organiser_queries(client, path: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_the_organiser_page_costs_the_same_queries_whatever_the_figures(
    staff, make_supporter, django_capture_on_commit_callbacks
):
    year = f"{ORGANIZE}?start={(timezone.localdate() - timedelta(days=364)).isoformat()}"
    client = client_for(staff)
    client.get(f"{ORGANIZE}?area=CA-ON")  # the session and what every page reads once
    found = []
    for size in (2, 40):
        people = [make_supporter(f"P{size}-{n}", postal_code=f"H{n % 9}X 1Y4") for n in range(3)]
        for number in range(size):
            record_activity("donations.gift", supporter=people[number % 3], key=f"{size}:{number}", amount=1_000,
                            currency="CAD", occurred_at=timezone.now() - timedelta(days=number * 9))  # fmt: skip
            record_activity("fieldwork.call", supporter=people[number % 3], key=f"{size}:{number}",
                            detail={"reached": True, "answers": [{"question": "Vote?", "answer": str(number)}]},
                            occurred_at=timezone.now() - timedelta(days=number * 5))  # fmt: skip
        roll_up(django_capture_on_commit_callbacks)
        found.append([organiser_queries(client, path) for path in (ORGANIZE, year, year)])
    assert found[0] == found[1]
    missed, missed_year, hit = found[0]
    # The session, the user, their second factor, the layout's count for staff (4, the cost of any staff
    # page); then on a miss: the cursor (for "as of" and to key the counts), the figures (one query for a
    # year too: daily, weekly and monthly rows together), the answers, active people and groups, the map.
    assert missed == missed_year == hit + 6
    assert hit <= 4
    assert re.search(r"\$\d", given(client.get(year).content.decode()))


def test_figures_as_of_moves_with_every_rollup_even_one_adding_nothing(
    staff, supporter, django_capture_on_commit_callbacks
):
    """The figures stay cached when a rollup finds nothing new, but the time they are as of is the last
    run's: the page never says the figures are older than they are."""
    client = client_for(staff)
    record_activity("donations.gift", supporter=supporter, key="g1", amount=1_100, currency="CAD")
    earlier = timezone.now() - timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        actions.roll_up(now=earlier)
    first = client.get(ORGANIZE).content.decode()
    assert "$11" in given(first)
    with django_capture_on_commit_callbacks(execute=True):
        actions.roll_up()  # nothing new in the journal
    later = client.get(ORGANIZE).content.decode()
    as_of = re.compile(r'<p class="as-of">([^<]*?\.)')
    assert as_of.search(first).group(1) != as_of.search(later).group(1)
    assert "$11" in given(later)
