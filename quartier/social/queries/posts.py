"""Blogs, drafts and comments, paged by cursor."""

from __future__ import annotations

import base64
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.db.models import (
    Prefetch,
    Q,
    QuerySet,
)

from quartier.accounts.models import Supporter
from quartier.social.models import (
    Comment,
    Post,
    Reaction,
)

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    Viewer = Supporter | AnonymousUser
from quartier.social.queries.visibility import visible_posts

PAGE_SIZE = 20


@dataclass(frozen=True)
class Cursor:
    """Where a page of a newest-first list stops: the last item's time, kind rank and id."""

    at: datetime
    rank: int
    pk: int

    def encode(self) -> str:
        raw = f"{int(self.at.timestamp() * 1_000_000)}.{self.rank}.{self.pk}"
        return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")

    @classmethod
    def decode(cls, text: str | None) -> Cursor | None:
        """None for no cursor or a malformed one (the first page is shown)."""
        if not text or len(text) > 80:
            return None
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode()
            micros, rank, pk = (int(part) for part in raw.split("."))
            if micros <= 0 or pk <= 0 or rank < 0:
                return None
            at = datetime.fromtimestamp(micros / 1_000_000, tz=UTC)
        except (ValueError, UnicodeDecodeError, OverflowError, OSError):
            return None
        return cls(at=at, rank=rank, pk=pk)


def _before(rows: QuerySet, cursor: Cursor | None, *, rank: int, field: str) -> QuerySet:
    """The rows strictly after `cursor` in the order (time desc, rank desc, id desc)."""
    if cursor is None:
        return rows
    if rank < cursor.rank:
        return rows.filter(**{f"{field}__lte": cursor.at})
    if rank > cursor.rank:
        return rows.filter(**{f"{field}__lt": cursor.at})
    return rows.filter(Q(**{f"{field}__lt": cursor.at}) | Q(**{field: cursor.at, "pk__lt": cursor.pk}))


def _with_authors(posts: QuerySet[Post]) -> QuerySet[Post]:
    return posts.select_related("author", "group", "shared", "shared__author", "shared__group")


def blog_posts(
    viewer: Viewer | None,
    *,
    author: Supporter | None = None,
    group_id: int | None = None,
    campaign: bool = False,
    cursor: Cursor | None = None,
    limit: int = PAGE_SIZE,
) -> tuple[list[Post], Cursor | None]:
    """One page of a blog, newest first, and the cursor of the next page (None at the end).

    A supporter's own blog shows them their drafts first, on the first page.
    """
    posts = visible_posts(viewer)
    if author is not None:
        posts = posts.filter(author=author, group__isnull=True, for_campaign=False)
    elif group_id is not None:
        posts = posts.filter(group_id=group_id)
    elif campaign:
        posts = posts.filter(Q(for_campaign=True) | Q(is_featured=True))
    page = list(
        _with_authors(_before(posts, cursor, rank=0, field="published_at")).order_by("-published_at", "-pk")[
            : limit + 1
        ]
    )
    following_cursor = None
    if len(page) > limit:
        page = page[:limit]
        following_cursor = Cursor(page[-1].published_at, 0, page[-1].pk)
    return page, following_cursor


def drafts_of(author: Supporter) -> list[Post]:
    return list(
        Post.objects.filter(author=author, status=Post.Status.DRAFT, hidden_at__isnull=True)
        .select_related("group")
        .order_by("-updated_at")[:50]
    )


def comments_of(post: Post, viewer: Viewer | None) -> list[Comment]:
    """Top-level comments, oldest first, each with its replies (hidden ones left out): two queries."""
    visible = Comment.objects.filter(hidden_at__isnull=True, author__is_active=True).select_related("author")
    return list(
        visible.filter(post=post, parent__isnull=True)
        .order_by("created_at", "pk")
        .prefetch_related(
            Prefetch("replies", queryset=visible.order_by("created_at", "pk"), to_attr="shown_replies")
        )
    )


def reacted_among(viewer: Supporter, post_ids: list[int]) -> set[int]:
    """Which of these posts the viewer has reacted to (one query, none for no post)."""
    if not post_ids:
        return set()
    return set(
        Reaction.objects.filter(supporter=viewer, post_id__in=post_ids).values_list("post_id", flat=True)
    )
