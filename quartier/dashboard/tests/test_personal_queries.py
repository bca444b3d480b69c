"""The personal dashboard reads its small figures together: a handful of queries, whatever one did.

A person with many RSVPs, hosted events, groups with events, conversations, follows and journal rows
costs the same queries as a person with a few of each (no query per row), and only a few more than a
quiet account (one per list that is not empty). Each panel's figures read together are the figures
each app reads alone, and nobody sees another person's.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quartier.accounts.activity import record_activity
from quartier.dashboard import queries
from quartier.dashboard.tests.conftest import make_event
from quartier.organizing.actions import groups as organizing_groups
from quartier.organizing.actions import rsvps as organizing_rsvps
from quartier.social.actions import connections as social_connections
from quartier.social.actions import conversations as social_conversations
from quartier.testing import client_for

pytestmark = pytest.mark.django_db

PERSONAL = reverse("dashboard:personal")
# The session and its user; the snapshot (cursor, index rules, every panel's counts); the person's figures
# and the journal rows not rolled up yet; the latest actions; events attended and hosted; groups and
# their events; the suggestions near them; for a busy account, one more per list that is not empty.
# (Test sessions are in the database: one query that Redis sessions do not make.)
QUIET_QUERIES = 8
BUSY_QUERIES = 15


def busy(person, others, *, size: int) -> None:
    """`size` RSVPs, hosted events, groups with events, conversations and follows for `person`."""
    for number in range(size):
        host = others[number % len(others)]
        organizing_rsvps.rsvp(supporter=person, shift=make_event(host, days=2 + number).shifts.get())
        make_event(person, days=3 + number)
        group = organizing_groups.create_group(
            creator=host,
            draft=organizing_groups.GroupDraft(
                name=f"Groupe {number} {size}", description="", area="Plateau", country="CA",
                postal_code="H2X 1Y4", latitude=45.52, longitude=-73.58, town="Montréal",
                join_policy="open",
            ),
        )  # fmt: skip
        organizing_groups.join_group(
            supporter=person, group=group, accepts_messages=False, consent_wording="", language="en",
            ip_address=None,
        )  # fmt: skip
        make_event(host, days=4 + number, group=group)
        social_connections.follow(follower=person, followed=host)
        social_connections.follow(follower=host, followed=person)
        social_conversations.start_conversation(
            sender=host, recipients=[person], title=f"Salut {number}", body="Bonjour"
        )
        record_activity("social.post", supporter=person, key=f"post:{size}:{number}")


def dashboard_queries(person) -> tuple[int, str]:
    client = client_for(person)
    client.get(PERSONAL)  # the session and caches, as on any later visit
    with CaptureQueriesContext(connection) as captured:
        response = client.get(PERSONAL)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content.decode()


def test_a_quiet_account_costs_a_handful_of_queries(supporter):
    count, body = dashboard_queries(supporter)
    assert count <= QUIET_QUERIES
    assert "My activity level" in body


def test_the_queries_do_not_grow_with_what_one_did(supporter, make_supporter):
    others = [make_supporter(f"Hôte {number}") for number in range(5)]
    busy(supporter, others[:2], size=2)
    few, body = dashboard_queries(supporter)
    assert "Salut 1" in body and "Groupe 1 2" in body
    busy(supporter, others, size=5)
    many, body = dashboard_queries(supporter)
    assert "Salut 4" in body and "Groupe 4 5" in body
    assert many == few <= BUSY_QUERIES


def test_the_counts_read_together_are_those_each_app_reads_alone(supporter, other_supporter, make_supporter):
    others = [make_supporter("Hôte"), make_supporter("Autre hôte"), other_supporter]
    busy(supporter, others, size=3)
    snapshot = queries.personal_snapshot(supporter)
    for app, _counters_of, summary_of in queries.PANELS:
        assert summary_of(supporter, snapshot) == summary_of(supporter), app
    assert snapshot["social_unread_messages"] == 3


def test_nobody_sees_another_persons_counts(supporter, other_supporter, make_supporter):
    busy(supporter, [make_supporter("Hôte"), make_supporter("Autre hôte")], size=2)
    own = queries.personal_snapshot(supporter)
    theirs = queries.personal_snapshot(other_supporter)
    assert own["social_unread_messages"] == 2 and own["social_follows"]
    assert theirs["social_unread_messages"] == 0 and not theirs["social_follows"]
    body = client_for(other_supporter).get(PERSONAL).content.decode()
    assert "Salut" not in body and "Groupe 0" not in body


def test_figures_summed_by_the_database_give_the_totals_of_every_day(supporter, other_supporter):
    from datetime import timedelta

    from django.utils import timezone

    from quartier.dashboard import actions

    for days_ago in (0, 5, 60, 120, 121, 400):  # none near the 90-day edge: any hour, any zone
        moment = timezone.now() - timedelta(days=days_ago)
        record_activity("social.post", supporter=supporter, key=f"p{days_ago}", occurred_at=moment)
        record_activity("donations.gift", supporter=other_supporter, key=f"g{days_ago}", occurred_at=moment,
                        amount=1_000 + days_ago, currency="CAD", credited_to=supporter)  # fmt: skip
    actions.roll_up()
    record_activity("social.comment", supporter=supporter, key="not rolled up yet")
    since = queries.index_since(90)
    every_day = queries.personal_figures(supporter)
    summed = queries.personal_figures(supporter, since=since)
    assert len(summed) < len(every_day)
    assert queries.totals_of(summed) == queries.totals_of(every_day)
    assert queries.totals_of(summed, since) == queries.totals_of(every_day, since)
    assert queries.totals_of(summed, since)["social.post"] == [3, 0]
    assert queries.totals_of(summed, since)["social.comment"] == [1, 0]
