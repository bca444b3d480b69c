"""Conversions credited to sharers, read from the journal: who brought whom, once, with no loop."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.middleware import SessionMiddleware
from django.test import RequestFactory

from quartier.accounts import privacy
from quartier.accounts.activity import record_activity
from quartier.reach import actions as reach_actions
from quartier.reach.actions import attribution
from quartier.reach.actions.attribution import record_conversion, sync_from_journal
from quartier.reach.models import CampaignCode, CascadeNode, Conversion
from quartier.reach.queries import refcode_from, referrer_from
from quartier.testing import run_together

pytestmark = pytest.mark.django_db
Kind = Conversion.Kind


def node(supporter) -> CascadeNode:
    return CascadeNode.objects.get(supporter=supporter)


def test_a_sign_up_through_a_share_link_places_the_newcomer_under_the_sharer(join):
    anna = join("Anna")
    ben = join("Ben", referred_by=anna)
    chloe = join("Chloé", referred_by=ben)

    sync_from_journal()

    assert node(ben).parent == node(anna) and node(chloe).parent == node(ben)
    assert (node(anna).generation, node(ben).generation, node(chloe).generation) == (0, 1, 2)
    assert (node(anna).subtree_size, node(ben).subtree_size, node(chloe).subtree_size) == (3, 2, 1)
    assert (node(anna).deepest_generation, node(ben).deepest_generation) == (2, 2)
    assert node(chloe).root == node(anna) and node(chloe).ancestor_ids() == [node(anna).pk, node(ben).pk]
    signups = Conversion.objects.filter(kind=Kind.SIGNUP).order_by("pk")
    assert [(c.converter, c.credited_node.supporter, c.generation) for c in signups] == [
        (ben, anna, 1),
        (chloe, ben, 2),
    ]


def test_reading_the_journal_twice_counts_nothing_twice(join):
    anna = join("Anna")
    join("Ben", referred_by=anna)
    sync_from_journal()
    cursor_rows = Conversion.objects.count()
    attribution.AttributionCursor.objects.update(last_activity_id=0)  # a backfill run again

    sync_from_journal()

    assert Conversion.objects.count() == cursor_rows == 1
    assert (node(anna).subtree_size, node(anna).downstream_conversions) == (2, 1)


def test_a_retried_conversion_is_recorded_once(join):
    anna, ben = join("Anna"), join("Ben")

    first = record_conversion(
        kind=Kind.GIFT, source_key="donation:7", converter=ben, credited_to=anna, amount=500
    )
    second = record_conversion(
        kind=Kind.GIFT, source_key="donation:7", converter=ben, credited_to=anna, amount=500
    )

    assert first == second and Conversion.objects.count() == 1
    assert (node(anna).direct_conversions, node(anna).downstream_conversions) == (1, 1)


def test_nobody_is_credited_for_their_own_conversion(join):
    anna = join("Anna")

    assert record_conversion(kind=Kind.RSVP, source_key="rsvp:1", converter=anna, credited_to=anna) is None
    assert not Conversion.objects.exists() and not CascadeNode.objects.exists()


def test_someone_already_in_a_tree_keeps_their_place_so_no_loop_forms(join):
    anna = join("Anna")
    ben = join("Ben", referred_by=anna)
    sync_from_journal()

    # Anna now signs up again through Ben's link (a replayed sign-up, another source key): first touch.
    record_conversion(kind=Kind.SIGNUP, source_key="again:anna", converter=anna, credited_to=ben)

    assert node(anna).parent is None and node(ben).parent == node(anna)
    assert node(anna).subtree_size == 2
    assert node(ben).direct_conversions == 1  # credited, but not a tree edge


def test_a_conversion_deep_down_counts_for_every_ancestor(join):
    people = [join("Root")]
    for number in range(4):
        people.append(join(f"Gen {number + 1}", referred_by=people[-1]))
    sync_from_journal()
    outsider = join("Outsider")

    record_conversion(kind=Kind.RSVP, source_key="rsvp:9", converter=outsider, credited_to=people[-1])

    assert [node(p).downstream_conversions for p in people] == [5, 4, 3, 2, 1]
    assert [node(p).direct_conversions for p in people] == [1, 1, 1, 1, 1]


def test_journal_kinds_become_conversions_of_their_kind(join, supporter):
    anna = join("Anna")
    for kind, key in [
        ("organizing.rsvp", "rsvp:1"),
        ("organizing.group_joined", "membership:1"),
        ("donations.gift", "donation:1"),
        ("donations.page_created", "page:1"),
        ("social.post", "post:1"),  # not a conversion
    ]:
        record_activity(
            kind, supporter=supporter, key=key, credited_to=anna, amount=300 if "gift" in kind else 0
        )
    record_activity("organizing.rsvp", supporter=supporter, key="rsvp:2")  # nobody to credit

    sync_from_journal()

    assert sorted(Conversion.objects.values_list("kind", "amount")) == [
        ("fundraising_page", 0), ("gift", 300), ("group_joined", 0), ("rsvp", 0),
    ]  # fmt: skip


def test_a_campaign_email_code_starts_a_cascade_of_its_own(join):
    from quartier.accounts.adapter import signup_refcode

    code = CampaignCode.objects.create(code="mcode12345", label="Spring")
    visit = _request_with_session(f"/events/1/?ref={code.code}")
    reach_actions.remember_referral(visit)
    visit.user = AnonymousUser()
    newcomer = join("Nina", refcode=signup_refcode(visit))  # as the sign-up form does

    sync_from_journal()

    conversion = Conversion.objects.get()
    assert (conversion.campaign_code, conversion.credited_node, conversion.generation) == (code, None, 0)
    assert node(newcomer).parent is None and node(newcomer).campaign_code == code


def test_a_deleted_account_leaves_its_place_in_the_tree_without_its_name(join):
    anna = join("Anna")
    ben = join("Ben", referred_by=anna)
    chloe = join("Chloé", referred_by=ben)
    sync_from_journal()
    ben_node = node(ben)

    privacy.erase_personal_data(ben)

    ben_node.refresh_from_db()
    assert ben_node.supporter_id is None and ben_node.parent == node(anna) and node(chloe).parent == ben_node
    assert node(anna).subtree_size == 3
    assert Conversion.objects.filter(converter__isnull=True).count() == 1


def _request_with_session(path: str, session=None):
    request = RequestFactory().get(path)
    if session is None:
        SessionMiddleware(lambda r: None).process_request(request)
    else:
        request.session = session
    return request


def test_the_first_shared_link_opened_is_the_one_remembered(join, settings):
    anna, ben = join("Anna"), join("Ben")
    anna_code = reach_actions.referral_code_for(anna)
    request = _request_with_session(f"/events/1/?ref={anna_code}")
    reach_actions.remember_referral(request)

    later = _request_with_session(f"/events/1/?ref={reach_actions.referral_code_for(ben)}", request.session)
    reach_actions.remember_referral(later)

    assert reach_actions.first_touch_code(later) == anna_code
    later.user = AnonymousUser()
    assert referrer_from(later) == anna and refcode_from(later) == anna_code  # credited to the first sharer
    settings.REACH_ATTRIBUTION_DAYS = 0
    later.session[reach_actions.SEEN_AT_SESSION_KEY] -= 10
    assert reach_actions.first_touch_code(later) == ""  # past the window: forgotten


@pytest.mark.django_db(transaction=True)
def test_the_same_conversion_recorded_at_once_by_two_workers_counts_once(join):
    anna, ben = join("Anna"), join("Ben")

    outcomes = run_together(
        [
            lambda: (
                record_conversion(kind=Kind.GIFT, source_key="donation:1", converter=ben, credited_to=anna)
                and "ok"
            )
        ]
        * 4
    )

    assert outcomes == ["ok"] * 4
    assert Conversion.objects.count() == 1
    assert node(anna).downstream_conversions == 1


def _chain(join, depth: int):
    people = [join("Chain root")]
    for number in range(depth):
        people.append(join(f"Chain {number}", referred_by=people[-1]))
    sync_from_journal()
    return people


def test_a_new_conversion_costs_the_same_queries_however_deep_it_lands(join):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    shallow, deep = _chain(join, 2), _chain(join, 12)
    newcomers = [join("Newcomer A"), join("Newcomer B")]
    counts = []
    for sharer, newcomer in [(shallow[-1], newcomers[0]), (deep[-1], newcomers[1])]:
        with CaptureQueriesContext(connection) as captured:
            record_conversion(
                kind=Kind.SIGNUP, source_key=f"new:{newcomer.pk}", converter=newcomer, credited_to=sharer
            )
        counts.append(len(captured.captured_queries))

    assert counts[0] == counts[1]  # the ancestors' counters move in one statement, not one per generation
    assert node(deep[0]).subtree_size == 14 and node(deep[0]).deepest_generation == 13


def test_the_forest_arrays_read_back_the_node_table(join):
    from quartier.reach.queries import cascades as cascade_queries

    people = _chain(join, 3)
    record_conversion(kind=Kind.GIFT, source_key="donation:5", converter=people[0], credited_to=people[2])

    arrays = cascade_queries.load_forest()

    ids = [node(person).pk for person in people]
    assert arrays.node_ids.tolist() == ids
    assert arrays.parent.tolist() == [-1, 0, 1, 2]
    assert arrays.credited.tolist() == [1, 1, 2, 0]
    assert arrays.joined_day.tolist() == [(node(p).joined_at - cascade_queries.EPOCH).days for p in people]
