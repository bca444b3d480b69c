"""Follows, friends, blocks, people you may know, search within privacy settings, the journal, the panel."""

from __future__ import annotations

import pytest
from django.template.loader import render_to_string
from django.urls import reverse

from quartier.accounts.models import Activity, Profile, Visibility
from quartier.social.actions import common as common_actions
from quartier.social.actions import connections as connections_actions
from quartier.social.actions import conversations as conversations_actions
from quartier.social.actions import posts as posts_actions
from quartier.social.models import Follow, Post
from quartier.social.queries import connections as connections_queries
from quartier.social.queries import conversations as conversations_queries
from quartier.social.queries import search as search_queries
from quartier.social.tests.conftest import join
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


def test_following_back_makes_friends_and_following_twice_changes_nothing(people):
    author, follower = people["author"], people["follower"]
    client = client_for(author)

    client.post(reverse("social:follow", args=[follower.handle]))
    client.post(reverse("social:follow", args=[follower.handle]))

    assert Follow.objects.filter(follower=author, followed=follower).count() == 1
    assert follower in connections_queries.friends(author) and author in connections_queries.friends(follower)
    page = client_for(follower).get(reverse("social:blog", args=[author.handle])).content.decode()
    assert "Friends" in page


def test_nobody_follows_themselves_or_someone_who_blocked_them(people):
    with pytest.raises(common_actions.SocialError, match="self"):
        connections_actions.follow(follower=people["author"], followed=people["author"])

    response = client_for(people["blocked"]).post(
        reverse("social:follow", args=[people["author"].handle]), follow=True
    )

    assert "one of you blocked the other" in response.content.decode()
    assert not Follow.objects.filter(follower=people["blocked"], followed=people["author"]).exists()


def test_blocking_ends_the_follows_both_ways_and_unblocking_restores_nothing_by_itself(people):
    author, friend = people["author"], people["friend"]
    client_for(author).post(reverse("social:block", args=[friend.handle]))

    assert not Follow.objects.filter(follower__in=[author, friend], followed__in=[author, friend]).exists()
    client_for(author).post(reverse("social:unblock", args=[friend.handle]))
    assert not Follow.objects.filter(follower=author, followed=friend).exists()
    connections_actions.follow(follower=friend, followed=author)


def test_people_you_may_know_come_from_shared_groups_and_leave_out_followed_and_blocked(
    people, group, make_supporter
):
    me = people["stranger"]
    join(me, group)
    suggestions = connections_queries.people_you_may_know(me)

    assert {person.display_name for person in suggestions} == {"Alice Author", "Mona Member"}
    connections_actions.follow(follower=me, followed=people["author"])
    connections_actions.block(blocker=people["member"], blocked=me)
    assert connections_queries.people_you_may_know(me) == []


def test_unverified_people_cannot_follow(unverified, people):
    client_for(unverified).post(reverse("social:follow", args=[people["author"].handle]))

    assert not Follow.objects.filter(follower=unverified).exists()


def test_the_connection_lists_are_for_their_owner(people):
    assert client_for(people["author"]).get(reverse("social:connections")).status_code == 200
    assert client_for(None).get(reverse("social:connections")).status_code == 302


def test_search_finds_people_by_town_only_where_the_town_is_visible(people, make_supporter):
    shown, hidden = make_supporter("Town Shown"), make_supporter("Town Hidden")
    for person, level in ((shown, Visibility.PUBLIC), (hidden, Visibility.PRIVATE)):
        type(person).objects.filter(pk=person.pk).update(town="Rimouski")
        Profile.objects.filter(supporter=person).update(town_visibility=level)

    found = search_queries.search_people(people["stranger"], "Rimouski")

    assert [person.display_name for person in found] == ["Town Shown"]
    assert [p.display_name for p in search_queries.search_people(people["stranger"], hidden.handle)] == [
        "Town Hidden"
    ]


def test_search_leaves_out_people_who_blocked_the_searcher(people):
    assert search_queries.search_people(people["blocked"], "Alice") == []
    assert [p.display_name for p in search_queries.search_people(people["stranger"], "Alice")] == [
        "Alice Author"
    ]


def test_post_search_matches_words_and_respects_visibility(people, make_post):
    make_post(people["author"], "Transit for everyone", body="Buses every ten minutes")
    make_post(people["author"], "Secret transit plan", body="Buses", visibility=Post.Visibility.SUPPORTERS)

    anonymous = [post.title for post in search_queries.search_posts(None, "buses")]
    signed_in = sorted(post.title for post in search_queries.search_posts(people["stranger"], "buses"))

    assert anonymous == ["Transit for everyone"]
    assert signed_in == ["Secret transit plan", "Transit for everyone"]
    assert search_queries.search_posts(None, "   ") == []


def test_posts_comments_and_messages_are_recorded_once_in_the_journal(people, make_post):
    post = make_post(people["author"], "Journal")
    posts_actions.publish_post(post=post)  # publishing twice records once
    posts_actions.add_comment(author=people["friend"], post=post, body="Noted")
    conversations_actions.start_conversation(
        sender=people["friend"], recipients=[people["author"]], title="", body="Hi"
    )

    kinds = sorted(
        Activity.objects.filter(kind__startswith="social.").values_list("kind", "supporter__display_name")
    )
    assert kinds == [
        ("social.comment", "Fatou Friend"),
        ("social.message", "Fatou Friend"),
        ("social.post", "Alice Author"),
    ]


def test_the_dashboard_panel_shows_unread_counts_with_links(people):
    conversations_actions.start_conversation(
        sender=people["friend"], recipients=[people["author"]], title="Plans", body="Hi"
    )

    summary = conversations_queries.dashboard_summary(people["author"])
    html = render_to_string("social/_dashboard_panel.html", {"summary": summary})

    assert summary["messages"] == 1 and summary["notifications"] >= 1
    assert "1 unread message" in html and reverse("social:inbox") in html and "Plans" in html
    assert conversations_queries.dashboard_summary(people["stranger"]) == {}
    assert "Nothing new" in render_to_string("social/_dashboard_panel.html", {"summary": {}})
