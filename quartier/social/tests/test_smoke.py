from __future__ import annotations

import pytest
from django.urls import reverse

from quartier.social.actions import conversations as conversations_actions
from quartier.social.actions import posts as posts_actions
from quartier.social.models import Post
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


def test_every_page_renders_for_the_author(people, author, group, make_post):
    post = make_post(author, group=group, visibility=Post.Visibility.GROUP)
    posts_actions.add_comment(author=people["member"], post=post, body="Count me in")
    conversation = conversations_actions.start_conversation(
        sender=author, recipients=[people["friend"]], title="Hi", body="Hello"
    )
    client = client_for(author)
    for url in [
        reverse("social:feed"),
        reverse("social:notifications"),
        reverse("social:counts"),
        reverse("social:settings"),
        reverse("social:connections"),
        reverse("social:blog", args=[author.handle]),
        reverse("social:group_blog", args=[group.slug]),
        reverse("social:campaign_blog"),
        post.get_absolute_url(),
        reverse("social:post_create"),
        reverse("social:post_edit", args=[post.pk]),
        reverse("social:search") + "?q=door",
        reverse("social:inbox"),
        conversation.get_absolute_url(),
        reverse("social:conversation_new"),
        reverse("social:my_decisions"),
        reverse("social:blog_feed", args=[author.handle]),
        reverse("social:campaign_blog_feed"),
        reverse("social:group_blog_feed", args=[group.slug]),
    ]:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
