"""Follows, blocks and each person's social settings.

Every follow deleted, here or anywhere else, leaves a `FollowRemoval` written by the database (a
trigger), which reach's snapshot of the follow graph applies; they are purged after
`SOCIAL_FOLLOW_REMOVALS_DAYS` days (`purge_follow_removals`).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.lib.page_cache import bump, stamp
from quartier.social.actions import timelines
from quartier.social.actions.common import SocialError
from quartier.social.actions.notifications import notify
from quartier.social.models import (
    Block,
    Follow,
    FollowRemoval,
    Notification,
    SocialSettings,
)
from quartier.social.queries import visibility as visibility_queries


def _counts_changed(*supporters: Supporter) -> None:
    """Their blogs show how many they follow and are followed by (on commit)."""
    bump(*(stamp("blog:supporter", supporter.pk) for supporter in supporters))


@transaction.atomic
def follow(*, follower: Supporter, followed: Supporter) -> bool:
    """Follow someone; return whether it is new (following twice changes nothing)."""
    if follower.pk == followed.pk:
        raise SocialError("self")
    if not follower.is_verified:
        raise SocialError("unverified")
    if visibility_queries.is_blocked_between(follower, followed):
        raise SocialError("blocked")
    _follow, created = Follow.objects.get_or_create(follower=follower, followed=followed)
    _counts_changed(follower, followed)
    if created:
        timelines.backfill(follower=follower, followed=followed)
        notify(recipient=followed, kind=Notification.Kind.FOLLOW, actor=follower)
    return created


@transaction.atomic
def unfollow(*, follower: Supporter, followed: Supporter) -> bool:
    deleted, _rows = Follow.objects.filter(follower=follower, followed=followed).delete()
    if deleted:
        timelines.forget(reader=follower, author=followed)
    _counts_changed(follower, followed)
    return bool(deleted)


@transaction.atomic
def block(*, blocker: Supporter, blocked: Supporter) -> bool:
    """Block someone: the follows between the two end, and they can no longer write to each other."""
    if blocker.pk == blocked.pk:
        raise SocialError("self")
    _block, created = Block.objects.get_or_create(blocker=blocker, blocked=blocked)
    _counts_changed(blocker, blocked)
    Follow.objects.filter(
        Q(follower=blocker, followed=blocked) | Q(follower=blocked, followed=blocker)
    ).delete()
    timelines.forget(reader=blocker, author=blocked)
    timelines.forget(reader=blocked, author=blocker)
    Notification.objects.filter(recipient=blocker, actor=blocked).delete()
    return created


@transaction.atomic
def unblock(*, blocker: Supporter, blocked: Supporter) -> bool:
    deleted, _rows = Block.objects.filter(blocker=blocker, blocked=blocked).delete()
    return bool(deleted)


def purge_follow_removals(*, now: datetime | None = None) -> int:
    """Forget the follows that ended more than `SOCIAL_FOLLOW_REMOVALS_DAYS` ago; return how many.
    A snapshot of the follow graph older than that can no longer catch up and is rebuilt whole."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.SOCIAL_FOLLOW_REMOVALS_DAYS)
    deleted, _rows = FollowRemoval.objects.filter(removed_at__lt=cutoff).delete()
    return deleted


@transaction.atomic
def update_settings(
    *,
    supporter: Supporter,
    shares_group_joins: bool,
    shares_hosting: bool,
    email_frequency: str,
    muted_kinds: list[str],
    email_muted_kinds: list[str],
) -> SocialSettings:
    row, _created = SocialSettings.objects.select_for_update().get_or_create(supporter=supporter)
    row.shares_group_joins = shares_group_joins
    row.shares_hosting = shares_hosting
    row.email_frequency = email_frequency
    row.muted_kinds = sorted(set(muted_kinds))
    row.email_muted_kinds = sorted(set(email_muted_kinds))
    row.save()
    return row
