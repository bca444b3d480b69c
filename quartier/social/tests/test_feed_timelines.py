"""Fan-out on write: the feed read from per-reader entries shows exactly what the merge-on-read query
showed, in a constant number of queries, and a retried fan-out never doubles a row."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext, override_settings
from django.urls import reverse
from django.utils import timezone

from quartier.organizing.queries import groups as organizing_groups
from quartier.social import tasks
from quartier.social.actions import connections as connections_actions
from quartier.social.actions import posts as posts_actions
from quartier.social.actions import timelines
from quartier.social.models import Block, FeedEntry, Follow, MergedAuthor, Post
from quartier.social.queries import feed as feed_queries
from quartier.social.queries.visibility import is_verified
from quartier.social.tests.conftest import join
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _prolific(monkeypatch):
    monkeypatch.setattr(posts_actions, "POSTS_PER_HOUR", 10_000)


def merged_on_read(viewer) -> list[int]:
    """The feed's posts as the query fan-out replaced read them (every source merged on read, sorted
    by time then id): the reference the entries must match."""
    followed = list(Follow.objects.filter(follower=viewer).values_list("followed_id", flat=True))
    groups = set(organizing_groups.active_group_ids(viewer).values_list("group_id", flat=True))
    blockers = set(Block.objects.filter(blocked=viewer).values_list("blocker_id", flat=True))
    levels = ["public", "supporters"] if is_verified(viewer) else ["public"]
    sources = (
        Q(author_id=viewer.pk)
        | Q(author_id__in=followed, visibility__in=levels)
        | Q(for_campaign=True, visibility__in=levels)
    )
    if groups:
        in_groups = Q(group_id__in=groups)
        sources |= in_groups if is_verified(viewer) else in_groups & Q(visibility="public")
    rows = Post.objects.filter(sources, status="published", hidden_at__isnull=True, author__is_active=True)
    return list(
        rows.exclude(author_id__in=blockers).order_by("-published_at", "-pk").values_list("pk", flat=True)
    )


def fanned_out(viewer) -> list[int]:
    seen, cursor = [], None
    while True:
        items, cursor = feed_queries.feed(viewer, cursor=cursor, limit=7)
        seen.extend(item.pk for item in items if item.kind == "post")
        if cursor is None:
            return seen


@override_settings(SOCIAL_FANOUT_MAX_FOLLOWERS=3)
def test_the_feed_shows_what_merging_on_read_showed_on_a_mixed_graph(make_supporter, make_post, staff, group):
    reader, unverified = make_supporter("Rita Reader"), make_supporter("Ursula Unverified", verified=False)
    ordinary, loud, blocker, leaver = (make_supporter(name) for name in ("Oscar", "Lou Loud", "Bea", "Leo"))
    fans = [make_supporter(f"Fan {number}") for number in range(3)]
    for person in (reader, *fans):
        connections_actions.follow(follower=person, followed=loud)  # four followers: read merged
    for followed in (ordinary, blocker, leaver):
        connections_actions.follow(follower=reader, followed=followed)
    join(reader, group)
    join(unverified, group)
    join(ordinary, group)
    make_post(ordinary, "Ordinary public")
    make_post(ordinary, "Ordinary supporters", visibility="supporters")
    make_post(ordinary, "Ordinary in the group", visibility="group", group=group)
    make_post(ordinary, "Ordinary draft", publish=False)
    make_post(loud, "Loud public")
    make_post(loud, "Loud supporters", visibility="supporters")
    make_post(blocker, "Blocker public")
    make_post(leaver, "Left behind")
    make_post(staff, "Campaign news", for_campaign=True)
    make_post(reader, "My own supporters-only", visibility="supporters")
    make_post(make_supporter("Stranger"), "Stranger public")
    hidden = make_post(ordinary, "Hidden by a moderator")
    deleted = make_post(ordinary, "Deleted by its author")
    changed = make_post(ordinary, "Now for the group", group=group)
    Post.objects.filter(pk=hidden.pk).update(hidden_at=timezone.now())
    posts_actions.delete_post(post=deleted)
    Post.objects.filter(pk=changed.pk).update(visibility="group")
    connections_actions.block(blocker=blocker, blocked=reader)
    connections_actions.unfollow(follower=reader, followed=leaver)
    make_post(loud, "Loud after being merged")
    make_post(ordinary, "Ordinary after everything")

    assert MergedAuthor.objects.filter(supporter=loud).exists()
    assert not FeedEntry.objects.filter(post__author=loud).exclude(reader=loud).exists()
    for viewer in (reader, unverified, ordinary, loud, fans[0], staff):
        assert fanned_out(viewer) == merged_on_read(viewer), viewer.display_name
    titles = set(Post.objects.filter(pk__in=fanned_out(reader)).values_list("title", flat=True))
    assert {"Loud public", "Loud after being merged", "Ordinary in the group", "Campaign news"} <= titles
    assert not titles & {"Blocker public", "Left behind", "Hidden by a moderator", "Stranger public"}


def test_following_backfills_recent_posts_and_unfollowing_removes_them(make_supporter, make_post):
    reader, author = make_supporter("Rita Reader"), make_supporter("Ada Author")
    older = [make_post(author, f"Before {number}").pk for number in range(3)]

    connections_actions.follow(follower=reader, followed=author)
    assert set(FeedEntry.objects.filter(reader=reader).values_list("post_id", flat=True)) == set(older)

    connections_actions.unfollow(follower=reader, followed=author)
    assert not FeedEntry.objects.filter(reader=reader).exists()
    assert fanned_out(reader) == []


def test_a_block_removes_each_others_posts_from_both_feeds(make_supporter, make_post):
    one, other = make_supporter("One"), make_supporter("Other")
    connections_actions.follow(follower=one, followed=other)
    connections_actions.follow(follower=other, followed=one)
    make_post(one, "From one")
    make_post(other, "From other")

    connections_actions.block(blocker=one, blocked=other)

    assert not FeedEntry.objects.filter(reader=one, post__author=other).exists()
    assert not FeedEntry.objects.filter(reader=other, post__author=one).exists()


def test_a_retried_fan_out_task_never_doubles_a_row(make_supporter, make_post, monkeypatch):
    monkeypatch.setattr(timelines, "FANOUT_INLINE", 2)
    monkeypatch.setattr(timelines, "FANOUT_BATCH", 2)
    author = make_supporter("Ada Author")
    fans = [make_supporter(f"Fan {number}") for number in range(5)]
    for fan in fans:
        connections_actions.follow(follower=fan, followed=author)
    delayed = []
    monkeypatch.setattr(tasks.fan_out_post, "delay", delayed.append)

    post = make_post(author, "To many")  # more followers than written inline: left to the task
    assert delayed == [] and FeedEntry.objects.filter(post=post).count() == 1  # the author's own row

    # The test's transaction never commits: run what on_commit would have queued, then a retry.
    assert tasks.fan_out_post(post.pk) == 5
    assert tasks.fan_out_post(post.pk) == 5
    assert FeedEntry.objects.filter(post=post).count() == 6
    assert sorted(FeedEntry.objects.filter(post=post).values_list("reader_id", flat=True)) == sorted(
        [author.pk, *(fan.pk for fan in fans)]
    )


def test_publishing_inline_writes_one_row_per_follower_once(make_supporter, make_post):
    author = make_supporter("Ada Author")
    fans = [make_supporter(f"Fan {number}") for number in range(3)]
    for fan in fans:
        connections_actions.follow(follower=fan, followed=author)
    post = make_post(author, "Hello", publish=False)

    posts_actions.publish_post(post=post)
    posts_actions.unpublish_post(post=post)
    posts_actions.publish_post(post=post)

    assert FeedEntry.objects.filter(post=post).count() == 4


def test_the_feed_page_costs_the_same_queries_whatever_it_follows(make_supporter, make_post, group):
    def page_queries(reader) -> int:
        client = client_for(reader)
        client.get(reverse("social:feed"))  # the session and the caches warm
        with CaptureQueriesContext(connection) as captured:
            response = client.get(reverse("social:feed"))
        assert response.status_code == 200
        return len(captured.captured_queries)

    few, many = make_supporter("Few Follows"), make_supporter("Many Follows")
    join(few, group)
    join(many, group)
    authors = [make_supporter(f"Author {number}") for number in range(12)]
    connections_actions.follow(follower=few, followed=authors[0])
    for author in authors:
        connections_actions.follow(follower=many, followed=author)
        for number in range(3):
            make_post(author, f"{author.display_name} {number}")
    shared = make_post(authors[1], "Worth sharing")
    posts_actions.repost(supporter=authors[2], post=shared, comment="Read this", visibility="public")

    assert page_queries(few) == page_queries(many)


@override_settings(SOCIAL_FANOUT_MAX_FOLLOWERS=3)
def test_rebuilding_the_feeds_from_rows_loaded_in_bulk_gives_the_same_feeds(make_supporter, make_post):
    # What the migration and the bench loader do for follows and posts that bypassed the actions.
    reader, loud = make_supporter("Rita Reader"), make_supporter("Lou Loud")
    authors = [make_supporter(f"Author {number}") for number in range(3)]
    for person in (reader, *authors):
        connections_actions.follow(follower=person, followed=loud)
    for author in authors:
        connections_actions.follow(follower=reader, followed=author)
        make_post(author, f"By {author.display_name}", visibility="supporters")
    make_post(loud, "Loud")
    make_post(reader, "Mine")
    before = fanned_out(reader)
    FeedEntry.objects.all().delete()
    MergedAuthor.objects.all().delete()

    timelines.rebuild()
    timelines.rebuild()  # a second run adds nothing

    assert fanned_out(reader) == before == merged_on_read(reader)
    assert list(MergedAuthor.objects.values_list("supporter_id", flat=True)) == [loud.pk]
    assert FeedEntry.objects.count() == 5 + 3  # each post for its author, the three for the reader
