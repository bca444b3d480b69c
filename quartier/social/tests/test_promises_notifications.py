"""A notification about a post goes as soon as its recipient can no longer read the post (issue 19).

From the bell, the list and the email alike, whatever took the post away: its author took it back to
draft, blocked the recipient, narrowed who reads it, left, or a moderator hid it.
"""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from quartier.social import tasks
from quartier.social.actions import connections as connections_actions
from quartier.social.actions import moderation as moderation_actions
from quartier.social.actions import posts as posts_actions
from quartier.social.models import Notification, Post
from quartier.social.queries import conversations as conversations_queries
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


def _unpublished(people, post, group) -> None:
    posts_actions.unpublish_post(post=post)


def _blocked(people, post, group) -> None:
    connections_actions.block(blocker=people["author"], blocked=people["friend"])


def _narrowed(people, post, group) -> None:
    draft = posts_actions.PostDraft(
        title=post.title, body=post.body, visibility=Post.Visibility.GROUP, group=group, for_campaign=False
    )
    posts_actions.update_post(post=Post.objects.get(pk=post.pk), draft=draft)


def _author_gone(people, post, group) -> None:
    author = people["author"]
    author.is_active = False
    author.save(update_fields=["is_active"])


def _hidden(people, post, group) -> None:
    report = moderation_actions.report(reporter=people["stranger"], reason="spam", details="", post=post)
    moderation_actions.moderate(moderator=people["moderator"], report=report, kind="hide", reason="Spam")


CHANGES = {
    "nothing": None,
    "unpublished": _unpublished,
    "recipient blocked": _blocked,
    "visibility narrowed": _narrowed,
    "author gone": _author_gone,
    "hidden by a moderator": _hidden,
}


@pytest.mark.parametrize("change", list(CHANGES))
def test_a_notification_about_a_post_the_recipient_can_no_longer_read_goes_everywhere(
    people, group, make_post, change
):
    """The friend commented on the author's post; the follower's reply notifies the friend."""
    post = make_post(people["author"], "Quorum walk", visibility=Post.Visibility.SUPPORTERS)
    comment = posts_actions.add_comment(author=people["friend"], post=post, body="Count me in")
    reader = people["friend"]
    Notification.objects.filter(recipient=reader).delete()
    posts_actions.add_comment(author=people["follower"], post=post, body="Me too", parent=comment)
    assert Notification.objects.filter(recipient=reader, kind="reply", post=post).count() == 1
    client = client_for(reader)
    assert 'data-count="1"' in client.get(reverse("social:counts")).content.decode()
    if CHANGES[change] is not None:
        CHANGES[change](people, post, group)
    shown = change == "nothing"
    mail.outbox.clear()

    bell = client.get(reverse("social:counts")).content.decode()
    counts = conversations_queries.unread_counts(reader)["notifications"]
    tasks.send_notification_emails()
    emailed = [message for message in mail.outbox if message.to == [reader.email]]
    listed = client.get(reverse("social:notifications")).content.decode()

    assert ('data-count="1"' in bell, counts) == (shown, int(shown)), "the bell"
    assert bool(emailed) is shown, "the email"
    assert ("replied" in listed and "Felix Follower" in listed) is shown, "the list"


def test_the_bell_counts_in_one_query_whatever_the_number_of_notifications(
    people, make_post, django_assert_num_queries
):
    post = make_post(people["author"], "Quorum counts")
    for _ in range(3):
        posts_actions.add_comment(author=people["friend"], post=post, body="Yes")
    with django_assert_num_queries(2):  # the participations' unread sum, the notifications' count
        assert conversations_queries.unread_counts(people["author"])["notifications"] >= 3
