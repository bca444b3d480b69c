"""Notifications still worth showing, and who is due a digest."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import Q

from quartier.accounts.models import Supporter
from quartier.social.models import (
    Block,
    Notification,
    Post,
    SocialSettings,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Viewer = Supporter | AnonymousUser
from quartier.social.queries.visibility import can_read, has_blocked, visible_posts


def notifications_of(supporter: Supporter, limit: int = 50) -> list[Notification]:
    return list(
        Notification.objects.filter(recipient=supporter)
        .select_related("actor", "post", "comment", "conversation")
        .order_by("-created_at", "-pk")[:limit]
    )


def still_relevant(notification: Notification) -> bool:
    """Whether a notification may still be shown or emailed: what it is about is neither hidden nor
    unreadable for its recipient now."""
    if notification.post_id is not None and not can_read(notification.recipient, notification.post):
        return False
    if notification.comment_id is not None and notification.comment.hidden_at is not None:
        return False
    return not (
        notification.actor_id is not None
        and (not notification.actor.is_active or has_blocked(notification.recipient, notification.actor))
    )


def relevant_to(supporter: Supporter) -> Q:
    """`still_relevant` as a filter on the supporter's notifications, for counting them in one query
    (the bell): what they are about is readable by them, not hidden, and not from someone gone or blocked.
    """
    own_drafts = Post.objects.filter(
        author=supporter, status=Post.Status.DRAFT, hidden_at__isnull=True, author__is_active=True
    )
    blocked_by_me = Block.objects.filter(blocker=supporter).values("blocked_id")
    return (
        (
            Q(post__isnull=True)
            | Q(post__in=visible_posts(supporter).values("pk"))
            | Q(post__in=own_drafts.values("pk"))
        )
        & (Q(comment__isnull=True) | Q(comment__hidden_at__isnull=True))
        & (Q(actor__isnull=True) | (Q(actor__is_active=True) & ~Q(actor_id__in=blocked_by_me)))
    )


def digest_due(settings_row: SocialSettings, now: datetime) -> bool:
    frequency = settings_row.email_frequency
    if frequency == SocialSettings.EmailFrequency.NEVER:
        return False
    if frequency == SocialSettings.EmailFrequency.IMMEDIATELY or settings_row.last_emailed_at is None:
        return True
    period = timedelta(days=1 if frequency == SocialSettings.EmailFrequency.DAILY else 7)
    return settings_row.last_emailed_at + period <= now
