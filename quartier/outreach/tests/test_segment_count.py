"""The count of a whole topic's list, read from indexes by subtraction (`queries.consenting_count`),
is the plain query's count whatever the data: unverified, inactive, deleted, suppressed, a later no,
a yes to another topic, a suppressed address nobody has."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.outreach import queries, segments
from quartier.outreach.models import CAMPAIGN_NEWS, Suppression
from quartier.outreach.models import TOPIC_FUNDRAISING as FUNDRAISING
from quartier.outreach.tests.helpers import consent

pytestmark = pytest.mark.django_db


def plain_count(topic: str) -> int:
    return queries.consenting(Supporter.objects.all(), topic).count()


@pytest.fixture
def tricky(make_supporter) -> dict[str, Supporter]:
    people = {name: make_supporter(name.title()) for name in (
        "yes", "yes too", "unverified", "inactive", "deleted", "suppressed", "later no", "other topic",
        "never asked", "unverified and suppressed",
    )}  # fmt: skip
    for name, person in people.items():
        if name != "never asked":
            consent(person, FUNDRAISING if name == "other topic" else CAMPAIGN_NEWS)
    consent(people["later no"], CAMPAIGN_NEWS, granted=False)
    Supporter.objects.filter(pk__in=[people["unverified"].pk, people["unverified and suppressed"].pk]).update(
        email_verified_at=None
    )
    Supporter.objects.filter(pk=people["inactive"].pk).update(is_active=False)
    Supporter.objects.filter(pk=people["deleted"].pk).update(deleted_at=timezone.now())
    for number in range(6):  # most people reachable, as on a real list: the count subtracts
        consent(make_supporter(f"Reader {number}"), CAMPAIGN_NEWS)
    for address in (
        people["suppressed"].email,
        people["unverified and suppressed"].email,
        "nobody@example.org",
    ):
        Suppression.objects.create(address=address, reason=Suppression.Reason.BOUNCED)
    return people


def test_the_count_of_a_whole_topic_is_the_plain_querys_on_tricky_data(tricky):
    assert plain_count(CAMPAIGN_NEWS) == 8  # "yes", "yes too" and the six readers
    with CaptureQueriesContext(connection) as counted:
        assert segments.count(segments.Segment(topic=CAMPAIGN_NEWS)) == 8
    assert len(counted.captured_queries) == 4  # the subtraction, not the plain join
    assert segments.count(segments.Segment(topic=FUNDRAISING)) == plain_count(FUNDRAISING) == 1


def test_the_count_follows_every_change_that_makes_someone_reachable_or_not(tricky):
    Supporter.objects.filter(pk=tricky["unverified"].pk).update(email_verified_at=timezone.now())
    Suppression.objects.filter(address=tricky["suppressed"].email).delete()
    consent(tricky["never asked"], CAMPAIGN_NEWS)
    Supporter.objects.filter(pk=tricky["yes"].pk).update(is_active=False)
    assert segments.count(segments.Segment()) == plain_count(CAMPAIGN_NEWS) == 10


def test_a_segment_with_a_filter_is_counted_by_the_plain_query(tricky, make_supporter):
    french = make_supporter("Élise", language="fr")
    consent(french, CAMPAIGN_NEWS)
    assert segments.count(segments.Segment(languages=["fr"])) == 1


def test_when_most_people_cannot_be_mailed_it_counts_them_by_the_plain_join(tricky):
    Supporter.objects.exclude(pk=tricky["yes"].pk).update(email_verified_at=None)
    assert plain_count(CAMPAIGN_NEWS) == 1
    with CaptureQueriesContext(connection) as counted:
        assert segments.count(segments.Segment()) == 1
    # the yeses, the unreachable, then the plain join (not the two subtractions)
    assert len(counted.captured_queries) == 3
    assert "EXISTS" in counted.captured_queries[-1]["sql"]


def test_on_postgresql_the_subtracted_sets_are_read_from_the_partial_indexes(tricky):
    assert plain_count(CAMPAIGN_NEWS) == 8
    if connection.vendor != "postgresql":
        # The partial indexes are PostgreSQL's (migration 0010): elsewhere none exists, and the count is
        # the same without them.
        with connection.cursor() as cursor:
            indexes = connection.introspection.get_constraints(cursor, "accounts_supporter")
        assert not {"outreach_unreachable_supporter", "outreach_reachable_supporter"} & set(indexes)
        assert segments.count(segments.Segment()) == 8
        return
    with CaptureQueriesContext(connection) as counted:
        assert segments.count(segments.Segment()) == 8
    assert len(counted.captured_queries) == 4  # the subtraction, not the plain join
    plans = []
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan TO off")  # a handful of rows: the planner's choice at scale
        for query in counted.captured_queries[1:]:
            cursor.execute("EXPLAIN " + query["sql"])
            plans.append("\n".join(row[0] for row in cursor.fetchall()))
    assert "outreach_unreachable_supporter" in plans[0]
    assert "outreach_unreachable_supporter" in plans[1]
