"""Trust scores in the database, read by social's limits and queue through `accounts.trust`."""

from __future__ import annotations

from datetime import timedelta
from itertools import pairwise

import pytest
from django.utils import timezone

from quartier.accounts.models import Vouch
from quartier.accounts.trust import TrustLevel, trust_level, trust_levels
from quartier.integrity.actions.reputation import recompute_trust
from quartier.integrity.models import Cluster, TrustScore
from quartier.social.actions import connections
from quartier.social.actions.conversations import (
    FIRST_CONTACTS_PER_DAY,
    NEW_ACCOUNT_FIRST_CONTACTS_PER_DAY,
    TRUSTED_FIRST_CONTACTS_PER_DAY,
    first_contact_limit,
)
from quartier.social.actions.posts import LOW_TRUST_POSTS_PER_HOUR, POSTS_PER_HOUR, posts_per_hour


def _mutual(a, b) -> None:
    connections.follow(follower=a, followed=b)
    connections.follow(follower=b, followed=a)


@pytest.fixture
def campaign(make_supporter, staff):
    """Staff, a circle of real supporters around them, and a ring of five fake accounts."""
    real = [make_supporter(f"Real {number}") for number in range(6)]
    _mutual(staff, real[0])
    _mutual(staff, real[3])
    for a, b in pairwise(real):
        _mutual(a, b)
    _mutual(real[5], real[0])
    fakes = [make_supporter(f"Fake {number}") for number in range(5)]
    for i, a in enumerate(fakes):
        for b in fakes[i + 1 :]:
            _mutual(a, b)
    return staff, real, fakes


def test_recomputed_trust_reaches_real_supporters_and_not_a_ring_of_fakes(campaign):
    staff, real, fakes = campaign

    recompute_trust()

    levels = trust_levels([staff.pk] + [person.pk for person in real + fakes])
    assert levels[staff.pk] == TrustLevel.HIGH
    assert all(levels[person.pk] != TrustLevel.LOW for person in real)
    assert all(levels[person.pk] == TrustLevel.LOW for person in fakes)
    assert TrustScore.objects.count() == 1 + len(real) + len(fakes)


def test_the_ring_is_proposed_to_staff_as_a_dense_low_trust_cluster_and_nothing_is_sanctioned(campaign):
    _staff, _real, fakes = campaign

    recompute_trust()

    cluster = Cluster.objects.get(kind=Cluster.Kind.DENSE_LOW_TRUST)
    assert cluster.status == Cluster.Status.PROPOSED
    assert set(cluster.members.values_list("supporter_id", flat=True)) == {person.pk for person in fakes}
    assert "5 accounts" in cluster.explanation
    assert all(person.is_active for person in type(fakes[0]).objects.filter(pk__in=[f.pk for f in fakes]))


def test_recomputing_twice_files_the_same_cluster_once(campaign):
    recompute_trust()
    recompute_trust()
    assert Cluster.objects.filter(kind=Cluster.Kind.DENSE_LOW_TRUST).count() == 1


def test_without_a_score_everyone_is_neutral(supporter):
    assert trust_level(supporter.pk) == TrustLevel.NEUTRAL
    assert trust_level(None) == TrustLevel.NEUTRAL


def test_first_contact_and_posting_limits_follow_earned_trust(campaign):
    staff, real, fakes = campaign
    now = timezone.now()
    old = now - timedelta(days=30)
    type(staff).objects.filter(pk__in=[real[2].pk, fakes[0].pk]).update(date_joined=old)
    real[2].refresh_from_db()
    fakes[0].refresh_from_db()
    assert first_contact_limit(fakes[0], now) == FIRST_CONTACTS_PER_DAY  # no score yet: neutral

    recompute_trust()

    assert first_contact_limit(fakes[0], now) == NEW_ACCOUNT_FIRST_CONTACTS_PER_DAY
    assert first_contact_limit(staff, now) == TRUSTED_FIRST_CONTACTS_PER_DAY
    assert first_contact_limit(real[2], now) in {FIRST_CONTACTS_PER_DAY, TRUSTED_FIRST_CONTACTS_PER_DAY}
    assert posts_per_hour(fakes[0]) == LOW_TRUST_POSTS_PER_HOUR
    assert posts_per_hour(real[2]) == POSTS_PER_HOUR


def test_a_leaders_vouch_links_the_trust_graph_and_a_revoked_one_does_not(campaign):
    staff, _real, fakes = campaign
    vouch = Vouch.objects.create(voucher=staff, vouchee=fakes[0])

    recompute_trust()
    assert trust_level(fakes[0].pk) != TrustLevel.LOW

    Vouch.objects.filter(pk=vouch.pk).update(revoked_at=timezone.now())
    recompute_trust()
    assert trust_level(fakes[0].pk) == TrustLevel.LOW


def test_celery_beat_runs_the_trust_detection_and_purge_jobs():
    from quartier.celery import app

    tasks = {entry["task"] for entry in app.conf.beat_schedule.values()}
    assert {
        "quartier.integrity.tasks.recompute_trust",
        "quartier.integrity.tasks.detect",
        "quartier.integrity.tasks.purge_fingerprints",
    } <= tasks
