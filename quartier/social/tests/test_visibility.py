"""Who reads what: every post visibility by every persona, through every way a post shows up.

The post page, the blog, the feed, search, the Atom feed and notification emails must agree: a post
a persona may not read must leak through none of them.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartier.social.actions import posts as posts_actions
from quartier.social.models import Post
from quartier.social.queries import search as search_queries
from quartier.social.queries import visibility as visibility_queries
from quartier.social.tests.conftest import PERSONAS
from quartier.testing import client_for

pytestmark = pytest.mark.django_db

# Who may read a published post of each visibility, by persona.
READERS = {
    Post.Visibility.PUBLIC: set(PERSONAS),
    Post.Visibility.SUPPORTERS: set(PERSONAS) - {"anonymous", "blocked"},
    Post.Visibility.GROUP: {"author", "member", "moderator"},
}


@pytest.mark.parametrize("visibility", list(READERS))
@pytest.mark.parametrize("persona", PERSONAS)
def test_the_post_page_blog_search_and_feed_agree_on_who_reads_a_post(
    people, group, make_post, visibility, persona
):
    post = make_post(
        people["author"], "Zanzibar canvass", body="Turnout matters", visibility=visibility,
        group=group if visibility == Post.Visibility.GROUP else None,
    )  # fmt: skip
    viewer = people[persona]
    client = client_for(viewer)
    allowed = persona in READERS[visibility]

    page = client.get(post.get_absolute_url())
    blog = client.get(
        reverse("social:group_blog", args=[group.slug])
        if post.group_id
        else reverse("social:blog", args=[people["author"].handle])
    )
    search = client.get(reverse("social:search"), {"q": "Zanzibar"})

    assert page.status_code == (200 if allowed else 404)
    assert ("Zanzibar canvass" in blog.content.decode()) is allowed
    assert ("Zanzibar canvass" in search.content.decode()) is allowed
    if viewer is not None:
        # The feed holds what people follow: the author's posts for followers, the group's for members.
        in_sources = persona in {"author", "friend", "follower"} or (
            persona == "member" and post.group_id is not None
        )
        feed = client.get(reverse("social:feed"))
        assert ("Zanzibar canvass" in feed.content.decode()) is (allowed and in_sources)


@pytest.mark.parametrize("visibility", list(READERS))
def test_the_atom_feed_carries_public_posts_only(people, group, make_post, visibility):
    make_post(
        people["author"], "Atom zebra", visibility=visibility, group=group if visibility == "group" else None
    )
    url = (
        reverse("social:group_blog_feed", args=[group.slug]) if visibility == "group"
        else reverse("social:blog_feed", args=[people["author"].handle])
    )  # fmt: skip

    response = client_for(people["moderator"]).get(url)  # even staff get the anonymous feed

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    assert ("Atom zebra" in response.content.decode()) is (visibility == Post.Visibility.PUBLIC)


def test_a_draft_is_for_its_author_only(people, make_post):
    draft = make_post(people["author"], "Secret plan", publish=False)

    for persona in PERSONAS:
        response = client_for(people[persona]).get(draft.get_absolute_url())
        assert response.status_code == (200 if persona == "author" else 404), persona
    assert (
        "Secret plan"
        in client_for(people["author"])
        .get(reverse("social:blog", args=[people["author"].handle]))
        .content.decode()
    )
    assert (
        "Secret plan"
        not in client_for(people["friend"])
        .get(reverse("social:blog", args=[people["author"].handle]))
        .content.decode()
    )


def test_a_repost_of_a_post_one_may_not_read_shows_nothing_of_it(people, make_post):
    original = make_post(people["author"], "Only for supporters", visibility=Post.Visibility.SUPPORTERS)
    shared = posts_actions.repost(
        supporter=people["friend"], post=original, comment="Read this", visibility=Post.Visibility.PUBLIC
    )

    assert client_for(None).get(shared.get_absolute_url()).status_code == 404
    assert (
        "Only for supporters"
        not in client_for(None).get(reverse("social:blog", args=[people["friend"].handle])).content.decode()
    )
    assert client_for(people["stranger"]).get(shared.get_absolute_url()).status_code == 200


def test_the_blocked_person_does_not_see_the_blockers_supporter_posts_in_any_list(people, make_post):
    make_post(people["author"], "Members only thoughts", visibility=Post.Visibility.SUPPORTERS)
    blocked = people["blocked"]

    assert not [
        post for post in visibility_queries.visible_posts(blocked) if post.title == "Members only thoughts"
    ]
    assert search_queries.search_posts(blocked, "thoughts") == []
