"""Issue 17, point 12: blocks stop re-posts both ways; first contacts count people; reports are limited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartier.social.actions import common as common_actions
from quartier.social.actions import connections as connections_actions
from quartier.social.actions import conversations as conversations_actions
from quartier.social.actions import moderation as moderation_actions
from quartier.social.actions import posts as posts_actions
from quartier.social.models import Conversation, Notification, Participant, Post, Report
from quartier.social.tests.conftest import PERSONAS
from quartier.social.views.common import error_text
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


def _state(post: Post) -> tuple:
    post.refresh_from_db()
    return (
        Post.objects.count(), post.repost_count,
        Notification.objects.filter(kind=Notification.Kind.REPOST).count(),
    )  # fmt: skip


# Who may re-post the author's public post: everyone signed in but its author and whom the author blocked.
REPOST_ALLOWED = {"friend", "follower", "member", "stranger", "moderator"}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_people_the_author_did_not_block_repost_a_public_post(people, make_post, persona):
    post = make_post(people["author"], "Door knocking on Saturday")
    before = _state(post)

    response = client_for(people[persona]).post(
        reverse("social:repost", args=[post.pk]), {"repost-body": "Come!", "repost-visibility": "public"}
    )

    if persona in REPOST_ALLOWED:
        assert Post.objects.filter(author=people[persona], shared=post).exists()
        post.refresh_from_db()
        assert post.repost_count == 1
        return
    assert response.status_code in {302, 400, 403, 404}
    assert _state(post) == before  # nothing written: no re-post, no count, no notification
    assert not Post.objects.filter(shared=post).exists()


def test_a_blocked_person_cannot_repost_the_blocker(people, make_post):
    post = make_post(people["author"], "Canvass results")
    before = _state(post)

    response = client_for(people["blocked"]).post(
        reverse("social:repost", args=[post.pk]),
        {"repost-body": "", "repost-visibility": "public"},
        follow=True,
    )

    assert error_text("blocked") in response.content.decode()
    assert _state(post) == before
    with pytest.raises(common_actions.SocialError, match="blocked"):
        posts_actions.repost(supporter=people["blocked"], post=post, comment="", visibility="public")


def test_the_blocker_cannot_repost_whom_they_blocked(people, make_post):
    their_post = make_post(people["blocked"], "My own view")
    before = _state(their_post)

    with pytest.raises(common_actions.SocialError, match="blocked"):
        posts_actions.repost(supporter=people["author"], post=their_post, comment="", visibility="public")

    assert _state(their_post) == before


def test_a_repost_of_a_repost_checks_the_block_with_the_original_author(people, make_post):
    original = make_post(people["author"], "Original")
    shared = posts_actions.repost(supporter=people["friend"], post=original, comment="", visibility="public")

    with pytest.raises(common_actions.SocialError, match="blocked"):
        posts_actions.repost(supporter=people["blocked"], post=shared, comment="", visibility="public")
    assert not Post.objects.filter(author=people["blocked"]).exclude(shared__isnull=True).exists()


def test_first_contacts_count_people_not_conversations(people, make_supporter):
    newcomer = make_supporter("Nina Newcomer")  # a new account: three first contacts a day
    strangers = [make_supporter(f"Target {number}") for number in range(6)]

    conversations_actions.start_conversation(
        sender=newcomer, recipients=strangers[:2], title="", body="Hello neighbours"
    )
    # Two strangers reached; a conversation with two more would make four.
    with pytest.raises(common_actions.SocialError, match="first_contact_limited"):
        conversations_actions.start_conversation(
            sender=newcomer, recipients=strangers[2:4], title="", body="Hello neighbours"
        )
    assert Conversation.objects.filter(created_by=newcomer).count() == 1
    assert not Participant.objects.filter(supporter__in=strangers[2:4]).exists()
    # One more person is within the limit; writing again to someone already reached costs nothing.
    conversations_actions.start_conversation(sender=newcomer, recipients=[strangers[2]], title="", body="Hi")
    conversations_actions.start_conversation(
        sender=newcomer, recipients=[strangers[0], strangers[2]], title="Both of you", body="Hi"
    )
    with pytest.raises(common_actions.SocialError, match="first_contact_limited"):
        conversations_actions.start_conversation(
            sender=newcomer, recipients=[strangers[5]], title="", body="Hi"
        )


def test_one_big_conversation_cannot_reach_more_strangers_than_the_limit(people, make_supporter):
    newcomer = make_supporter("Nina Newcomer")
    strangers = [make_supporter(f"Target {number}") for number in range(8)]

    response = client_for(newcomer).post(
        reverse("social:conversation_new"),
        {"to": ", ".join(person.handle for person in strangers), "title": "", "body": "Vote for us"},
    )

    assert response.status_code == 400 and "Please try again tomorrow" in response.content.decode()
    assert not Conversation.objects.filter(created_by=newcomer).exists()


def test_people_who_follow_the_sender_are_not_first_contacts(people, make_supporter):
    newcomer = make_supporter("Nina Newcomer")
    fans = [make_supporter(f"Fan {number}") for number in range(5)]
    for fan in fans:
        connections_actions.follow(follower=fan, followed=newcomer)

    conversations_actions.start_conversation(sender=newcomer, recipients=fans, title="", body="Thanks all")

    assert Conversation.objects.filter(created_by=newcomer, is_first_contact=False).count() == 1


def _report(reporter, target):
    return moderation_actions.report(reporter=reporter, reason="spam", details="", profile=target)


def test_reports_are_limited_per_person_and_hour(people, make_supporter, monkeypatch):
    monkeypatch.setattr(moderation_actions, "REPORTS_PER_HOUR", 3)
    reporter = people["stranger"]
    targets = [make_supporter(f"Target {number}") for number in range(4)]
    for target in targets[:3]:
        _report(reporter, target)

    with pytest.raises(common_actions.SocialError, match="reports_limited"):
        _report(reporter, targets[3])
    assert Report.objects.filter(reporter=reporter).count() == 3
    # Reporting again what is already reported changes nothing and is not refused.
    assert _report(reporter, targets[0]).profile_id == targets[0].pk
    # Somebody else still reports.
    _report(people["friend"], targets[3])


@pytest.mark.parametrize(("language", "words"), [("en", "many reports"), ("fr", "signalements")])
def test_the_report_page_says_why_in_both_languages(people, make_supporter, monkeypatch, language, words):
    monkeypatch.setattr(moderation_actions, "REPORTS_PER_HOUR", 1)
    reporter = make_supporter("Rita Reporter", language=language)
    _report(reporter, make_supporter("First target"))
    target = make_supporter("Second target")

    response = client_for(reporter).post(
        reverse("social:report", args=["profile", target.handle]),
        {"reason": "harassment", "details": "Keeps writing to me"},
        HTTP_ACCEPT_LANGUAGE=language,
    )

    assert response.status_code == 400
    text = response.content.decode()
    assert words in text and "Keeps writing to me" in text
    assert Report.objects.filter(reporter=reporter).count() == 1
