"""The one visibility rule: who may read which post (`visible_posts` for lists, `can_read` for one), blocks and sanctions."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import (
    Q,
    QuerySet,
)
from django.utils import timezone

from quartier.accounts.models import Supporter
from quartier.organizing.queries import groups as organizing_groups
from quartier.social.models import (
    Block,
    ModerationAction,
    Post,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Viewer = Supporter | AnonymousUser


def is_verified(viewer: Viewer | None) -> bool:
    return bool(viewer is not None and viewer.is_authenticated and viewer.is_verified)


def is_moderator(viewer: Viewer | None) -> bool:
    return bool(viewer is not None and viewer.is_authenticated and viewer.is_staff)


def blockers_of(viewer: Supporter) -> QuerySet:
    """The ids of the people who blocked `viewer`, as a subquery."""
    return Block.objects.filter(blocked=viewer).values("blocker_id")


def is_blocked_between(one: Supporter, other: Supporter) -> bool:
    """Whether either of the two blocked the other."""
    return Block.objects.filter(Q(blocker=one, blocked=other) | Q(blocker=other, blocked=one)).exists()


def has_blocked(blocker: Supporter, blocked: Supporter) -> bool:
    return Block.objects.filter(blocker=blocker, blocked=blocked).exists()


def visible_posts(viewer: Viewer | None) -> QuerySet[Post]:
    """Every published, not hidden post `viewer` may read (re-posts also need their original readable).

    Public posts are for everyone; "signed-in supporters" posts for verified supporters the author has
    not blocked; group posts for the group's active members the author has not blocked. Staff read
    every published post. Nobody reads a hidden post or a draft here (authors see drafts on their blog).
    """
    posts = Post.objects.filter(status=Post.Status.PUBLISHED, hidden_at__isnull=True, author__is_active=True)
    original_shown = Q(
        shared__status=Post.Status.PUBLISHED, shared__hidden_at__isnull=True, shared__author__is_active=True
    )
    return posts.filter(readable_by(viewer)).filter(
        Q(shared__isnull=True) | (original_shown & readable_by(viewer, prefix="shared__"))
    )


def readable_by(viewer: Viewer | None, *, prefix: str = "") -> Q:
    public = Q(**{f"{prefix}visibility": Post.Visibility.PUBLIC})
    if not is_verified(viewer):
        if viewer is not None and viewer.is_authenticated:
            return public | Q(**{f"{prefix}author": viewer})
        return public
    if is_moderator(viewer):
        return Q()
    not_blocked = ~Q(**{f"{prefix}author_id__in": blockers_of(viewer)})
    return (
        public
        | Q(**{f"{prefix}author": viewer})
        | (Q(**{f"{prefix}visibility": Post.Visibility.SUPPORTERS}) & not_blocked)
        | (
            Q(**{f"{prefix}visibility": Post.Visibility.GROUP})
            & Q(**{f"{prefix}group_id__in": organizing_groups.active_group_ids(viewer)})
            & not_blocked
        )
    )


def can_read(viewer: Viewer | None, post: Post) -> bool:
    """The same rule as `visible_posts`, for one post already loaded (drafts: the author only)."""
    if post.is_hidden or not post.author.is_active:
        return False
    is_author = bool(viewer is not None and viewer.is_authenticated and viewer.pk == post.author_id)
    if not post.is_published:
        return is_author
    if is_author or post.visibility == Post.Visibility.PUBLIC:
        allowed = True
    elif not is_verified(viewer):
        allowed = False
    elif is_moderator(viewer):
        allowed = True
    elif has_blocked(post.author, viewer):
        allowed = False
    elif post.visibility == Post.Visibility.SUPPORTERS:
        allowed = True
    else:
        allowed = post.group_id is not None and organizing_groups.is_active_member(viewer, post.group_id)
    if allowed and post.shared_id is not None:
        return post.shared is not None and post.shared.is_published and can_read(viewer, post.shared)
    return allowed


def sanction_of(supporter: Supporter) -> ModerationAction | None:
    """The suspension or ban in force for the supporter, if any (a later lift ends it)."""
    latest = (
        ModerationAction.objects.filter(
            subject=supporter,
            kind__in=[ModerationAction.Kind.SUSPEND, ModerationAction.Kind.BAN, ModerationAction.Kind.LIFT],
        )
        .order_by("-created_at", "-pk")
        .first()
    )
    if latest is None or latest.kind == ModerationAction.Kind.LIFT:
        return None
    if (
        latest.kind == ModerationAction.Kind.SUSPEND
        and latest.until is not None
        and latest.until <= timezone.now()
    ):
        return None
    return latest
