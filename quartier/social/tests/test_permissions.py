"""Every write view by every persona: who may act, and a refusal that changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartier.social.actions import conversations as conversations_actions
from quartier.social.actions import moderation as moderation_actions
from quartier.social.models import Comment, Follow, Message, ModerationAction, Post, Reaction, Report
from quartier.social.tests.conftest import PERSONAS
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


def _snapshot() -> dict:
    return {
        "posts": list(
            Post.objects.order_by("pk").values_list("pk", "title", "status", "hidden_at", "is_featured")
        ),
        "comments": list(Comment.objects.order_by("pk").values_list("pk", "body", "hidden_at")),
        "reactions": list(Reaction.objects.order_by("pk").values_list("pk", "kind")),
        "messages": list(Message.objects.order_by("pk").values_list("pk", "body", "hidden_at")),
        "follows": list(Follow.objects.order_by("pk").values_list("pk")),
        "reports": list(Report.objects.order_by("pk").values_list("pk", "status")),
        "decisions": list(ModerationAction.objects.order_by("pk").values_list("pk")),
    }


# Who may edit, publish, unpublish or delete the author's post: the author alone.
OWNER_ONLY = ["post_edit", "post_unpublish", "post_delete"]


@pytest.mark.parametrize("view", OWNER_ONLY)
@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_author_changes_a_post_and_a_refusal_changes_nothing(people, make_post, view, persona):
    post = make_post(people["author"], "Mine")
    before = _snapshot()

    response = client_for(people[persona]).post(
        reverse(f"social:{view}", args=[post.pk]), {"title": "Theirs", "body": "x", "visibility": "public"}
    )

    if persona == "author":
        assert response.status_code == 302
        assert _snapshot() != before
    else:
        assert response.status_code in {302, 404}
        if response.status_code == 302:  # anonymous: sent to sign in
            assert reverse("account_login") in response["Location"]
        assert _snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_comment_on_a_supporters_post(people, make_post, persona):
    post = make_post(people["author"], "Comment here", visibility=Post.Visibility.SUPPORTERS)
    before = _snapshot()

    response = client_for(people[persona]).post(
        reverse("social:comment", args=[post.pk]), {"body": "Hello from me"}
    )

    if persona in {"anonymous", "blocked"}:
        assert _snapshot() == before
        assert response.status_code in {302, 404}
    else:
        assert response.status_code == 302
        assert Comment.objects.filter(post=post, body="Hello from me").count() == 1
        assert Post.objects.get(pk=post.pk).comment_count == 1


def test_the_blocked_person_cannot_comment_even_on_a_public_post_and_is_told_why(people, make_post):
    post = make_post(people["author"], "Public thoughts")
    client = client_for(people["blocked"])

    response = client.post(reverse("social:comment", args=[post.pk]), {"body": "Let me in"}, follow=True)

    assert Comment.objects.count() == 0
    assert "one of you blocked the other" in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_who_may_react_to_a_group_post(people, group, make_post, persona):
    post = make_post(people["author"], "Group plan", visibility=Post.Visibility.GROUP, group=group)
    before = _snapshot()

    client_for(people[persona]).post(reverse("social:react", args=[post.pk]), {"kind": "like"})

    if persona in {"author", "member", "moderator"}:
        assert Reaction.objects.filter(post=post).count() == 1
    else:
        assert _snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_staff_feature_a_post_on_the_campaign_blog(people, make_post, persona):
    post = make_post(people["author"], "Feature me")
    before = _snapshot()

    client_for(people[persona]).post(reverse("social:post_feature", args=[post.pk]), {"featured": "1"})

    assert Post.objects.get(pk=post.pk).is_featured is (persona == "moderator")
    if persona != "moderator":
        assert _snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_staff_write_for_the_campaign(people, persona):
    before = _snapshot()

    client_for(people[persona]).post(
        reverse("social:post_create") + "?campaign=1",
        {"title": "Campaign news", "body": "x", "visibility": "public", "campaign": "1", "publish": "1"},
    )

    made = Post.objects.filter(title="Campaign news")
    if persona == "moderator":
        assert made.get().for_campaign
    else:
        assert _snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_members_write_on_a_groups_blog(people, group, persona):
    before = _snapshot()

    client_for(people[persona]).post(
        reverse("social:post_create") + f"?group={group.slug}",
        {"title": "On the group", "body": "x", "visibility": "group", "group": group.slug, "publish": "1"},
    )

    if persona in {"author", "member"}:
        assert Post.objects.get(title="On the group").group == group
    else:
        assert _snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_the_participants_read_or_write_in_a_conversation(people, persona):
    conversation = conversations_actions.start_conversation(
        sender=people["author"], recipients=[people["friend"]], title="Us", body="Just us two"
    )
    before = _snapshot()
    client = client_for(people[persona])

    page = client.get(conversation.get_absolute_url())
    client.post(conversation.get_absolute_url(), {"body": "Intruding"})

    if persona in {"author", "friend"}:
        assert page.status_code == 200 and "Just us two" in page.content.decode()
        assert Message.objects.filter(body="Intruding").count() == 1
    else:
        assert page.status_code in {302, 404}
        assert "Just us two" not in page.content.decode()
        assert _snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_moderators_open_the_queue_and_decide(people, make_post, persona):
    post = make_post(people["author"], "Reported post")
    report = moderation_actions.report(reporter=people["stranger"], reason="spam", details="", post=post)
    before = _snapshot()
    client = client_for(people[persona])

    queue = client.get(reverse("social:moderation"))
    client.post(reverse("social:moderation_decide", args=[report.pk]), {"kind": "hide", "reason": "Spam"})

    if persona == "moderator":
        assert queue.status_code == 200 and "Reported post" in queue.content.decode()
        assert Post.objects.get(pk=post.pk).hidden_at is not None
    else:
        # The author leads a group: their queue opens, with their groups' reports only (none here).
        assert queue.status_code == (200 if persona == "author" else 302 if persona == "anonymous" else 404)
        assert "Reported post" not in queue.content.decode()
        assert _snapshot() == before


def test_a_group_leader_moderates_the_groups_content_but_cannot_suspend(people, group, make_post):
    post = make_post(people["member"], "In the group", visibility=Post.Visibility.GROUP, group=group)
    report = moderation_actions.report(reporter=people["author"], reason="spam", details="", post=post)
    leader = client_for(people["author"])  # the author created the group: its leader

    assert "In the group" in leader.get(reverse("social:moderation")).content.decode()
    leader.post(
        reverse("social:moderation_decide", args=[report.pk]),
        {"kind": "suspend", "reason": "Go away", "days": 3},
    )
    assert not ModerationAction.objects.exists()

    leader.post(
        reverse("social:moderation_decide", args=[report.pk]), {"kind": "hide", "reason": "Off topic"}
    )
    assert Post.objects.get(pk=post.pk).hidden_at is not None


def test_a_leader_of_another_group_sees_nothing_of_this_one(people, group, make_post, make_supporter):
    from quartier.social.tests.conftest import join

    post = make_post(people["author"], "Group matter", visibility=Post.Visibility.GROUP, group=group)
    report = moderation_actions.report(reporter=people["member"], reason="spam", details="", post=post)
    other_leader = make_supporter("Olive Otherleader")
    from quartier.organizing.actions import groups as organizing_groups

    other = organizing_groups.create_group(
        creator=other_leader,
        draft=organizing_groups.GroupDraft(
            name="Elsewhere", description="", area="Verdun", country="CA", postal_code="H4G 1A1", latitude=45.46,
            longitude=-73.57, town="Montréal", join_policy="open",
        ),
    )  # fmt: skip
    assert other.pk != group.pk
    join(other_leader, group)  # a plain member here
    client = client_for(other_leader)

    assert "Group matter" not in client.get(reverse("social:moderation")).content.decode()
    assert (
        client.post(
            reverse("social:moderation_decide", args=[report.pk]), {"kind": "hide", "reason": "x"}
        ).status_code
        == 404
    )
    assert Post.objects.get(pk=post.pk).hidden_at is None
