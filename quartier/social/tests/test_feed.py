"""The feed: its sources, milestones by consent, cursor pages with no gap and no repeat, query counts."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from quartier.social.actions import connections as connections_actions
from quartier.social.actions import posts as posts_actions
from quartier.social.models import FeedEntry, Post
from quartier.social.queries import feed as feed_queries
from quartier.social.queries.posts import Cursor
from quartier.social.tests.conftest import join
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _prolific(monkeypatch):
    monkeypatch.setattr(posts_actions, "POSTS_PER_HOUR", 10_000)  # the limit has its own tests


def test_the_feed_merges_followed_people_my_groups_the_campaign_and_me(
    people, group, make_post, staff, make_supporter
):
    reader = people["follower"]
    join(reader, group)
    make_post(people["author"], "From the author")
    make_post(people["member"], "From the group", visibility=Post.Visibility.GROUP, group=group)
    make_post(staff, "From the campaign", for_campaign=True)
    make_post(reader, "From me")
    make_post(make_supporter("Nobody Followed"), "From a stranger")

    items, _cursor = feed_queries.feed(reader)

    assert sorted(item.post.title for item in items) == [
        "From me",
        "From the author",
        "From the campaign",
        "From the group",
    ]


def test_the_feed_is_newest_first_and_pages_through_every_item_once(people, make_post):
    author, reader = people["author"], people["follower"]
    now = timezone.now()
    made = []
    for number in range(45):
        post = make_post(author, f"Post {number}", body=f"Body {number}")
        # Groups of three share the same second: the cursor must still keep them apart.
        at = now - timedelta(seconds=number // 3)
        Post.objects.filter(pk=post.pk).update(published_at=at)
        FeedEntry.objects.filter(post=post).update(published_at=at)  # the feed's copy of the time
        made.append(post.pk)

    seen, cursor = [], None
    for _page in range(5):
        items, cursor = feed_queries.feed(reader, cursor=cursor, limit=20)
        seen.extend(item.pk for item in items)
        if cursor is None:
            break

    assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
    times = [Post.objects.get(pk=pk).published_at for pk in seen]
    assert times == sorted(times, reverse=True)


def test_load_more_answers_htmx_with_the_next_page_only(people, make_post):
    for number in range(25):
        make_post(people["author"], f"Entry {number:02d}", body=f"Text {number}")
    client = client_for(people["follower"])

    first = client.get(reverse("social:feed")).content.decode()
    cursor = first.split("?after=")[1].split('"')[0]
    more = client.get(reverse("social:feed"), {"after": cursor}, HTTP_HX_REQUEST="true").content.decode()

    assert "Entry 24" in first and "Entry 05" in first and "Entry 04" not in first
    assert "<html" not in more and "Entry 04" in more and "Entry 00" in more and "Entry 05" not in more


def test_a_broken_cursor_shows_the_first_page(people, make_post):
    make_post(people["author"], "Still here")

    for junk in ["x", "!!!", "MTIzNA", "A" * 500, "LTEuMC4w"]:
        response = client_for(people["follower"]).get(reverse("social:feed"), {"after": junk})
        assert response.status_code == 200 and "Still here" in response.content.decode()
    assert Cursor.decode("not base64 at all") is None


def test_milestones_show_only_when_the_person_allows_them(people, group, make_supporter):
    reader = people["follower"]
    joiner = make_supporter("Jo Joiner")
    connections_actions.follow(follower=reader, followed=joiner)
    join(joiner, group)

    assert [item.kind for item in feed_queries.feed(reader)[0]] == []
    connections_actions.update_settings(
        supporter=joiner,
        shares_group_joins=True,
        shares_hosting=False,
        email_frequency="daily",
        muted_kinds=[],
        email_muted_kinds=[],
    )
    items = feed_queries.feed(reader)[0]
    assert [(item.kind, item.membership.group.name) for item in items] == [("joined", group.name)]


def test_the_feed_costs_the_same_queries_for_5_or_50_followed_people(
    people, make_post, make_supporter, django_assert_max_num_queries
):
    reader = people["stranger"]
    client = client_for(reader)

    def follow_more(count: int) -> None:
        for number in range(count):
            person = make_supporter(f"Writer {number}")
            connections_actions.follow(follower=reader, followed=person)
            make_post(person, f"Words {number}", body=f"Something {number}")
            repost_source = make_post(people["author"], f"Source {number}", body=f"Original {number}")
            posts_actions.repost(supporter=person, post=repost_source, comment="See", visibility="public")

    follow_more(5)
    client.get(reverse("social:feed"))
    with django_assert_max_num_queries(14) as small:
        client.get(reverse("social:feed"))
    follow_more(45)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("social:feed"))
    assert response.content.decode().count('class="card post"') == 20


def test_publishing_costs_the_same_whatever_the_number_of_followers(people, make_supporter):
    # Nothing fans out on write (see docs/decisions.md): no row per follower, no query per follower.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from quartier.social.models import Follow, Notification

    def publish(title: str) -> int:
        draft = posts_actions.PostDraft(title=title, body="Hello", visibility="public")
        with CaptureQueriesContext(connection) as captured:
            posts_actions.create_post(author=people["author"], draft=draft, publish=True)
        return len(captured.captured_queries)

    few = publish("With few followers")
    for number in range(30):
        connections_actions.follow(follower=make_supporter(f"Fan {number}"), followed=people["author"])
    notifications_before = Notification.objects.count()

    assert publish("With many followers") == few
    assert Follow.objects.filter(followed=people["author"]).count() >= 30
    assert Notification.objects.count() == notifications_before
