"""The activity feed: posts, joins and hosted events of the people and groups one follows, merged on read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from django.db.models import (
    DateTimeField,
    ExpressionWrapper,
    F,
    Q,
    Value,
)

from quartier.accounts.models import Supporter
from quartier.organizing.queries import events as organizing_events
from quartier.organizing.queries import groups as organizing_groups
from quartier.social.models import (
    Block,
    Follow,
    Post,
    SocialSettings,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Viewer = Supporter | AnonymousUser
from quartier.social.queries.posts import PAGE_SIZE, Cursor, _before, _with_authors
from quartier.social.queries.visibility import is_verified

RANK_POST, RANK_JOIN, RANK_HOSTING = 0, 1, 2


@dataclass
class FeedItem:
    kind: str  # "post", "joined", "hosting"
    at: datetime
    rank: int
    pk: int
    post: Post | None = None
    membership: object | None = None
    event: object | None = None

    @property
    def cursor(self) -> Cursor:
        return Cursor(self.at, self.rank, self.pk)


def feed(
    viewer: Supporter, *, cursor: Cursor | None = None, limit: int = PAGE_SIZE
) -> tuple[list[FeedItem], Cursor | None]:
    """Posts and re-posts of the people `viewer` follows, of their groups and of the campaign, and the
    milestones followed people share, newest first.

    Merge on read (docs/decisions.md, "The feed"): the ids of the sources (the people followed, the
    groups, who blocked the viewer) are read first, each from its own index; then one query reads the
    newest posts of those sources past the cursor, and at most two more the milestones, and they are
    merged here. Nothing is written when someone publishes, whatever their number of followers.
    """
    followed = list(
        Follow.objects.filter(follower=viewer).values_list("followed_id", flat=True)[:MAX_FOLLOWED_READ]
    )
    groups = set(organizing_groups.active_group_ids(viewer).values_list("group_id", flat=True))
    blockers = set(Block.objects.filter(blocked=viewer).values_list("blocker_id", flat=True))
    levels = (
        [Post.Visibility.PUBLIC, Post.Visibility.SUPPORTERS]
        if is_verified(viewer)
        else [Post.Visibility.PUBLIC]
    )
    sources = (
        Q(author_id=viewer.pk)
        | Q(author_id__in=followed, visibility__in=levels)
        | Q(for_campaign=True, visibility__in=levels)
    )
    if groups:
        # A member whose address is not confirmed reads the group's public posts only (`readable_by`).
        in_groups = Q(group_id__in=groups)
        sources |= in_groups if is_verified(viewer) else in_groups & Q(visibility=Post.Visibility.PUBLIC)
    rows = Post.objects.filter(
        sources, status=Post.Status.PUBLISHED, hidden_at__isnull=True, author__is_active=True
    )
    if blockers:
        rows = rows.exclude(author_id__in=blockers)
    # Ordered by an expression, not the column: the planner then reads each source's own index
    # (author, group, campaign) and sorts the few hundred rows found, instead of walking every post
    # newest first through `post_published` and filtering (430 ms at 400,000 posts, BENCHMARKS.md).
    feed_at = ExpressionWrapper(F("published_at") + Value(timedelta(0)), output_field=DateTimeField())
    page = (
        _with_authors(_before(rows, cursor, rank=RANK_POST, field="published_at"))
        .annotate(feed_at=feed_at)
        .order_by("-feed_at", "-pk")
    )
    items = [
        FeedItem("post", post.published_at, RANK_POST, post.pk, post=post)
        for post in page[: limit + 1]
        if _shared_readable(post, viewer, groups, blockers)
    ]

    sharing = (
        list(
            SocialSettings.objects.filter(supporter_id__in=followed)
            .filter(Q(shares_group_joins=True) | Q(shares_hosting=True))
            .values_list("supporter_id", "shares_group_joins", "shares_hosting")
        )
        if followed
        else []
    )
    joining = [pk for pk, joins, _hosting in sharing if joins]
    hosting = [pk for pk, _joins, hosts in sharing if hosts]
    before = cursor.at if cursor else None
    if joining:
        for membership in organizing_groups.recent_joins(joining, before=before, limit=limit + 1):
            items.append(
                FeedItem("joined", membership.joined_at, RANK_JOIN, membership.pk, membership=membership)
            )
    if hosting:
        for event in organizing_events.recent_hosted_events(hosting, before=before, limit=limit + 1):
            items.append(FeedItem("hosting", event.created_at, RANK_HOSTING, event.pk, event=event))

    if cursor is not None:
        start = (cursor.at, cursor.rank, cursor.pk)
        items = [item for item in items if (item.at, item.rank, item.pk) < start]
    items.sort(key=lambda item: (item.at, item.rank, item.pk), reverse=True)
    next_cursor = items[limit - 1].cursor if len(items) > limit else None
    return items[:limit], next_cursor


# The feed reads at most this many of the people someone follows.
MAX_FOLLOWED_READ = 5000


def _shared_readable(post: Post, viewer: Supporter, groups: set[int], blockers: set[int]) -> bool:
    """For the feed: whether the post a re-post shares is readable (the `readable_by` rule, on rows
    already loaded). A re-post whose original is not readable is left out."""
    shared = post.shared
    if post.shared_id is None:
        return True
    if (
        shared is None
        or shared.status != Post.Status.PUBLISHED
        or shared.hidden_at is not None
        or not shared.author.is_active
    ):
        return False
    if shared.visibility == Post.Visibility.PUBLIC or shared.author_id == viewer.pk:
        return True
    if shared.author_id in blockers or not is_verified(viewer):
        return False
    if shared.visibility == Post.Visibility.SUPPORTERS:
        return True
    return shared.group_id in groups
