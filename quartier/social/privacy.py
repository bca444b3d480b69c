"""The personal data the social app keeps, registered with `accounts.privacy` (see `apps.py`)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q

from quartier.accounts.models import Supporter
from quartier.accounts.privacy import PersonalDataSource, register, rows, rows_owned_by


def register_sources() -> None:
    from quartier.social.models import (
        Appeal,
        Block,
        Comment,
        Conversation,
        FeedEntry,
        Follow,
        MergedAuthor,
        Message,
        ModerationAction,
        Notification,
        Participant,
        Post,
        Reaction,
        Report,
        SocialSettings,
    )

    register(
        PersonalDataSource(
            name="follows",
            models=(Follow,),
            export=lambda s: list(
                Follow.objects.filter(Q(follower=s) | Q(followed=s))
                .order_by("pk")
                .values("follower__handle", "followed__handle", "created_at")
            ),
            erase=lambda s: Follow.objects.filter(Q(follower=s) | Q(followed=s)).delete(),
            kept_after_deletion=(
                "For 30 days, the ids of the follows erased (no name), so that the campaign's stored "
                "follow graph drops them too; then they are purged."
            ),
        )
    )
    register(
        PersonalDataSource(
            name="blocks",
            models=(Block,),
            # The blocks made; who blocked you is the other person's business, and goes too.
            export=lambda s: list(
                Block.objects.filter(blocker=s).order_by("pk").values("blocked__handle", "created_at")
            ),
            erase=lambda s: Block.objects.filter(Q(blocker=s) | Q(blocked=s)).delete(),
        )
    )
    register(
        PersonalDataSource(
            name="feed",
            models=(FeedEntry, MergedAuthor),
            # Which posts reached the person's feed, and when; whether their own posts are read merged
            # (a technical mark of very followed accounts) is not theirs to take away.
            export=lambda s: list(
                FeedEntry.objects.filter(reader=s)
                .order_by("published_at", "post_id")
                .values("post_id", "published_at")
            ),
            erase=lambda s: (
                FeedEntry.objects.filter(reader=s).delete(),
                MergedAuthor.objects.filter(supporter=s).delete(),
            ),
        )
    )
    register(rows_owned_by("social_settings", SocialSettings))
    register(
        PersonalDataSource(
            name="posts",
            models=(Post,),
            export=lambda s: rows(Post.objects.filter(author=s).order_by("pk"), exclude=("body_html",)),
            erase=lambda s: Post.objects.filter(author=s).delete(),
        )
    )
    register(
        PersonalDataSource(
            name="comments",
            models=(Comment,),
            export=lambda s: rows(Comment.objects.filter(author=s).order_by("pk"), exclude=("body_html",)),
            erase=lambda s: _erase_comments(s),
        )
    )
    register(rows_owned_by("reactions", Reaction))
    register(
        PersonalDataSource(
            name="conversations",
            models=(Participant, Conversation),
            export=lambda s: list(
                Participant.objects.filter(supporter=s)
                .order_by("pk")
                .values("conversation__title", "joined_at", "left_at")
            ),
            erase=lambda s: _erase_conversations(s),
        )
    )
    register(
        PersonalDataSource(
            name="conversation_messages",
            models=(Message,),
            export=lambda s: rows(Message.objects.filter(sender=s).order_by("pk"), exclude=("body_html",)),
            erase=lambda s: Message.objects.filter(sender=s).delete(),
        )
    )
    register(
        PersonalDataSource(
            name="notifications",
            models=(Notification,),
            export=lambda s: list(
                Notification.objects.filter(recipient=s)
                .order_by("pk")
                .values("kind", "text", "created_at", "read_at")
            ),
            erase=lambda s: Notification.objects.filter(Q(recipient=s) | Q(actor=s)).delete(),
        )
    )
    register(
        PersonalDataSource(
            name="reports_made",
            models=(Report,),
            export=lambda s: rows(Report.objects.filter(reporter=s).order_by("pk")),
            erase=lambda s: Report.objects.filter(reporter=s).delete(),
        )
    )
    register(
        PersonalDataSource(
            name="moderation_decisions",
            models=(ModerationAction, Appeal),
            export=lambda s: _export_decisions(s),
            erase=lambda s: _erase_decisions(s),
            kept_after_deletion=(
                "Moderation decisions about your content stay in the audit log, without your name: they "
                "are the campaign's record of how it moderated."
            ),
        )
    )


def _erase_conversations(supporter: Supporter) -> None:
    from quartier.social.models import Conversation, Participant

    Participant.objects.filter(supporter=supporter).delete()
    Conversation.objects.filter(created_by=supporter).update(created_by=None)


def _erase_comments(supporter: Supporter) -> None:
    from django.db.models import F

    from quartier.social.actions.common import comments_changed
    from quartier.social.models import Comment, Post

    for comment in Comment.objects.filter(author=supporter).exclude(post__author=supporter):
        removed = 1 + comment.replies.exclude(author=supporter).count() if comment.parent_id is None else 1
        Post.objects.filter(pk=comment.post_id, comment_count__gte=removed).update(
            comment_count=F("comment_count") - removed
        )
        comments_changed(comment.post_id)
    Comment.objects.filter(author=supporter).delete()


def _export_decisions(supporter: Supporter) -> dict[str, Any]:
    from quartier.social.models import Appeal, ModerationAction

    return {
        "decisions": list(
            ModerationAction.objects.filter(subject=supporter)
            .order_by("pk")
            .values("kind", "reason", "until", "created_at")
        ),
        "appeals": rows(Appeal.objects.filter(supporter=supporter).order_by("pk")),
    }


def _erase_decisions(supporter: Supporter) -> None:
    from quartier.social.models import Appeal, ModerationAction, Report

    Appeal.objects.filter(supporter=supporter).delete()
    ModerationAction.objects.filter(subject=supporter).update(subject=None)
    Report.objects.filter(Q(subject=supporter) | Q(profile=supporter)).delete()
    ModerationAction.objects.filter(moderator=supporter).update(moderator=None)
    Appeal.objects.filter(decided_by=supporter).update(decided_by=None)
