"""Earned trust tunes social without social importing integrity: the queue's order and posting rates."""

from __future__ import annotations

import pytest

from quartier.integrity.models import TrustScore
from quartier.organizing.actions import groups as group_actions
from quartier.organizing.models import Group
from quartier.social.actions import moderation
from quartier.social.actions import posts as post_actions
from quartier.social.actions.common import SocialError
from quartier.social.actions.posts import LOW_TRUST_POSTS_PER_HOUR
from quartier.social.models import Post
from quartier.social.queries.connections import people_you_may_know
from quartier.social.queries.moderation import report_queue


def _post(author, body: str) -> Post:
    draft = post_actions.PostDraft(title="", body=body, visibility=Post.Visibility.PUBLIC)
    return post_actions.create_post(author=author, draft=draft, publish=True)


def test_reports_about_low_trust_accounts_and_from_trusted_reporters_come_first(make_supporter, staff):
    ordinary, suspicious, trusted, reporter = (
        make_supporter(name) for name in ("Ordinary", "Suspicious", "Trusted", "Reporter")
    )
    TrustScore.objects.create(supporter=suspicious, score=0.0)
    TrustScore.objects.create(supporter=trusted, score=0.9)
    first = moderation.report(
        reporter=reporter, reason="spam", details="", post=_post(ordinary, "An ordinary post")
    )
    second = moderation.report(
        reporter=trusted, reason="spam", details="", post=_post(ordinary, "Another one")
    )
    third = moderation.report(reporter=reporter, reason="spam", details="", post=_post(suspicious, "Buy now"))

    queue = report_queue(staff)

    assert [report.pk for report in queue] == [second.pk, third.pk, first.pk]


def test_an_account_no_trust_reaches_posts_less_often(make_supporter):
    author = make_supporter("Newcomer")
    TrustScore.objects.create(supporter=author, score=0.0)
    for number in range(LOW_TRUST_POSTS_PER_HOUR):
        _post(author, f"Post number {number}")

    with pytest.raises(SocialError) as refused:
        _post(author, "One too many")

    assert refused.value.code == "rate_limited"
    assert Post.objects.filter(author=author).count() == LOW_TRUST_POSTS_PER_HOUR


def test_suggested_people_put_accounts_no_trust_reaches_last(make_supporter):
    me = make_supporter("Me")
    draft = group_actions.GroupDraft(
        name="Plateau", description="", area="Plateau", country="CA", postal_code="H2X 1Y4", latitude=45.52,
        longitude=-73.58, town="Montréal", join_policy=Group.JoinPolicy.OPEN,
    )  # fmt: skip
    group = group_actions.create_group(creator=me, draft=draft)
    others = [make_supporter(f"Member {number}") for number in range(4)]
    for person in others:
        group_actions.join_group(
            supporter=person,
            group=group,
            accepts_messages=False,
            consent_wording="No",
            language="en",
            ip_address=None,
        )
    TrustScore.objects.create(supporter=others[0], score=0.0)

    suggested = people_you_may_know(me, limit=4)

    assert set(suggested) == set(others)
    assert suggested[-1] == others[0]
