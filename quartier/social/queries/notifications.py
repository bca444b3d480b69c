"""Notifications still worth showing, and who is due a digest."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from quartier.accounts.models import Supporter
from quartier.social.models import (
    Notification,
    SocialSettings,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Viewer = Supporter | AnonymousUser
from quartier.social.queries.visibility import can_read, has_blocked


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


def digest_due(settings_row: SocialSettings, now: datetime) -> bool:
    frequency = settings_row.email_frequency
    if frequency == SocialSettings.EmailFrequency.NEVER:
        return False
    if frequency == SocialSettings.EmailFrequency.IMMEDIATELY or settings_row.last_emailed_at is None:
        return True
    period = timedelta(days=1 if frequency == SocialSettings.EmailFrequency.DAILY else 7)
    return settings_row.last_emailed_at + period <= now
