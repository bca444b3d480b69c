"""Promises of who reads what that deliberate bugs showed no test pinned (issue 19).

- Supporters-only and group posts reach verified supporters only: a follower or group member whose
  address is not (or no longer) confirmed reads public posts only, in every list.
- A draft, or a post taken back to draft, shows in no feed, blog, search or Atom output, its author's
  own included (the author finds it under "My drafts" only), nor through a re-post of it.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartier.social.actions import posts as posts_actions
from quartier.social.models import Post
from quartier.social.tests.conftest import PERSONAS, join
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


def _unconfirm(person) -> None:
    """The person's address is no longer confirmed (a new address waiting for its link)."""
    person.email_verified_at = None
    person.save(update_fields=["email_verified_at"])


def _pages(viewer, people, group) -> dict[str, str]:
    """Every list a post can show in, as `viewer` sees it."""
    client = client_for(viewer)
    author = people["author"]
    urls = {
        "blog": reverse("social:blog", args=[author.handle]),
        "friend's blog": reverse("social:blog", args=[people["friend"].handle]),
        "friend's atom": reverse("social:blog_feed", args=[people["friend"].handle]),
        "group blog": reverse("social:group_blog", args=[group.slug]),
        "campaign blog": reverse("social:campaign_blog"),
        "search": f"{reverse('social:search')}?q=Zephyr",
        "blog atom": reverse("social:blog_feed", args=[author.handle]),
        "group atom": reverse("social:group_blog_feed", args=[group.slug]),
        "campaign atom": reverse("social:campaign_blog_feed"),
    }
    if viewer is not None:
        urls["feed"] = reverse("social:feed")
    pages = {}
    for where, url in urls.items():
        response = client.get(url)
        assert response.status_code == 200, (where, response.status_code)
        html = response.content.decode()
        if where == "blog":  # the author's own drafts are listed apart, under "My drafts"
            html = html.split("My drafts")[0] + html.split("My drafts")[-1].split("</section>", 1)[-1]
        pages[where] = html
    return pages


# --- supporters-only posts and unverified readers -------------------------------------------------


@pytest.fixture
def unconfirmed(people, group, make_supporter):
    """A follower of the author and a member of the author's group, whose address is not confirmed."""
    from quartier.social.actions import connections as connections_actions

    person = make_supporter("Ursula Unconfirmed")
    connections_actions.follow(follower=person, followed=people["author"])
    join(person, group)
    _unconfirm(person)
    return person


def test_an_unconfirmed_follower_and_member_reads_public_posts_only_in_every_list(
    people, group, make_post, unconfirmed
):
    author = people["author"]
    public = make_post(author, "Zephyr public walk")
    supporters = make_post(author, "Zephyr supporters plan", visibility=Post.Visibility.SUPPORTERS)
    in_group = make_post(author, "Zephyr group plan", visibility=Post.Visibility.GROUP, group=group)
    group_wide = make_post(author, "Zephyr group notice", visibility=Post.Visibility.SUPPORTERS, group=group)
    campaign = make_post(
        people["moderator"], "Zephyr campaign memo", visibility=Post.Visibility.SUPPORTERS, for_campaign=True
    )
    shared = posts_actions.repost(
        supporter=people["friend"], post=supporters, comment="Zephyr read this", visibility="public"
    )
    pages = _pages(unconfirmed, people, group)

    for post in (supporters, in_group, group_wide, campaign):
        assert [where for where, html in pages.items() if post.title in html] == [], post.title
        assert client_for(unconfirmed).get(post.get_absolute_url()).status_code == 404
    assert client_for(unconfirmed).get(shared.get_absolute_url()).status_code == 404
    assert public.title in pages["feed"] and public.title in pages["blog"]
    # A confirmed reader with the same ties reads them all (the lists are not merely empty).
    from quartier.social.actions import connections as connections_actions

    connections_actions.follow(follower=people["member"], followed=author)
    confirmed = _pages(people["member"], people, group)
    for post in (supporters, in_group, group_wide):
        assert post.title in confirmed["feed"], post.title


# --- drafts -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("how", ["never published", "taken back to draft"])
def test_a_draft_shows_in_no_list_for_anyone_its_author_included(people, group, make_post, how):
    author = people["author"]
    kept = make_post(author, "Zephyr published note")
    drafts = [
        make_post(author, "Zephyr draft note", publish=how != "never published"),
        make_post(author, "Zephyr draft for the group", visibility=Post.Visibility.GROUP, group=group,
                  publish=how != "never published"),
        make_post(people["moderator"], "Zephyr draft for the campaign", for_campaign=True,
                  publish=how != "never published"),
    ]  # fmt: skip
    shared = None
    if how == "taken back to draft":
        shared = posts_actions.repost(
            supporter=people["friend"], post=drafts[0], comment="Zephyr have a look", visibility="public"
        )
        for post in drafts:
            posts_actions.unpublish_post(post=Post.objects.get(pk=post.pk))

    for persona in PERSONAS:
        pages = _pages(people[persona], people, group)
        for post in drafts:
            assert [where for where, html in pages.items() if post.title in html] == [], (persona, post.title)
        assert kept.title in pages["blog"], persona
        if shared is not None:  # a re-post of it goes with it, from every list and its own address
            assert [where for where, html in pages.items() if "Zephyr have a look" in html] == [], persona
            assert client_for(people[persona]).get(shared.get_absolute_url()).status_code == 404, persona
    own_blog = client_for(author).get(reverse("social:blog", args=[author.handle])).content.decode()
    assert "My drafts" in own_blog and drafts[0].title in own_blog
