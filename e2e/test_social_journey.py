"""Two supporters follow each other, one posts, the other sees it in the feed and comments; the bell
counts it and an email arrives at a real SMTP server; they talk in a conversation; a report reaches a
moderator who hides the post, and it is gone from the feed, the blog, search and the Atom feed.
Then the OWASP filter-evasion vectors, written everywhere people write, never run in Chromium."""

from __future__ import annotations

import time

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from e2e.conftest import text_of
from quartier.organizing.actions import groups as organizing_groups
from quartier.social import tasks
from quartier.social.models import Post
from quartier.testing import PASSWORD, TOTP_SECRET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email: str, *, totp: bool = False) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("#id_password").press("Enter")
    page.wait_for_load_state()
    if totp:
        page.locator("#id_code").fill(format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30)))
        page.locator("#id_code").press("Enter")
        page.wait_for_load_state()


def test_follow_post_feed_comment_bell_email_conversation_report_and_hide(
    new_context, smtp_server, make_supporter, staff
):
    ana = make_supporter("Ana Writer", email="ana@example.org")
    ben = make_supporter("Ben Reader", email="ben@example.org", language="fr")
    ana_page = new_context(locale="en-CA").new_page()
    ben_page = new_context(locale="fr-CA").new_page()
    sign_in(ana_page, ana.email)
    sign_in(ben_page, ben.email)

    # They follow each other: friends.
    ana_page.goto(f"/blog/{ben.handle}/")
    ana_page.get_by_role("button", name="Follow").click()
    ben_page.goto(f"/blog/{ana.handle}/")
    ben_page.get_by_role("button", name="Suivre").click()
    ben_page.goto(f"/blog/{ana.handle}/")
    assert "amis" in ben_page.locator("main").inner_text().lower()

    # Ana writes a post.
    ana_page.goto("/posts/new/")
    ana_page.locator("#id_title").fill("Canvass in Verdun on Saturday")
    ana_page.locator("#id_body").fill("We meet at **10 am** at the métro. Bring water.")
    ana_page.get_by_role("button", name="Publish").click()
    ana_page.wait_for_load_state()
    post = Post.objects.get(title="Canvass in Verdun on Saturday")
    assert post.is_published

    # It is in Ben's feed; he comments.
    ben_page.goto("/feed/")
    assert "Canvass in Verdun on Saturday" in ben_page.locator("#feed").inner_text()
    ben_page.get_by_role("link", name="Canvass in Verdun on Saturday").click()
    ben_page.locator("#id_body").fill("J'y serai avec deux amis !")
    ben_page.get_by_role("button", name="Commenter").click()
    ben_page.wait_for_load_state()
    assert "J'y serai avec deux amis !" in ben_page.locator("#comments").inner_text()

    # Ana's bell counts it (loaded by htmx), and the email arrives through SMTP.
    ana_page.goto("/feed/")
    bell = ana_page.locator("#bell .count")
    bell.wait_for()
    assert int(bell.inner_text()) >= 2  # Ben's follow and his comment
    tasks.send_notification_emails()
    mail = smtp_server.wait_for(ana.email)
    body = text_of(mail)
    assert "Ben Reader" in body and "commented on your post" in body
    assert f"{ana_page.url.split('/feed/')[0]}/posts/{post.pk}/" in body
    ana_page.locator("#bell").click()
    assert "commented on your post" in ana_page.locator("main").inner_text()

    # A conversation.
    ana_page.goto(f"/messages/new/?to={ben.handle}")
    ana_page.locator("#id_body").fill("Can you bring the flyers?")
    ana_page.get_by_role("button", name="Send").click()
    ana_page.wait_for_load_state()
    ben_page.goto("/messages/")
    ben_page.locator("#messages-link .count").wait_for()
    ben_page.get_by_role("link", name="Conversation").first.click()
    assert "Can you bring the flyers?" in ben_page.locator("main").inner_text()
    ben_page.locator("#id_body").fill("Oui, sans problème.")
    ben_page.get_by_role("button", name="Envoyer").click()
    ben_page.wait_for_load_state()
    assert "Oui, sans problème." in ben_page.locator("main").inner_text()

    # Someone reports the post; a moderator hides it.
    critic = make_supporter("Cris Critic", email="cris@example.org")
    critic_page = new_context(locale="en-CA").new_page()
    sign_in(critic_page, critic.email)
    critic_page.goto(f"/posts/{post.pk}/")
    critic_page.get_by_role("link", name="Report this post").click()
    critic_page.get_by_label("Spam or advertising").check()
    critic_page.get_by_role("button", name="Send the report").click()
    critic_page.wait_for_load_state()
    assert "a moderator will look at it" in critic_page.locator("main").inner_text()

    moderator_page = new_context(locale="en-CA").new_page()
    sign_in(moderator_page, staff.email, totp=True)
    moderator_page.goto("/moderation/")
    assert "Canvass in Verdun on Saturday" in moderator_page.locator("main").inner_text()
    moderator_page.get_by_role("link", name="Decide").click()
    moderator_page.locator("#id_kind").select_option("hide")
    moderator_page.locator("#id_reason").fill("Test of the moderation queue")
    moderator_page.get_by_role("button", name="Record the decision").click()
    moderator_page.wait_for_load_state()

    # Gone everywhere at once.
    ben_page.goto("/feed/")
    assert "Canvass in Verdun on Saturday" not in ben_page.locator("main").inner_text()
    ben_page.goto(f"/blog/{ana.handle}/")
    assert "Canvass in Verdun on Saturday" not in ben_page.locator("main").inner_text()
    ben_page.goto("/search/?q=Verdun")
    assert "Canvass in Verdun on Saturday" not in ben_page.locator("main").inner_text()
    atom = ben_page.request.get(f"/blog/{ana.handle}/feed.atom")
    assert atom.ok and "Canvass in Verdun" not in atom.text()
    assert ben_page.request.get(f"/posts/{post.pk}/").status == 404
    # Ana is told why.
    ana_page.goto("/moderation/my-decisions/")
    assert "Test of the moderation queue" in ana_page.locator("main").inner_text()


# OWASP XSS filter evasion cheat sheet, a selection covering each family of trick.
OWASP_VECTORS = [
    "<script>window.__xss=1</script>",
    '<IMG SRC="javascript:window.__xss=1;">',
    "<IMG SRC=javascript:window.__xss=1>",
    '<IMG """><SCRIPT>window.__xss=1</SCRIPT>">',
    "<img src=x onerror=window.__xss=1>",
    "<svg/onload=window.__xss=1>",
    "<BODY ONLOAD=window.__xss=1>",
    '<IFRAME SRC="javascript:window.__xss=1;"></IFRAME>',
    '<a href="jav&#x09;ascript:window.__xss=1">x</a>',
    "[link](javascript:window.__xss=1)",
    "<<SCRIPT>window.__xss=1//<</SCRIPT>",
    '"><script>window.__xss=1</script>',
    "<details open ontoggle=window.__xss=1>",
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=1>",
]


def test_owasp_vectors_in_posts_comments_messages_and_names_never_run(new_context, make_supporter):
    from quartier.accounts.models import Supporter
    from quartier.social.actions import connections as connections_actions
    from quartier.social.actions import conversations as conversations_actions
    from quartier.social.actions import posts as posts_actions

    payload = " ".join(OWASP_VECTORS)
    writer = make_supporter("Wri <img src=x onerror=window.__xss=1> ter", email="writer@example.org")
    reader = make_supporter("Rea <script>window.__xss=1</script>der", email="reader@example.org")
    Supporter.objects.filter(pk=reader.pk).update(display_name=OWASP_VECTORS[5][:80])
    group = organizing_groups.create_group(
        creator=writer,
        draft=organizing_groups.GroupDraft(
            name=OWASP_VECTORS[4][:120], description=payload, area="Plateau", country="CA", postal_code="H2X 1Y4",
            latitude=45.51, longitude=-73.57, town="Montréal", join_policy="open",
        ),
    )  # fmt: skip
    organizing_groups.join_group(
        supporter=reader,
        group=group,
        accepts_messages=False,
        consent_wording="",
        language="en",
        ip_address=None,
    )
    connections_actions.follow(follower=reader, followed=writer)
    connections_actions.follow(follower=writer, followed=reader)
    post = posts_actions.create_post(
        author=writer,
        draft=posts_actions.PostDraft(title=OWASP_VECTORS[0][:160], body=payload, visibility="public"),
        publish=True,
    )
    group_post = posts_actions.create_post(
        author=writer,
        draft=posts_actions.PostDraft(title="In the group", body=payload, visibility="group", group=group),
        publish=True,
    )
    for vector in OWASP_VECTORS:
        posts_actions.add_comment(author=reader, post=post, body=vector)
    conversation = conversations_actions.start_conversation(
        sender=writer, recipients=[reader], title=OWASP_VECTORS[1][:120], body=payload
    )
    posts_actions.repost(supporter=reader, post=post, comment=payload, visibility="public")

    page = new_context(locale="en-CA").new_page()
    sign_in(page, reader.email)
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    for url in [
        f"/posts/{post.pk}/",
        f"/posts/{group_post.pk}/",
        "/feed/",
        f"/blog/{writer.handle}/",
        f"/blog/group/{group.slug}/",
        conversation.get_absolute_url(),
        "/messages/",
        "/notifications/",
        "/search/?q=script",
        "/connections/",
    ]:
        page.goto(url)
        page.wait_for_load_state("networkidle")
        assert page.evaluate("window.__xss === undefined"), url
        assert page.locator("main script").count() == 0, url
    assert dialogs == []
    # Kept as text: the words are on the page, harmless.
    page.goto(f"/posts/{post.pk}/")
    assert "window.__xss=1" in page.locator("main").inner_text()
