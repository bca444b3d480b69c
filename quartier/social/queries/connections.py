"""Follows, followers, friends, blocks and people you may know."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import (
    QuerySet,
)

from quartier.accounts.models import Supporter
from quartier.organizing.queries import groups as organizing_groups
from quartier.social.models import (
    Block,
    Follow,
    SocialSettings,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Viewer = Supporter | AnonymousUser


def is_following(follower: Viewer | None, followed: Supporter) -> bool:
    if follower is None or not follower.is_authenticated:
        return False
    return Follow.objects.filter(follower=follower, followed=followed).exists()


def connection_counts(supporter: Supporter) -> dict[str, int]:
    return {
        "followers": Follow.objects.filter(followed=supporter).count(),
        "following": Follow.objects.filter(follower=supporter).count(),
    }


def _active(rows: QuerySet[Supporter]) -> QuerySet[Supporter]:
    return rows.filter(is_active=True, deleted_at__isnull=True, email_verified_at__isnull=False)


def followers(supporter: Supporter, limit: int = 100) -> list[Supporter]:
    return list(
        _active(Supporter.objects.filter(following__followed=supporter)).order_by("-following__created_at")[
            :limit
        ]
    )


def following(supporter: Supporter, limit: int = 100) -> list[Supporter]:
    return list(
        _active(Supporter.objects.filter(followers__follower=supporter)).order_by("-followers__created_at")[
            :limit
        ]
    )


def friends(supporter: Supporter, limit: int = 100) -> list[Supporter]:
    """Mutual follows."""
    return list(
        _active(
            Supporter.objects.filter(followers__follower=supporter, following__followed=supporter)
        ).order_by("display_name")[:limit]
    )


def blocked_by(supporter: Supporter) -> list[Supporter]:
    return list(Supporter.objects.filter(blocks_received__blocker=supporter).order_by("display_name"))


def people_you_may_know(supporter: Supporter, limit: int = 6) -> list[Supporter]:
    """People in the supporter's groups and at their events whom they neither follow nor block."""
    excluded = (
        Follow.objects.filter(follower=supporter).values("followed_id")
        .union(Block.objects.filter(blocker=supporter).values("blocked_id"))
        .union(Block.objects.filter(blocked=supporter).values("blocker_id"))
    )  # fmt: skip
    ids = organizing_groups.people_sharing_groups_and_events(
        supporter, exclude=Supporter.objects.filter(pk__in=excluded).values("pk"), limit=limit * 2
    )
    found = {person.pk: person for person in _active(Supporter.objects.filter(pk__in=ids))}
    return [found[pk] for pk in ids if pk in found][:limit]


def settings_of(supporter: Supporter) -> SocialSettings:
    found = SocialSettings.objects.filter(supporter=supporter).first()
    return found or SocialSettings(supporter=supporter)
