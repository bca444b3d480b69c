"""Notifications: the bell, preferences per kind, batched emails and digests in the reader's language."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from quartier.social import tasks
from quartier.social.actions import connections as connections_actions
from quartier.social.actions import moderation as moderation_actions
from quartier.social.actions import posts as posts_actions
from quartier.social.models import Notification, Post, SocialSettings
from quartier.social.queries import conversations as conversations_queries
from quartier.testing import client_for

pytestmark = pytest.mark.django_db


def _settings(supporter, **changes):
    values = {
        "shares_group_joins": False,
        "shares_hosting": False,
        "email_frequency": "immediately",
        "muted_kinds": [],
        "email_muted_kinds": [],
    }
    connections_actions.update_settings(supporter=supporter, **(values | changes))


def test_the_bell_counts_what_is_new_and_the_list_marks_it_read(people, make_post):
    post = make_post(people["author"], "Bell test")
    posts_actions.add_comment(author=people["friend"], post=post, body="Great")
    posts_actions.react(supporter=people["follower"], post=post, kind="support")
    client = client_for(people["author"])

    bell = client.get(reverse("social:counts")).content.decode()
    # Two follows of the author (friend, follower; the blocked person's follow went with the block) and the two above.
    assert 'data-count="4"' in bell

    page = client.get(reverse("social:notifications")).content.decode()
    assert "commented on your post" in page and "reacted to your post" in page and "Fatou Friend" in page
    assert conversations_queries.unread_counts(people["author"])["notifications"] == 0
    assert "data-count" not in client.get(reverse("social:counts")).content.decode()


def test_the_counts_are_empty_for_anonymous_visitors(client):
    response = client.get(reverse("social:counts"))
    assert response.status_code == 200 and response.content == b""


def test_one_email_gathers_every_waiting_notification_with_links_to_the_site(people, make_post, settings):
    settings.SITE_URL = "http://quartier.test:8123"
    post = make_post(people["author"], "Email test")
    mail.outbox.clear()
    posts_actions.add_comment(author=people["friend"], post=post, body="Nice")
    posts_actions.react(supporter=people["follower"], post=post, kind="like")

    sent = tasks.send_notification_emails()
    again = tasks.send_notification_emails()

    mine = [m for m in mail.outbox if m.to == [people["author"].email]]
    assert len(mine) == 1 and again == 0 and sent >= 1
    email = mine[0]
    html = email.alternatives[0][0]
    assert "Email test" in email.body and "Fatou Friend" in email.body
    assert (
        f"http://quartier.test:8123/posts/{post.pk}/" in email.body
        and "http://quartier.test:8123/posts/" in html
    )
    assert "http://quartier.test:8123/settings/social/" in email.body
    assert email.extra_headers["Content-Language"] == "en"


def test_the_email_is_in_the_readers_language(make_supporter, make_post):
    reader = make_supporter("Chloé Lectrice", language="fr")
    writer = make_supporter("Paul Writer")
    mail.outbox.clear()

    connections_actions.follow(follower=writer, followed=reader)
    tasks.send_notification_emails()

    (email,) = [m for m in mail.outbox if m.to == [reader.email]]
    assert "Bonjour" in email.body and email.extra_headers["Content-Language"] == "fr"
    assert "nouvelle notification" in email.subject


def test_a_daily_digest_waits_a_day_then_sends_everything_at_once(people, make_post):
    reader = people["author"]
    _settings(reader, email_frequency="daily")
    SocialSettings.objects.filter(supporter=reader).update(
        last_emailed_at=timezone.now() - timedelta(hours=2)
    )
    post = make_post(reader, "Digest test")
    mail.outbox.clear()
    posts_actions.add_comment(author=people["friend"], post=post, body="One")
    posts_actions.add_comment(author=people["follower"], post=post, body="Two")

    tasks.send_notification_emails()
    assert [m for m in mail.outbox if m.to == [reader.email]] == []

    SocialSettings.objects.filter(supporter=reader).update(
        last_emailed_at=timezone.now() - timedelta(days=1, minutes=1)
    )
    tasks.send_notification_emails()
    (digest,) = [m for m in mail.outbox if m.to == [reader.email]]
    assert digest.body.count("commented on your post") == 2


def test_muted_kinds_are_neither_shown_nor_emailed(people, make_post):
    reader = people["author"]
    _settings(reader, muted_kinds=["reaction"], email_muted_kinds=["comment"])
    post = make_post(reader, "Quiet please")
    mail.outbox.clear()
    Notification.objects.all().delete()

    posts_actions.react(supporter=people["friend"], post=post, kind="like")
    posts_actions.add_comment(author=people["friend"], post=post, body="Shown, not emailed")
    tasks.send_notification_emails()

    assert list(Notification.objects.filter(recipient=reader).values_list("kind", flat=True)) == ["comment"]
    assert [m for m in mail.outbox if m.to == [reader.email]] == []


def test_never_means_no_email_at_all_but_the_bell_still_counts(people, make_post):
    reader = people["author"]
    _settings(reader, email_frequency="never")
    mail.outbox.clear()
    posts_actions.add_comment(author=people["friend"], post=make_post(reader, "No mail"), body="Hi")

    tasks.send_notification_emails()

    assert [m for m in mail.outbox if m.to == [reader.email]] == []
    assert conversations_queries.unread_counts(reader)["notifications"] >= 1


def test_a_notification_about_a_post_hidden_since_is_not_emailed(people, make_post, staff):
    reader = people["author"]
    post = make_post(reader, "Soon hidden")
    posts_actions.add_comment(author=people["friend"], post=post, body="Hmm")
    Notification.objects.filter(recipient=reader).exclude(post=post).delete()
    report = moderation_actions.report(reporter=people["stranger"], reason="spam", details="", post=post)
    moderation_actions.moderate(moderator=staff, report=report, kind="hide", reason="Spam")
    Notification.objects.filter(recipient=reader, kind="moderation").update(email_pending=False)
    mail.outbox.clear()

    tasks.send_notification_emails()

    assert [m for m in mail.outbox if m.to == [reader.email]] == []


def test_the_settings_form_keeps_choices_and_starts_unticked(people):
    client = client_for(people["stranger"])

    page = client.get(reverse("social:settings")).content.decode()
    assert 'name="shares_group_joins"' in page and "checked" not in page.split('name="email_frequency"')[0]

    client.post(
        reverse("social:settings"),
        {"shares_hosting": "on", "email_frequency": "weekly", "email_muted_kinds": ["follow"]},
    )
    row = SocialSettings.objects.get(supporter=people["stranger"])
    assert (row.shares_hosting, row.shares_group_joins, row.email_frequency, row.email_muted_kinds) == (
        True,
        False,
        "weekly",
        ["follow"],
    )

    bad = client.post(reverse("social:settings"), {"email_frequency": "hourly"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()


def test_nobody_is_notified_of_their_own_doing_or_by_someone_they_blocked(people, make_post):
    post = make_post(people["author"], "Self")
    Notification.objects.all().delete()
    posts_actions.react(supporter=people["author"], post=post, kind="like")

    assert not Notification.objects.exists()
    assert Post.objects.get(pk=post.pk).reaction_count == 1
