"""Per-reader feeds written when a post is published (fan-out on write), kept right by follows and blocks.

A published post is copied as a `FeedEntry` for its author and for each follower of its author, unless
the author has `SOCIAL_FANOUT_MAX_FOLLOWERS` followers or more (then the author becomes a
`MergedAuthor` and followers read their posts from the author's own index). Up to `FANOUT_INLINE`
followers the rows are written in the publishing transaction; beyond, a Celery task writes them in
batches after commit. Every insert ignores rows already there (`feed_entry_once`), so a retried task
or a post published twice never doubles a row. What may change after the copy (visibility, hiding,
the author's account, the follow itself) is checked again by the read (`queries/feed.py`).
"""

from __future__ import annotations

from django.conf import settings
from django.db import connection, transaction

from quartier.accounts.models import Supporter
from quartier.social.models import FeedEntry, Follow, MergedAuthor, Post

# Followers written in the publishing transaction; more go to the Celery task.
FANOUT_INLINE = 200
# Rows inserted per statement by the task.
FANOUT_BATCH = 1000
# Posts of an account copied into a new follower's feed when they follow it.
BACKFILL = 100


def max_followers() -> int:
    return settings.SOCIAL_FANOUT_MAX_FOLLOWERS


def is_merged(author_id: int) -> bool:
    return MergedAuthor.objects.filter(supporter_id=author_id).exists()


def fan_out(post: Post) -> None:
    """Called by `publish_post` in its transaction: the author's own row, then the followers' rows
    (here for a few, by the task after commit for many, none for an account merged on read)."""
    if post.published_at is None:
        return
    FeedEntry.objects.bulk_create(
        [FeedEntry(reader_id=post.author_id, post_id=post.pk, published_at=post.published_at)],
        ignore_conflicts=True,
    )
    if is_merged(post.author_id):
        return
    limit = max_followers()
    followers = list(
        Follow.objects.filter(followed_id=post.author_id)
        .order_by("follower_id")
        .values_list("follower_id", flat=True)[: FANOUT_INLINE + 1]
    )
    count = len(followers)
    if count > FANOUT_INLINE and limit > count:
        count = Follow.objects.filter(followed_id=post.author_id)[:limit].count()
    if count >= limit:
        MergedAuthor.objects.get_or_create(supporter_id=post.author_id)
        return
    if len(followers) <= FANOUT_INLINE:
        _insert(post, followers)
        return
    from quartier.social import tasks

    transaction.on_commit(lambda: tasks.fan_out_post.delay(post.pk))


def fan_out_to_followers(post_id: int) -> int:
    """The task's work: every follower's row, in batches walked by follower id (safe to run again).
    Returns the rows written."""
    post = (
        Post.objects.filter(pk=post_id, status=Post.Status.PUBLISHED)
        .only("pk", "author_id", "published_at")
        .first()
    )
    if post is None or post.published_at is None or is_merged(post.author_id):
        return 0
    written, last = 0, 0
    while True:
        batch = list(
            Follow.objects.filter(followed_id=post.author_id, follower_id__gt=last)
            .order_by("follower_id")
            .values_list("follower_id", flat=True)[:FANOUT_BATCH]
        )
        if not batch:
            return written
        written += _insert(post, batch)
        last = batch[-1]


def _insert(post: Post, readers: list[int]) -> int:
    if readers:
        FeedEntry.objects.bulk_create(
            [
                FeedEntry(reader_id=reader, post_id=post.pk, published_at=post.published_at)
                for reader in readers
            ],
            ignore_conflicts=True,
            batch_size=FANOUT_BATCH,
        )
    return len(readers)


def backfill(*, follower: Supporter, followed: Supporter) -> None:
    """A new follow: the followed account's recent posts join the follower's feed (unless it is read
    merged). Called in the follow's transaction."""
    if is_merged(followed.pk):
        return
    recent = (
        Post.objects.filter(author=followed, status=Post.Status.PUBLISHED, published_at__isnull=False)
        .order_by("-published_at", "-pk")
        .values_list("pk", "published_at")[:BACKFILL]
    )
    FeedEntry.objects.bulk_create(
        [FeedEntry(reader_id=follower.pk, post_id=pk, published_at=at) for pk, at in recent],
        ignore_conflicts=True,
    )


def forget(*, reader: Supporter, author: Supporter) -> None:
    """An unfollow or a block: the author's posts leave the reader's feed."""
    FeedEntry.objects.filter(reader=reader, post__in=Post.objects.filter(author=author).values("pk")).delete()


REBUILD_SQL = """
INSERT INTO social_feedentry (reader_id, post_id, published_at)
SELECT reader_id, post_id, published_at FROM (
    SELECT p.author_id AS reader_id, p.id AS post_id, p.published_at
    FROM social_post p WHERE p.status = 'published' AND p.published_at IS NOT NULL
    UNION ALL
    SELECT f.follower_id, r.id, r.published_at
    FROM social_follow f
    JOIN (
        SELECT id, author_id, published_at,
               row_number() OVER (PARTITION BY author_id ORDER BY published_at DESC, id DESC) AS n
        FROM social_post WHERE status = 'published' AND published_at IS NOT NULL
    ) r ON r.author_id = f.followed_id AND r.n <= %s
    WHERE f.followed_id NOT IN (SELECT supporter_id FROM social_mergedauthor)
) fill WHERE true
ON CONFLICT DO NOTHING
"""

MARK_MERGED_SQL = """
INSERT INTO social_mergedauthor (supporter_id, since)
SELECT followed_id, %s FROM social_follow GROUP BY followed_id HAVING count(*) >= %s
ON CONFLICT DO NOTHING
"""


def rebuild(*, max_followers_: int | None = None, backfill_: int = BACKFILL) -> None:
    """Fill the feeds from the follows and posts already there (the migration's work, and the bench
    loader's after it generates rows in SQL): accounts past the limit are marked merged, each author
    gets their posts, each follower the `BACKFILL` newest posts of each ordinary account they follow."""
    from django.utils import timezone

    limit = max_followers() if max_followers_ is None else max_followers_
    with connection.cursor() as cursor:
        cursor.execute(MARK_MERGED_SQL, [connection.ops.adapt_datetimefield_value(timezone.now()), limit])
        cursor.execute(REBUILD_SQL, [backfill_])
