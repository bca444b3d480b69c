"""Like and comment from the feed, as on Facebook: in Chromium with htmx (a double click likes once, the
comment shows under the card without leaving the feed), then with JavaScript off (plain forms that
come back to the feed), at phone width."""

from __future__ import annotations

import pytest

from e2e.test_social_journey import sign_in
from quartier.social.actions import connections as connections_actions
from quartier.social.actions import posts as posts_actions
from quartier.social.models import Comment, Post, Reaction

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_like_and_comment_from_the_feed_with_and_without_javascript(
    new_context, browser, live_server, make_supporter
):
    ana = make_supporter("Ana Writer", email="ana@example.org")
    ben = make_supporter("Ben Reader", email="ben@example.org")
    connections_actions.follow(follower=ben, followed=ana)
    draft = posts_actions.PostDraft(title="Canvass in Verdun", body="Meet at the métro.", visibility="public")
    post = posts_actions.create_post(author=ana, draft=draft, publish=True)

    page = new_context(locale="en-CA", viewport={"width": 375, "height": 800}).new_page()
    sign_in(page, ben.email)
    page.goto("/feed/")
    card = page.locator(f"#post-{post.pk}")
    card.get_by_role("button", name="Like", exact=True).dblclick()
    card.get_by_role("button", name="Liked").wait_for()
    assert "1 like" in card.inner_text()
    assert Reaction.objects.filter(post=post).count() == 1

    card.get_by_label("Your comment").fill("I will bring **flyers**")
    card.get_by_role("button", name="Comment").click()
    card.locator("strong", has_text="flyers").wait_for()
    assert page.url.endswith("/feed/") and "1 comment" in card.inner_text()
    assert Comment.objects.filter(post=post, author=ben).count() == 1

    card.get_by_role("button", name="Liked").click()
    card.get_by_role("button", name="Like", exact=True).wait_for()
    assert Post.objects.get(pk=post.pk).reaction_count == 0

    # Without JavaScript axe-core cannot run: this context is not audited (the same pages were, above).
    plain_context = browser.new_context(base_url=live_server.url, locale="en-CA", java_script_enabled=False)
    plain = plain_context.new_page()
    sign_in(plain, ben.email)
    plain.goto("/feed/")
    plain.locator(f"#post-{post.pk}").get_by_role("button", name="Like", exact=True).click()
    plain.wait_for_load_state()
    assert "/feed/" in plain.url
    plain.locator(f"#post-{post.pk}").get_by_role("button", name="Liked").wait_for()
    plain.locator(f"#post-{post.pk}").get_by_label("Your comment").fill("And coffee")
    plain.locator(f"#post-{post.pk}").get_by_role("button", name="Comment").click()
    plain.wait_for_load_state()
    assert "/feed/" in plain.url and "2 comments" in plain.locator(f"#post-{post.pk}").inner_text()
    plain_context.close()
