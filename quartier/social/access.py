"""Permission-checked loaders: the only way a view gets a post, comment, conversation or report."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404

from quartier.accounts.access import get_visible_supporter
from quartier.accounts.models import Supporter
from quartier.reach import queries as reach_queries
from quartier.social.actions.conversations import may_take_part
from quartier.social.models import (
    Appeal,
    Comment,
    Conversation,
    Message,
    ModerationAction,
    Participant,
    Post,
    Report,
)
from quartier.social.queries import feed as feed_queries
from quartier.social.queries import moderation as moderation_queries
from quartier.social.queries import visibility as visibility_queries

if TYPE_CHECKING:
    from quartier.social.queries.visibility import Viewer


def _post(post_id: int) -> Post | None:
    return (
        Post.objects.select_related("author", "group", "shared", "shared__author", "shared__group")
        .filter(pk=post_id)
        .first()
    )


def get_readable_post(viewer: Viewer, post_id: int, *, with_referral_code: bool = False) -> Post:
    """A post the viewer may read (drafts: their author only; hidden posts: nobody), with what its page
    and card show (the post page's hot loader: a third of the columns of whole rows)."""
    rows = Post.objects.filter(pk=post_id)
    if with_referral_code and viewer.is_authenticated:
        # The viewer's code for the page's share kit, read with the post (no query of its own).
        rows = rows.annotate(viewer_referral_code=reach_queries.viewer_referral_code(viewer))
    post = feed_queries.card_rows(rows, "is_featured").first()
    if post is None or not visibility_queries.can_read(viewer, post):
        raise Http404
    return post


def get_own_post(viewer: Viewer, post_id: int) -> Post:
    """A post the viewer wrote (hidden ones stay out of reach: a moderator's decision stands)."""
    post = _post(post_id)
    if post is None or not viewer.is_authenticated or post.author_id != viewer.pk or post.is_hidden:
        raise Http404
    return post


def get_post_for_staff(viewer: Viewer, post_id: int) -> Post:
    post = _post(post_id)
    if post is None or not visibility_queries.is_moderator(viewer) or post.is_hidden:
        raise Http404
    return post


def get_comment_on(viewer: Viewer, post: Post, comment_id: int) -> Comment:
    comment = (
        Comment.objects.select_related("author", "post")
        .filter(pk=comment_id, post=post, hidden_at__isnull=True)
        .first()
    )
    if comment is None:
        raise Http404
    return comment


def get_own_comment(viewer: Viewer, comment_id: int) -> Comment:
    """A comment the viewer wrote, or one on the viewer's own post (authors tidy their threads)."""
    comment = (
        Comment.objects.select_related("post", "post__author")
        .filter(pk=comment_id, hidden_at__isnull=True)
        .first()
    )
    if (
        comment is None
        or not viewer.is_authenticated
        or viewer.pk not in {comment.author_id, comment.post.author_id}
    ):
        raise Http404
    return comment


def get_person(viewer: Viewer, handle: str) -> Supporter:
    """Someone whose profile the viewer may open (the accounts rule)."""
    return get_visible_supporter(viewer, handle)


def get_conversation_for(viewer: Viewer, conversation_id: int) -> tuple[Conversation, Participant]:
    """A conversation the viewer takes part in (a group's: a current member; an event's: an attendee)."""
    if not viewer.is_authenticated:
        raise Http404
    participant = (
        Participant.objects.select_related("conversation", "conversation__group", "conversation__event")
        .filter(conversation_id=conversation_id, supporter=viewer, left_at__isnull=True)
        .first()
    )
    if participant is None or not may_take_part(viewer, participant.conversation):
        raise Http404
    return participant.conversation, participant


def get_message_in(viewer: Viewer, message_id: int) -> Message:
    message = (
        Message.objects.select_related("conversation", "sender")
        .filter(pk=message_id, hidden_at__isnull=True)
        .first()
    )
    if message is None:
        raise Http404
    get_conversation_for(viewer, message.conversation_id)
    return message


def get_report_for_moderator(viewer: Viewer, report_id: int) -> Report:
    report = (
        Report.objects.select_related(
            "post", "comment", "comment__post", "message", "profile", "subject", "group"
        )
        .filter(pk=report_id)
        .first()
    )
    if report is None or not moderation_queries.may_moderate(viewer, report):
        raise Http404
    return report


def get_own_decision(viewer: Viewer, action_id: int) -> ModerationAction:
    action = ModerationAction.objects.filter(pk=action_id).first()
    if action is None or not viewer.is_authenticated or action.subject_id != viewer.pk:
        raise Http404
    return action


def get_appeal_for_staff(viewer: Viewer, appeal_id: int) -> Appeal:
    appeal = Appeal.objects.select_related("action", "supporter").filter(pk=appeal_id).first()
    if appeal is None or not visibility_queries.is_moderator(viewer):
        raise Http404
    return appeal
