"""A fundraising page's own address: two narrow queries on a first visit (the page with its owner, team,
event and the owner's referral code; the honour roll), none on a hit, and for a signed-in visitor
the same two once the user is cached."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from quartier.accounts import branding
from quartier.reach.models import ReferralCode
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


def queries_of(client: Client, path: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200
    return [query["sql"] for query in captured.captured_queries if "django_session" not in query["sql"]]


def test_a_first_visit_reads_the_page_and_its_honour_roll_then_a_hit_reads_nothing(page):
    branding.current()  # read once per process, then from the cache
    first = queries_of(Client(), page.get_absolute_url())
    assert len(first) == 2
    page_query = first[0]
    assert '"donations_fundraisingpage"."story_html"' in page_query
    assert '"donations_fundraisingpage"."story",' not in page_query  # the raw Markdown is not shown
    assert '"accounts_supporter"."email"' not in page_query and '"password"' not in page_query
    assert queries_of(Client(), page.get_absolute_url()) == []


def test_a_signed_in_visitor_costs_the_same_two_reads_once_they_are_known(page, make_supporter):
    branding.current()
    visitor = client_for(make_supporter("Max Member"))
    queries_of(visitor, page.get_absolute_url())  # their row is read once, then cached
    assert len(queries_of(visitor, page.get_absolute_url())) == 2


def test_the_share_link_carries_the_owners_code_read_with_the_page(page):
    code = ReferralCode.objects.get(supporter=page.owner).code
    body = Client().get(page.get_absolute_url()).content.decode()
    assert f"?ref={code}&amp;refcode=share" in body
