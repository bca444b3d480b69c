"""Like and comment from a feed card: plain forms back to the feed, htmx swaps of the card's tools, the
post page's rules (privacy, blocks, confirmed address), and a double click that never likes twice."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from quartier.social.models import Comment, Post, Reaction
from quartier.testing import client_for

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def like(client, post, **extra):
    data = {"kind": "like", "from": "feed", "next": f"/feed/#post-{post.pk}"}
    return client.post(reverse("social:react", args=[post.pk]), data, **extra)


def comment(client, post, body="Count me in", **extra):
    data = {"body": body, "from": "feed", "next": f"/feed/#post-{post.pk}"}
    return client.post(reverse("social:comment", args=[post.pk]), data, **extra)


def test_each_feed_card_has_a_like_button_and_a_comment_box(people, make_post):
    post = make_post(people["author"], "Door knocking tonight")
    page = client_for(people["follower"]).get(reverse("social:feed")).content.decode()

    tools = page.split(f'id="tools-{post.pk}"')[1]
    assert 'name="csrfmiddlewaretoken"' in tools and 'aria-pressed="false"' in tools
    assert (
        '<input type="hidden" name="kind" value="like">' in tools and 'name="remove"' not in tools
    )  # no toggle
    assert f'hx-post="{reverse("social:react", args=[post.pk])}"' in tools
    assert f'action="{reverse("social:comment", args=[post.pk])}"' in tools and 'name="body"' in tools


def test_a_plain_form_like_goes_back_to_the_feed_and_a_double_click_likes_once(people, make_post):
    post = make_post(people["author"], "Door knocking tonight")
    client = client_for(people["follower"])

    first, second = like(client, post), like(client, post)

    assert first.status_code == second.status_code == 302
    assert first["Location"] == f"/feed/#post-{post.pk}"
    assert Reaction.objects.filter(post=post).count() == 1
    assert Post.objects.get(pk=post.pk).reaction_count == 1
    page = client.get(reverse("social:feed")).content.decode()
    tools = page.split(f'id="tools-{post.pk}"')[1]
    assert 'aria-pressed="true"' in tools and '<input type="hidden" name="remove" value="1">' in tools


def test_htmx_like_and_unlike_swap_the_tools_with_the_count(people, make_post):
    post = make_post(people["author"], "Door knocking tonight")
    client = client_for(people["follower"])

    liked = like(client, post, **HTMX).content.decode()
    assert liked.startswith(f'<footer class="post-tools" id="tools-{post.pk}"')
    assert 'aria-pressed="true"' in liked and "1 like" in liked

    data = {"remove": "1", "from": "feed", "next": "/feed/"}
    unliked = client.post(reverse("social:react", args=[post.pk]), data, **HTMX).content.decode()
    assert 'aria-pressed="false"' in unliked and "0 likes" in unliked
    assert not Reaction.objects.filter(post=post).exists()


def test_a_comment_from_the_feed_shows_inline_or_goes_back_to_the_feed(people, make_post):
    post = make_post(people["author"], "Door knocking tonight")
    client = client_for(people["follower"])

    answer = comment(client, post, "I will bring **flyers**", **HTMX).content.decode()
    assert "<strong>flyers</strong>" in answer and "1 comment" in answer and "<html" not in answer
    plain = comment(client, post, "And coffee")
    assert plain.status_code == 302 and plain["Location"] == f"/feed/#post-{post.pk}"
    assert Comment.objects.filter(post=post).count() == 2

    empty = comment(client, post, "   ", **HTMX)
    assert empty.status_code == 200 and 'role="alert"' in empty.content.decode()
    assert Comment.objects.filter(post=post).count() == 2


@pytest.mark.parametrize("persona", ["stranger", "anonymous", "blocked", "unverified"])
def test_who_may_not_like_or_comment_changes_nothing(persona, people, make_post, group, make_supporter):
    post = make_post(people["author"], "Group only", visibility="group", group=group)
    public = make_post(people["author"], "Public")
    if persona == "unverified":
        client = client_for(make_supporter("Una Unconfirmed", verified=False))
    elif persona == "anonymous":
        client = Client()
    else:
        client = client_for(people[persona])

    # A stranger may like a public post (as on the post page), not a group's post.
    for target in (post,) if persona == "stranger" else (post, public):
        like(client, target, **HTMX)
        comment(client, target, **HTMX)
        like(client, target)
        comment(client, target)

    if persona == "blocked":  # a public post stays readable, but a blocked person may not react to it
        assert 'role="alert"' in like(client, public, **HTMX).content.decode()
    assert not Reaction.objects.exists() and not Comment.objects.exists()
    assert Post.objects.filter(reaction_count=0, comment_count=0).count() == 2


def test_a_member_may_like_a_group_post_from_the_feed(people, make_post, group):
    post = make_post(people["author"], "Group only", visibility="group", group=group)

    answer = like(client_for(people["member"]), post, **HTMX).content.decode()

    assert 'aria-pressed="true"' in answer and Reaction.objects.filter(post=post).count() == 1
