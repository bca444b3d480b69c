"""Incremental rollups equal a full recount, whatever the order, timing and repetition of the journal.

Gifts, refunds, calls and posts come as journal rows here, with the kinds and details the donations,
fieldwork and social apps record (see the activity journal's contract in docs/decisions.md): the
rollups see nothing else of those apps. The browser journey drives the apps themselves.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from quartier.accounts import actions as account_actions
from quartier.accounts.activity import record_activity
from quartier.accounts.models import Activity
from quartier.dashboard import actions, queries
from quartier.dashboard.models import Cursor, GroupFigure, LastActive, Referral, RegionFigure, SupporterFigure
from quartier.testing import run_together

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
MIDNIGHT = datetime(2026, 11, 30, 0, 0, tzinfo=TORONTO)


def snapshot() -> dict[str, set]:
    """Every figure of every summary table, zeros left out (a row summing to nothing is no figure)."""
    return {
        "regions": set(RegionFigure.objects.exclude(count=0, amount=0).values_list(
            "region", "metric", "day", "label", "count", "amount")),
        "groups": set(GroupFigure.objects.exclude(count=0, amount=0).values_list(
            "group_id", "metric", "day", "label", "count", "amount")),
        "supporters": set(SupporterFigure.objects.exclude(count=0, amount=0).values_list(
            "supporter_id", "day", "metric", "count", "amount")),
        "last_active": set(LastActive.objects.values_list("supporter_id", "day", "region")),
        "referrals": set(Referral.objects.values_list("supporter_id", "referrer_id")),
    }  # fmt: skip


KINDS = [
    ("donations.gift", True), ("donations.refund", True), ("donations.recurring_started", True),
    ("donations.recurring_cancelled", True), ("fieldwork.door", False), ("fieldwork.call", False),
    ("organizing.rsvp", False), ("organizing.rsvp_cancelled", False), ("social.post", False),
    ("reach.referral_signup", False),
]  # fmt: skip

action = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(KINDS),
        "who": st.integers(0, 3),
        "credit": st.one_of(st.none(), st.integers(0, 3)),
        "minutes": st.integers(-90, 90),  # around local midnight, on either side
        "days_late": st.sampled_from([0, 0, 0, 3, 40]),  # a late webhook recorded days after the fact
        "amount": st.integers(1, 40_000),
        "key": st.integers(0, 12),  # small: duplicates happen
        "group": st.one_of(st.none(), st.integers(1, 2)),
        "reached": st.booleans(),
        "answer": st.sampled_from(["", "yes", "no"]),
    }
)
step = st.one_of(
    action.map(lambda a: ("record", a)),
    st.integers(1, 4).map(lambda batch: ("roll_up", batch)),
    st.integers(0, 3).map(lambda who: ("delete", who)),
)


def apply_action(people, a) -> None:
    kind, is_money = a["kind"]
    who = people[a["who"]]
    credited = people[a["credit"]] if a["credit"] is not None else None
    negative = kind in {"donations.refund", "donations.recurring_cancelled", "organizing.rsvp_cancelled"}
    detail = {}
    if kind.startswith("fieldwork."):
        detail = {"result": "talked", "reached": a["reached"], "campaign": 1,
                  "answers": [{"question": "Vote?", "answer": a["answer"]}] if a["answer"] else []}  # fmt: skip
    record_activity(
        kind,
        supporter=who,
        key=f"k{a['key']}",
        occurred_at=MIDNIGHT + timedelta(minutes=a["minutes"]),
        count=-1 if negative and kind != "donations.refund" else 1,
        amount=(-a["amount"] if negative else a["amount"]) if is_money else 0,
        currency="CAD" if is_money else "",
        credited_to=credited if credited != who else None,
        group_id=a["group"],
        detail=detail,
    )


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(steps=st.lists(step, max_size=30), range_size=st.sampled_from([1, 2, 5, actions.REBUILD_RANGE]))
def test_incremental_rollups_equal_a_full_recount(make_supporter, steps, range_size):
    Activity.objects.all().delete()
    Cursor.objects.all().delete()
    for model in (RegionFigure, GroupFigure, SupporterFigure, LastActive, Referral):
        model.objects.all().delete()
    people = [
        make_supporter(f"Person {n}", postal_code=code)
        for n, code in enumerate(["H2X 1Y4", "H2T 1A1", "M5V 2T6", ""])
    ]
    deleted = set()
    for kind, value in steps:
        if kind == "record":
            if value["who"] not in deleted:
                apply_action(people, value)
        elif kind == "roll_up":
            actions.roll_up(batch=value)
        elif value not in deleted:
            account_actions.delete_account(supporter=people[value])
            deleted.add(value)
    actions.roll_up()
    incremental = snapshot()
    actions.rebuild(range_size=range_size)  # by ranges of the journal as small as one row
    assert snapshot() == incremental


def test_a_row_that_commits_after_a_later_one_is_still_counted(supporter):
    actions.roll_up()
    first = Activity.objects.create(kind="social.post", key="a", supporter=supporter, region="CA:H2X")
    # Two ids further on: as if the row in between were still in an open transaction.
    Activity.objects.create(
        pk=first.pk + 2, kind="social.post", key="c", supporter=supporter, region="CA:H2X"
    )
    actions.roll_up()
    assert str(first.pk + 1) in Cursor.objects.get().gaps
    Activity.objects.create(
        pk=first.pk + 1, kind="social.post", key="b", supporter=supporter, region="CA:H2X"
    )
    actions.roll_up()
    assert queries.personal_totals(supporter)["social.post"] == [3, 0]
    assert (
        sum(RegionFigure.objects.filter(metric="social.post", region="*").values_list("count", flat=True))
        == 3
    )
    assert Cursor.objects.get().gaps == {}


def test_a_gap_nobody_fills_is_given_up_after_a_while(supporter):
    actions.roll_up()
    first = Activity.objects.create(kind="social.post", key="a", supporter=supporter)
    Activity.objects.create(pk=first.pk + 2, kind="social.post", key="c", supporter=supporter)
    actions.roll_up()
    actions.roll_up(now=Cursor.objects.get().updated_at + actions.GAP_PATIENCE + timedelta(seconds=1))
    assert Cursor.objects.get().gaps == {}


def test_a_gift_before_midnight_counts_that_local_day(supporter):
    record_activity(
        "donations.gift",
        supporter=supporter,
        key="g",
        amount=2_500,
        currency="CAD",
        occurred_at=datetime(2026, 11, 30, 4, 59, tzinfo=ZoneInfo("UTC")),
    )  # 23:59 in Toronto
    actions.roll_up()
    figure = RegionFigure.objects.get(metric="donations.gift", region="*")
    assert (str(figure.day), figure.label, figure.count, figure.amount) == ("2026-11-29", "CAD", 1, 2_500)
    assert RegionFigure.objects.get(metric="donations.gift_under_50", region="CA:H2X").count == 1
    assert not RegionFigure.objects.filter(metric="donations.gift_under_50", region="CA:M5V").exists()


def test_the_person_sees_their_own_action_before_the_rollup_runs(supporter):
    actions.roll_up()
    record_activity("fieldwork.call", supporter=supporter, key="call:1", detail={"reached": True})
    assert queries.personal_totals(supporter)["fieldwork.call"] == [1, 0]
    assert not SupporterFigure.objects.filter(supporter=supporter, metric="fieldwork.call").exists()


@pytest.mark.django_db(transaction=True)
def test_workers_rolling_up_at_once_count_each_row_once(make_supporter):
    # On PostgreSQL the cursor row's lock orders the workers; SQLite serialises their writes.
    person = make_supporter("Racing Worker")
    for number in range(60):
        record_activity("social.post", supporter=person, key=f"post:{number}")
    outcomes = run_together([lambda: actions.roll_up(batch=7) for _ in range(4)])
    assert sum(outcomes) == 61  # 60 posts and the sign-up, each read by exactly one worker
    assert queries.personal_totals(person)["social.post"] == [60, 0]


def test_deleting_an_account_moves_its_figures_out_of_its_area_as_a_recount_would(supporter):
    record_activity("social.post", supporter=supporter, key="p1")
    actions.roll_up()
    account_actions.delete_account(supporter=supporter)
    actions.roll_up()
    assert not RegionFigure.objects.filter(metric="social.post", region="CA:H2X").exclude(count=0).exists()
    assert RegionFigure.objects.get(metric="social.post", region="*").count == 1
    assert not SupporterFigure.objects.filter(supporter=supporter).exists()
    incremental = snapshot()
    actions.rebuild()
    assert snapshot() == incremental


def test_the_periodic_task_rolls_up_new_journal_rows(supporter):
    from quartier.dashboard import tasks

    record_activity("social.post", supporter=supporter, key="task:1")
    assert tasks.roll_up.delay().get() >= 1
    assert SupporterFigure.objects.get(supporter=supporter, metric="social.post").count == 1
