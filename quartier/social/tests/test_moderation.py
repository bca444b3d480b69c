"""Reports, decisions with reasons in the audit log, hidden content gone everywhere at once, appeals."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartier.social.actions import common as common_actions
from quartier.social.actions import conversations as conversations_actions
from quartier.social.actions import moderation as moderation_actions
from quartier.social.actions import posts as posts_actions
from quartier.social.models import Appeal, Comment, Message, ModerationAction, Notification, Post, Report
from quartier.social.queries import visibility as visibility_queries
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


def test_a_report_goes_to_the_queue_once_however_often_it_is_sent(people, make_post):
    post = make_post(people["author"], "Questionable")
    client = client_for(people["stranger"])

    for _click in range(2):
        response = client.post(
            reverse("social:report", args=["post", post.pk]), {"reason": "spam", "details": "Ads"}
        )

    assert response.status_code == 302
    assert Report.objects.filter(post=post).count() == 1
    assert Report.objects.get().subject == people["author"]


def test_a_report_form_without_a_reason_is_shown_again_with_the_details_kept(people, make_post):
    post = make_post(people["author"], "Questionable")

    response = client_for(people["stranger"]).post(
        reverse("social:report", args=["post", post.pk]), {"details": "Looks fake"}
    )

    assert (
        response.status_code == 400
        and "Looks fake" in response.content.decode()
        and not Report.objects.exists()
    )


def test_nobody_reports_what_they_cannot_see(people, make_post):
    post = make_post(people["author"], "Supporters only", visibility=Post.Visibility.SUPPORTERS)
    conversation = conversations_actions.start_conversation(
        sender=people["author"], recipients=[people["friend"]], title="", body="Private"
    )
    message = Message.objects.get(conversation=conversation)

    assert (
        client_for(people["blocked"])
        .post(reverse("social:report", args=["post", post.pk]), {"reason": "spam"})
        .status_code
        == 404
    )
    assert (
        client_for(people["stranger"])
        .post(reverse("social:report", args=["message", message.pk]), {"reason": "spam"})
        .status_code
        == 404
    )
    assert (
        client_for(people["stranger"]).get(reverse("social:report", args=["bogus", "1"])).status_code == 404
    )
    assert not Report.objects.exists()


def test_hiding_a_post_removes_it_from_every_place_at_once(people, make_post, staff):
    post = make_post(people["author"], "Hide me everywhere", body="Unique zebra words")
    shared = posts_actions.repost(supporter=people["friend"], post=post, comment="Look", visibility="public")
    report = moderation_actions.report(
        reporter=people["stranger"], reason="misinformation", details="", post=post
    )
    reader = client_for(people["follower"])
    places = [
        post.get_absolute_url(), reverse("social:feed"), reverse("social:blog", args=[people["author"].handle]),
        reverse("social:search") + "?q=zebra", reverse("social:blog_feed", args=[people["author"].handle]),
    ]  # fmt: skip
    assert all("Hide me everywhere" in reader.get(url).content.decode() for url in places)

    client_for(staff).post(
        reverse("social:moderation_decide", args=[report.pk]),
        {"kind": "hide", "reason": "False claim about the vote"},
    )

    assert reader.get(post.get_absolute_url()).status_code == 404
    for url in places[1:]:
        assert "Hide me everywhere" not in reader.get(url).content.decode(), url
    assert "Hide me everywhere" not in reader.get(shared.get_absolute_url()).content.decode()
    assert client_for(people["author"]).get(post.get_absolute_url()).status_code == 404
    (action,) = ModerationAction.objects.filter(kind="hide")
    assert (action.moderator, action.subject, action.reason, action.post) == (
        staff,
        people["author"],
        "False claim about the vote",
        post,
    )
    assert Report.objects.get(pk=report.pk).status == Report.Status.RESOLVED


def test_the_author_is_told_the_reason_and_can_appeal_and_staff_restore(people, make_post, staff):
    post = make_post(people["author"], "Appeal me")
    report = moderation_actions.report(reporter=people["stranger"], reason="spam", details="", post=post)
    moderation_actions.moderate(moderator=staff, report=report, kind="hide", reason="Looks like spam")
    author = client_for(people["author"])

    notice = Notification.objects.get(recipient=people["author"], kind="moderation")
    assert notice.text == "Looks like spam"
    page = author.get(reverse("social:my_decisions")).content.decode()
    assert "Looks like spam" in page and "Appeal this decision" in page

    action = ModerationAction.objects.get(kind="hide")
    author.post(reverse("social:appeal", args=[action.pk]), {"text": "It is a real event announcement"})
    author.post(reverse("social:appeal", args=[action.pk]), {"text": "Twice"})
    appeal = Appeal.objects.get()
    assert appeal.text == "It is a real event announcement"

    assert (
        client_for(people["friend"])
        .post(reverse("social:appeal_decide", args=[appeal.pk]), {"grant": "yes", "decision": "x"})
        .status_code
        == 404
    )
    client_for(staff).post(
        reverse("social:appeal_decide", args=[appeal.pk]), {"grant": "yes", "decision": "Agreed, restored"}
    )

    assert Post.objects.get(pk=post.pk).hidden_at is None
    assert Appeal.objects.get().status == Appeal.Status.GRANTED
    assert list(ModerationAction.objects.order_by("created_at", "pk").values_list("kind", flat=True)) == [
        "hide",
        "restore",
    ]
    assert client_for(people["follower"]).get(post.get_absolute_url()).status_code == 200


def test_a_suspension_stops_posting_commenting_and_messaging_until_it_ends_or_is_lifted(
    people, make_post, staff
):
    author = people["author"]
    report = moderation_actions.report(
        reporter=people["stranger"], reason="harassment", details="", profile=author
    )
    moderation_actions.moderate(moderator=staff, report=report, kind="suspend", reason="Insults", days=3)
    other_post = make_post(people["friend"], "Elsewhere")
    client = client_for(author)

    created = client.post(
        reverse("social:post_create"), {"title": "New", "body": "x", "visibility": "public", "publish": "1"}
    )
    client.post(reverse("social:comment", args=[other_post.pk]), {"body": "Hi"})

    assert created.status_code == 400 and "suspended" in created.content.decode()
    assert not Post.objects.filter(title="New").exists() and not Comment.objects.exists()
    with pytest.raises(common_actions.SocialError, match="suspended"):
        conversations_actions.start_conversation(
            sender=author, recipients=[people["friend"]], title="", body="Hi"
        )
    assert visibility_queries.sanction_of(author).until is not None

    appeal = moderation_actions.appeal(
        supporter=author, action=ModerationAction.objects.get(kind="suspend"), text="Sorry"
    )
    moderation_actions.decide_appeal(staff=staff, appeal=appeal, grant=True, decision="Lifted early")
    assert visibility_queries.sanction_of(author) is None
    make_post(author, "Back again")


def test_a_ban_is_for_staff_and_stops_every_write(people, make_post, staff):
    report = moderation_actions.report(
        reporter=people["friend"], reason="impersonation", details="", profile=people["stranger"]
    )
    moderation_actions.moderate(moderator=staff, report=report, kind="ban", reason="Fake identity")

    with pytest.raises(common_actions.SocialError, match="banned"):
        make_post(people["stranger"], "Still here?")
    assert visibility_queries.sanction_of(people["stranger"]).kind == "ban"


def test_a_moderator_must_give_a_reason(people, make_post, staff):
    post = make_post(people["author"], "Reasonless")
    report = moderation_actions.report(reporter=people["stranger"], reason="spam", details="", post=post)

    response = client_for(staff).post(
        reverse("social:moderation_decide", args=[report.pk]), {"kind": "hide", "reason": "  "}
    )

    assert response.status_code == 400 and Post.objects.get(pk=post.pk).hidden_at is None
    assert not ModerationAction.objects.exists()


def test_a_hidden_comment_and_message_disappear_for_everyone(people, make_post, staff):
    post = make_post(people["author"], "Thread")
    comment = posts_actions.add_comment(author=people["friend"], post=post, body="Rude words here")
    conversation = conversations_actions.start_conversation(
        sender=people["friend"], recipients=[people["author"]], title="", body="Rude message here"
    )
    message = Message.objects.get(conversation=conversation)
    for target in ({"comment": comment}, {"message": message}):
        found = moderation_actions.report(
            reporter=people["author"], reason="harassment", details="", **target
        )
        moderation_actions.moderate(moderator=staff, report=found, kind="hide", reason="Rude")

    assert (
        "Rude words here" not in client_for(people["follower"]).get(post.get_absolute_url()).content.decode()
    )
    assert (
        "Rude message here"
        not in client_for(people["author"]).get(conversation.get_absolute_url()).content.decode()
    )
    assert (
        "Rude message here" not in client_for(people["author"]).get(reverse("social:inbox")).content.decode()
    )
