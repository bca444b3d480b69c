"""Follows and recent posts and comments in bulk, for integrity's trust graph and detectors."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime

from quartier.social.models import Comment, Follow, Post, Reaction


def follow_pairs() -> Iterator[tuple[int, int]]:
    """(follower id, followed id) for every follow, streamed."""
    return Follow.objects.values_list("follower_id", "followed_id").order_by().iterator(chunk_size=10000)


def texts_since(
    since: datetime, *, after_post: int = 0, after_comment: int = 0
) -> Iterator[tuple[str, int, int, datetime, str]]:
    """("post" | "comment", id, author id, created at, text) of published posts and of comments
    created since `since` (and with an id above the given ones), posts first, each in id order."""
    posts = (
        Post.objects.filter(
            created_at__gte=since, pk__gt=after_post, status=Post.Status.PUBLISHED, shared__isnull=True
        )
        .values_list("pk", "author_id", "created_at", "title", "body")
        .order_by("pk")
    )
    for pk, author_id, created_at, title, body in posts.iterator(chunk_size=2000):
        yield "post", pk, author_id, created_at, f"{title}\n{body}".strip()
    comments = (
        Comment.objects.filter(created_at__gte=since, pk__gt=after_comment)
        .values_list("pk", "author_id", "created_at", "body")
        .order_by("pk")
    )
    for pk, author_id, created_at, body in comments.iterator(chunk_size=2000):
        yield "comment", pk, author_id, created_at, body


def actions_since(since: datetime) -> Iterator[tuple[int, str, datetime]]:
    """(supporter id, item, time) of every reaction, comment and follow since `since`: "post:12"
    for a reaction to or a comment on post 12, "follow:7" for following supporter 7."""
    reactions = Reaction.objects.filter(created_at__gte=since).values_list(
        "supporter_id", "post_id", "created_at"
    )
    for supporter_id, post_id, created_at in reactions.order_by().iterator(chunk_size=10000):
        yield supporter_id, f"post:{post_id}", created_at
    comments = Comment.objects.filter(created_at__gte=since).values_list("author_id", "post_id", "created_at")
    for supporter_id, post_id, created_at in comments.order_by().iterator(chunk_size=10000):
        yield supporter_id, f"post:{post_id}", created_at
    follows = Follow.objects.filter(created_at__gte=since).values_list(
        "follower_id", "followed_id", "created_at"
    )
    for supporter_id, followed_id, created_at in follows.order_by().iterator(chunk_size=10000):
        yield supporter_id, f"follow:{followed_id}", created_at
