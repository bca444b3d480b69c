"""Celery tasks: thin wrappers around the actions that send notification emails, fan posts out and purge
the tombstones of ended follows."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from quartier.social import emails
from quartier.social.actions import connections as connections_actions
from quartier.social.actions import notifications as notifications_actions
from quartier.social.actions import timelines as timelines_actions
from quartier.social.models import Notification


@shared_task
def send_notification_emails() -> int:
    """Every few minutes (celery beat): one email per supporter with notifications waiting whose
    digest is due (at once, daily or weekly, per their settings). Returns the emails sent."""
    now = timezone.now()
    recipients = (
        Notification.objects.filter(email_pending=True, read_at__isnull=True)
        .values_list("recipient_id", flat=True)
        .distinct()
    )
    sent = 0
    for recipient_id in list(recipients[:5000]):
        sent += send_notifications_to(recipient_id, now=now)
    return sent


def send_notifications_to(recipient_id: int, *, now=None) -> int:
    claimed = notifications_actions.claim_notifications_to_email(
        supporter_id=recipient_id, now=now or timezone.now()
    )
    if not claimed:
        return 0
    supporter = claimed[0].recipient
    if not supporter.is_active or not supporter.email or supporter.deleted_at is not None:
        return 0
    emails.build_notification_email(supporter, claimed).send()
    return 1


@shared_task
def fan_out_post(post_id: int) -> int:
    """After a post by an account with many (but not too many) followers is published: copy it into
    each follower's feed in bulk inserts. Safe to retry: existing rows are left alone."""
    return timelines_actions.fan_out_to_followers(post_id)


@shared_task
def purge_follow_removals() -> int:
    """Daily (celery beat): forget the follows that ended more than `SOCIAL_FOLLOW_REMOVALS_DAYS` ago."""
    return connections_actions.purge_follow_removals()
