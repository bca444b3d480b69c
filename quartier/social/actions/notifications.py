"""Notifications: create them as each person's settings ask, mark them read, claim them for email."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.social.models import (
    Comment,
    Conversation,
    Notification,
    Post,
    SocialSettings,
)
from quartier.social.queries import notifications as notifications_queries
from quartier.social.queries import visibility as visibility_queries


def _wants(recipient_id: int, kind: str) -> tuple[bool, bool]:
    """(in the app, by email) for one recipient and kind."""
    row = SocialSettings.objects.filter(supporter_id=recipient_id).first()
    if row is None:
        return True, True
    in_app = kind not in row.muted_kinds
    by_email = (
        in_app
        and kind not in row.email_muted_kinds
        and row.email_frequency != SocialSettings.EmailFrequency.NEVER
    )
    return in_app, by_email


def notify(
    *,
    recipient: Supporter,
    kind: str,
    actor: Supporter | None = None,
    post: Post | None = None,
    comment: Comment | None = None,
    conversation: Conversation | None = None,
    text: str = "",
) -> Notification | None:
    """Tell someone, unless it is their own doing, they muted this kind, or they blocked the actor.

    Moderation decisions are always told: they cannot be muted.
    """
    if actor is not None and actor.pk == recipient.pk:
        return None
    if actor is not None and visibility_queries.has_blocked(recipient, actor):
        return None
    in_app, by_email = _wants(recipient.pk, kind)
    if kind == Notification.Kind.MODERATION:
        in_app, by_email = True, True
    if not in_app:
        return None
    return Notification.objects.create(
        recipient=recipient, kind=kind, actor=actor, post=post, comment=comment, conversation=conversation,
        text=text[:300], email_pending=by_email,
    )  # fmt: skip


def _notify_many(recipient_ids, *, kind: str, actor: Supporter, conversation: Conversation) -> None:
    ids = list(recipient_ids)
    if not ids:
        return
    rows = {row.supporter_id: row for row in SocialSettings.objects.filter(supporter_id__in=ids)}
    made = []
    for pk in ids:
        row = rows.get(pk)
        if row is not None and kind in row.muted_kinds:
            continue
        by_email = row is None or (
            kind not in row.email_muted_kinds and row.email_frequency != SocialSettings.EmailFrequency.NEVER
        )
        made.append(
            Notification(
                recipient_id=pk, kind=kind, actor=actor, conversation=conversation, email_pending=by_email
            )
        )
    Notification.objects.bulk_create(made, batch_size=1000)


@transaction.atomic
def mark_notifications_read(*, supporter: Supporter) -> int:
    return Notification.objects.filter(recipient=supporter, read_at__isnull=True).update(
        read_at=timezone.now()
    )


def claim_notifications_to_email(*, supporter_id: int, now: datetime) -> list[Notification]:
    """The supporter's notifications waiting for an email, if a digest is due: claimed with a
    conditional UPDATE so that two workers never send the same one twice."""
    with transaction.atomic():
        row, _created = SocialSettings.objects.get_or_create(supporter_id=supporter_id)
        row = SocialSettings.objects.select_for_update().get(pk=row.pk)
        if not notifications_queries.digest_due(row, now):
            return []
        pending = list(
            Notification.objects.filter(recipient_id=supporter_id, email_pending=True, read_at__isnull=True)
            .select_related("recipient", "actor", "post", "post__author", "comment", "conversation")
            .order_by("created_at")[:100]
        )
        claimed = Notification.objects.filter(pk__in=[n.pk for n in pending], email_pending=True).update(
            email_pending=False, emailed_at=now
        )
        if claimed != len(pending):  # another worker got there first
            return []
        Notification.objects.filter(
            recipient_id=supporter_id, email_pending=True, read_at__isnull=False
        ).update(email_pending=False)
        shown = [
            notification for notification in pending if notifications_queries.still_relevant(notification)
        ]
        if shown:
            SocialSettings.objects.filter(pk=row.pk).update(last_emailed_at=now)
        return shown
