"""Gift totals are locked in one fixed order by every writer, so simultaneous gifts cannot deadlock.

The order: the donor's aggregate, then fundraising pages by id, then daily shards by key
(`actions/totals.py`). Checked on the SQL each writer sends, so it holds on SQLite and PostgreSQL.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quartier.donations.actions import gifts as gifts_actions
from quartier.donations.actions import recurring as recurring_actions
from quartier.donations.actions import refunds as refunds_actions
from quartier.donations.actions import totals
from quartier.donations.tests.conftest import deliver, give, start_stripe_gift

pytestmark = pytest.mark.django_db
RANK = {"donations_donoraggregate": 0, "donations_fundraisingpage": 1, "donations_dailytotal": 2}


def locks_taken(queries) -> list[tuple[int, int]]:
    """(table rank, key) of each total row written, in the order the database saw them.

    Inserts are left out: a daily shard is inserted only after its UPDATE found no row.
    """
    taken = []
    for query in queries:
        sql = query["sql"]
        match = re.match(r'UPDATE "(donations_\w+)"', sql) or re.search(
            r'FROM "(donations_donoraggregate)".* FOR UPDATE', sql
        )
        if not match or match.group(1) not in RANK:
            continue
        key = re.search(r'"(?:shard|id)" = (\d+)', sql)
        taken.append((RANK[match.group(1)], int(key.group(1)) if key else 0))
    return taken


def assert_in_order(taken: list[tuple[int, int]]) -> None:
    first_seen = list(dict.fromkeys(taken))  # a row written twice keeps its first place
    assert first_seen == sorted(first_seen), first_seen


def test_a_monthly_gifts_start_and_first_payment_lock_page_then_shards_in_order(
    fake_stripe, client, page, us_federal
):
    _donation, checkout = start_stripe_gift(
        1000, frequency="monthly", page=page, employer="Acme", occupation="Nurse"
    )
    completed, _invoice = fake_stripe.pay_session(checkout.reference)
    with CaptureQueriesContext(connection) as queries:
        assert deliver(client, completed) == "applied"
    taken = locks_taken(queries)
    assert {rank for rank, _key in taken} == {0, 1, 2}
    assert_in_order(taken)


def test_a_refund_and_a_renewal_lock_in_the_same_order(page, staff, us_federal):
    first = give(1000, frequency="monthly", page=page, employer="Acme", occupation="Nurse")
    with CaptureQueriesContext(connection) as refund_queries:
        refunds_actions.refund(donation=first, by=staff, amount_minor=400)
    assert_in_order(locks_taken(refund_queries))
    with CaptureQueriesContext(connection) as renewal_queries:
        recurring_actions.record_renewal(recurring=first.recurring, invoice_reference="sbx_inv_x")
    assert {rank for rank, _key in locks_taken(renewal_queries)} == {0, 1, 2}
    assert_in_order(locks_taken(renewal_queries))


def test_daily_shards_are_written_sorted_whatever_order_they_were_changed_in():
    today = timezone.localdate()
    with CaptureQueriesContext(connection) as queries, totals.batch():
        for shard in (5, 2, 7, 0):
            gifts_actions._add_to_daily(day=today, currency="CAD", shard=shard, gift_count=1)
    shards = [key for rank, key in locks_taken(queries) if rank == 2]
    assert list(dict.fromkeys(shards)) == [0, 2, 5, 7]
