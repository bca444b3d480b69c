"""The activity feed: posts, joins and hosted events of the people and groups one follows, read from\nthe per-reader entries written when posts are published."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from django.db import connection
from django.db.models import Exists, OuterRef, Q

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
from quartier.social.queries.posts import PAGE_SIZE, Cursor, _with_authors
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

    Fan-out on write (docs/decisions.md, "The feed: fan-out on write"): the posts of ordinary accounts
    were copied into the viewer's `FeedEntry` rows when published, so the page is one statement: a
    range of the viewer's entries (`feed_entry_page`), beside the newest posts of the few sources that
    are not copied (accounts merged on read, the campaign, the viewer's groups), each from its own
    index and capped at the page size; then one narrow query for the posts shown. The number of
    queries does not depend on the number of people followed or of posts.
    """
    groups = set(organizing_groups.active_group_ids(viewer).values_list("group_id", flat=True))
    ids = _page_ids(viewer, groups, cursor, limit + 1)
    rows = card_rows(Post.objects.filter(pk__in=ids)).annotate(
        shared_blocks_viewer=Exists(
            Block.objects.filter(blocker_id=OuterRef("shared__author_id"), blocked=viewer)
        )
    )
    shown = {post.pk: post for post in rows} if ids else {}
    # A post hidden, deleted or unpublished between the two statements is left out.
    posts = [shown[pk] for pk in ids if pk in shown]
    blockers = {post.shared.author_id for post in posts if post.shared_id and post.shared_blocks_viewer}
    items = [
        FeedItem("post", post.published_at, RANK_POST, post.pk, post=post)
        for post in posts
        if _shared_readable(post, viewer, groups, blockers)
    ]
    sharing = list(
        SocialSettings.objects.filter(
            supporter_id__in=Follow.objects.filter(follower=viewer).values("followed_id")
        )
        .filter(Q(shares_group_joins=True) | Q(shares_hosting=True))
        .values_list("supporter_id", "shares_group_joins", "shares_hosting")
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


# What a feed card shows (`post_card`), and nothing else: the posts' bodies are read, not their source.
CARD_FIELDS = (
    "author_id", "group_id", "for_campaign", "shared_id", "published_at", "visibility", "status", "title",
    "body_html", "image", "image_alt", "image_width", "image_height", "hidden_at", "comment_count", "reaction_count", "repost_count",
)  # fmt: skip
PERSON_FIELDS = ("display_name", "handle", "is_active", "affiliation", "is_staff", "shown_badges")


def card_rows(posts, *extra: str):
    """`posts` with what their cards show (and the `extra` fields of the post): no whole rows."""
    fields = [*CARD_FIELDS, *extra]
    for prefix in ("author__", "shared__author__"):
        fields += [prefix + name for name in PERSON_FIELDS]
    fields += ["group__slug", "group__name", "shared__group__slug", "shared__group__name"]
    fields += ["shared__" + name for name in CARD_FIELDS]
    return _with_authors(posts).only(*fields)


def _page_ids(viewer: Supporter, groups: set[int], cursor: Cursor | None, size: int) -> list[int]:
    """The ids of the next `size` posts of the feed, in order: one statement (see `feed`)."""
    levels = ["public", "supporters"] if is_verified(viewer) else ["public"]
    in_levels = "p.visibility IN (" + ", ".join(["%s"] * len(levels)) + ")"
    shown = "p.status = 'published' AND p.hidden_at IS NULL AND a.is_active"
    not_blocked = "p.author_id NOT IN (SELECT b.blocker_id FROM social_block b WHERE b.blocked_id = %s)"
    arms: list[tuple[str, list]] = []

    def after(at_column: str, id_column: str) -> tuple[str, list]:
        if cursor is None:
            return "1 = 1", []
        at = connection.ops.adapt_datetimefield_value(cursor.at)
        if cursor.rank > RANK_POST:
            return f"{at_column} <= %s", [at]
        return f"({at_column} < %s OR ({at_column} = %s AND {id_column} < %s))", [at, at, cursor.pk]

    def arm(sql: str, params: list, order: str) -> None:
        arms.append(
            (
                f"SELECT * FROM (SELECT p.published_at AS feed_at, p.id AS id {sql} ORDER BY {order} LIMIT %s) a{len(arms)}",  # noqa: S608 (our own SQL)
                [*params, size],
            )
        )

    where, params = after("e.published_at", "e.post_id")
    arm(
        "FROM social_feedentry e JOIN social_post p ON p.id = e.post_id JOIN accounts_supporter a ON a.id = p.author_id "  # noqa: S608
        f"WHERE e.reader_id = %s AND {where} AND {shown} AND (p.author_id = %s OR ({in_levels} AND EXISTS "
        "(SELECT 1 FROM social_follow f WHERE f.follower_id = %s AND f.followed_id = p.author_id)))",
        [viewer.pk, *params, viewer.pk, *levels, viewer.pk],
        "e.published_at DESC, e.post_id DESC",
    )
    where, params = after("p.published_at", "p.id")
    common = f"AND {in_levels} AND {shown} AND {not_blocked} AND {where}"
    posts = "FROM social_post p JOIN accounts_supporter a ON a.id = p.author_id"
    order = "p.published_at DESC, p.id DESC"
    arm(
        f"{posts} WHERE p.author_id IN (SELECT f.followed_id FROM social_follow f JOIN social_mergedauthor m "  # noqa: S608
        f"ON m.supporter_id = f.followed_id WHERE f.follower_id = %s) {common}",
        [viewer.pk, *levels, viewer.pk, *params],
        order,
    )
    arm(f"{posts} WHERE p.for_campaign {common}", [*levels, viewer.pk, *params], order)
    if groups:
        # A member whose address is not confirmed reads the group's public posts only (`readable_by`).
        group_levels = ["public", "supporters", "group"] if is_verified(viewer) else ["public"]
        in_group_levels = "p.visibility IN (" + ", ".join(["%s"] * len(group_levels)) + ")"
        listed = ", ".join(["%s"] * len(groups))
        arm(
            f"{posts} WHERE p.group_id IN ({listed}) AND {in_group_levels} AND {shown} AND {not_blocked} AND {where}",
            [*sorted(groups), *group_levels, viewer.pk, *params],
            order,
        )
    sql = " UNION ".join(part for part, _params in arms)
    with connection.cursor() as db:
        db.execute(
            f"SELECT id FROM ({sql}) feed ORDER BY feed_at DESC, id DESC LIMIT %s",  # noqa: S608
            [value for _part, part_params in arms for value in part_params] + [size],
        )
        return [row[0] for row in db.fetchall()]


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
