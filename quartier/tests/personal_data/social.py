"""Factories for the personal data sources of `social` (see `registry.py`)."""

from __future__ import annotations

from django.db.models import Q

from quartier.accounts.models import (
    Supporter,
)
from quartier.social import models as social
from quartier.social.actions import connections as social_connections
from quartier.social.actions import conversations as social_conversations
from quartier.social.actions import moderation as social_moderation
from quartier.social.actions import posts as social_posts
from quartier.tests.personal_data.common import Factory, People, count_rows


def _social_post(author: Supporter, marker: str, *, publish: bool = True) -> social.Post:
    draft = social_posts.PostDraft(title=marker, body=marker, visibility=social.Post.Visibility.PUBLIC)
    return social_posts.create_post(author=author, draft=draft, publish=publish)


def _follows(supporter: Supporter, people: People) -> None:
    social_connections.follow(follower=supporter, followed=people.organiser)
    social_connections.follow(follower=people.staff, followed=supporter)


def _feed(supporter: Supporter, people: People) -> None:
    social_connections.follow(follower=supporter, followed=people.organiser)
    for number in (1, 2):
        _social_post(people.organiser, f"Into the feed {number}")  # copied into the follower's feed
    social.MergedAuthor.objects.create(supporter=supporter)  # as for an account with very many followers


def _blocks(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        marker = people.marker("blocks", number)  # the blocked person's handle, in the export
        other = Supporter.objects.create_user(f"{marker}@example.org", handle=marker, display_name="Blocked")
        social_connections.block(blocker=supporter, blocked=other)


def _social_settings(supporter: Supporter, people: People) -> None:
    social_connections.update_settings(
        supporter=supporter, shares_group_joins=True, shares_hosting=False, email_frequency="daily",
        muted_kinds=[], email_muted_kinds=["reaction"],
    )  # fmt: skip


def _posts(supporter: Supporter, people: People) -> None:
    _social_post(supporter, people.marker("posts", 1))
    _social_post(supporter, people.marker("posts", 2), publish=False)


def _comments(supporter: Supporter, people: People) -> None:
    post = _social_post(people.organiser, "A post to comment on")
    first = social_posts.add_comment(author=supporter, post=post, body=people.marker("comments", 1))
    social_posts.add_comment(author=supporter, post=post, body=people.marker("comments", 2), parent=first)


def _reactions(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        social_posts.react(
            supporter=supporter, post=_social_post(people.organiser, f"React {number}"), kind="like"
        )


def _conversations(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        social_conversations.start_conversation(
            sender=supporter, recipients=[people.organiser, people.staff][: number], title=people.marker("conversations", number),
            body="Hello",
        )  # fmt: skip


def _conversation_messages(supporter: Supporter, people: People) -> None:
    conversation = social_conversations.start_conversation(
        sender=people.organiser, recipients=[supporter], title="Question", body="Hello there"
    )
    for number in (1, 2):
        social_conversations.send_message(
            sender=supporter, conversation=conversation, body=people.marker("conversation_messages", number)
        )


def _notifications(supporter: Supporter, people: People) -> None:
    post = _social_post(supporter, "Notify me")
    social_posts.add_comment(author=people.organiser, post=post, body="Nice")
    social_posts.react(supporter=people.organiser, post=post, kind="like")


def _reports_made(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        social_moderation.report(
            reporter=supporter, reason="spam", details=people.marker("reports_made", number),
            post=_social_post(people.organiser, f"Reported {number}"),
        )  # fmt: skip


def _moderation_decisions(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        post = _social_post(supporter, f"Moderated {number}")
        found = social_moderation.report(reporter=people.organiser, reason="spam", details="", post=post)
        action = social_moderation.moderate(
            moderator=people.staff, report=found, kind="hide", reason="Off topic"
        )
        social_moderation.appeal(
            supporter=supporter, action=action, text=people.marker("moderation_decisions", number)
        )


FACTORIES: dict[str, Factory] = {
    "follows": Factory(
        _follows,
        owned=lambda s: {social.Follow: social.Follow.objects.filter(Q(follower=s) | Q(followed=s))},
        exported=lambda data: {social.Follow: count_rows(data)},
    ),
    "feed": Factory(
        _feed,
        owned=lambda s: {
            social.FeedEntry: social.FeedEntry.objects.filter(reader=s),
            social.MergedAuthor: social.MergedAuthor.objects.filter(supporter=s),
        },
        exported=lambda data: {social.FeedEntry: count_rows(data)},
        not_exported="MergedAuthor: a technical mark on very followed accounts, not the person's data",
    ),
    "blocks": Factory(
        _blocks,
        owned=lambda s: {social.Block: social.Block.objects.filter(blocker=s)},
        exported=lambda data: {social.Block: count_rows(data)},
    ),
    "social_settings": Factory(
        _social_settings,
        owned=lambda s: {social.SocialSettings: social.SocialSettings.objects.filter(supporter=s)},
        exported=lambda data: {social.SocialSettings: count_rows(data)},
    ),
    "posts": Factory(
        _posts,
        owned=lambda s: {social.Post: social.Post.objects.filter(author=s)},
        exported=lambda data: {social.Post: count_rows(data)},
    ),
    "comments": Factory(
        _comments,
        owned=lambda s: {social.Comment: social.Comment.objects.filter(author=s)},
        exported=lambda data: {social.Comment: count_rows(data)},
    ),
    "reactions": Factory(
        _reactions,
        owned=lambda s: {social.Reaction: social.Reaction.objects.filter(supporter=s)},
        exported=lambda data: {social.Reaction: count_rows(data)},
    ),
    "conversations": Factory(
        _conversations,
        owned=lambda s: {
            social.Participant: social.Participant.objects.filter(supporter=s),
            social.Conversation: social.Conversation.objects.filter(created_by=s),
        },
        exported=lambda data: {social.Participant: count_rows(data)},
        not_exported="Conversation: its subject is exported with each participation",
    ),
    "conversation_messages": Factory(
        _conversation_messages,
        owned=lambda s: {social.Message: social.Message.objects.filter(sender=s)},
        exported=lambda data: {social.Message: count_rows(data)},
    ),
    "notifications": Factory(
        _notifications,
        owned=lambda s: {
            social.Notification: social.Notification.objects.filter(Q(recipient=s) | Q(actor=s))
        },
        exported=lambda data: {},
        not_exported="Notification: the ones received are exported; those caused for others are theirs",
    ),
    "reports_made": Factory(
        _reports_made,
        owned=lambda s: {social.Report: social.Report.objects.filter(reporter=s)},
        exported=lambda data: {social.Report: count_rows(data)},
    ),
    "moderation_decisions": Factory(
        _moderation_decisions,
        owned=lambda s: {
            social.ModerationAction: social.ModerationAction.objects.filter(subject=s),
            social.Appeal: social.Appeal.objects.filter(supporter=s),
        },
        exported=lambda data: {
            social.ModerationAction: count_rows(data["decisions"]),
            social.Appeal: count_rows(data["appeals"]),
        },
    ),
}
