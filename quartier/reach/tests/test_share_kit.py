"""The share kit: a personal link and plain share intents on every shareable page, nothing loaded from
elsewhere, nothing written when viewed; Mastodon through an instance chooser."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from quartier.donations.actions import pages as pages_actions
from quartier.organizing.tests import conftest as organizing_fixtures
from quartier.reach.models import ReferralCode
from quartier.reach.share_intents import clean_instance
from quartier.reach.views.share import INSTANCE_COOKIE
from quartier.social.actions import posts as posts_actions
from quartier.testing import client_for

pytestmark = pytest.mark.django_db
make_event = organizing_fixtures.make_event
make_group = organizing_fixtures.make_group
INTENTS = ("email", "sms", "whatsapp", "mastodon", "bluesky", "facebook", "x")
# Anything the browser fetches by itself (not a link the visitor follows).
FETCHED = re.compile(
    r'<(?:img|script|iframe|link|source|video|audio|embed|object)\b[^>]*?(?:src|href|data)="(?:https?:)?//',
    re.I,
)


def intents_of(html: str) -> dict[str, str]:
    return dict(re.findall(r'class="button secondary share-([a-z]+)" href="([^"]+)"', html))


def assert_kit_with(html: str, code: str | None) -> dict[str, str]:
    intents = intents_of(html)
    assert tuple(intents) == INTENTS
    if code:
        assert all(f"ref%3D{code}" in href or f"ref={code}" in href for href in intents.values()), intents
    assert FETCHED.findall(html) == []
    return intents


def writes(captured: CaptureQueriesContext) -> list[str]:
    return [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
    ]


def test_an_event_page_gives_the_viewer_their_own_link_in_every_intent(make_supporter, make_event):
    host, viewer = make_supporter("Hana Host"), make_supporter("Vic Viewer")
    event = make_event(host)
    code = ReferralCode.objects.get(supporter=viewer).code
    html = client_for(viewer).get(reverse("organizing:event", args=[event.pk])).content.decode()

    intents = assert_kit_with(html, code)
    assert intents["email"].startswith("mailto:?subject=")
    assert intents["sms"].startswith("sms:?&amp;body=")
    assert intents["whatsapp"].startswith("https://wa.me/?text=")
    assert intents["bluesky"].startswith("https://bsky.app/intent/compose?text=")
    assert intents["facebook"].startswith("https://www.facebook.com/sharer/sharer.php?u=")
    assert intents["x"].startswith("https://x.com/intent/post?text=")
    assert intents["mastodon"].startswith(reverse("reach:share_mastodon") + "?text=")


def test_a_group_page_and_a_fundraising_page_carry_the_kit(make_supporter, make_group):
    owner, viewer = make_supporter("Olive Owner"), make_supporter("Vic Viewer")
    group = make_group(owner)
    page = pages_actions.create_page(
        owner=owner, draft=pages_actions.PageDraft(title="My walk", story="Why", goal_minor=10_000)
    )
    assert_kit_with(client_for(viewer).get(group.get_absolute_url()).content.decode(),
                    ReferralCode.objects.get(supporter=viewer).code)  # fmt: skip
    # A fundraising page shares its owner's link, whoever views it.
    assert_kit_with(client_for(None).get(page.get_absolute_url()).content.decode(),
                    ReferralCode.objects.get(supporter=owner).code)  # fmt: skip


def test_a_public_post_carries_the_kit_and_a_followers_only_post_does_not(make_supporter):
    author, viewer = make_supporter("Aude Author"), make_supporter("Vic Viewer")
    public = posts_actions.create_post(
        author=author,
        draft=posts_actions.PostDraft(title="Come", body="Saturday", visibility="public"),
        publish=True,
    )
    private = posts_actions.create_post(
        author=author,
        draft=posts_actions.PostDraft(title="Shh", body="Only you", visibility="followers"),
        publish=True,
    )

    assert_kit_with(client_for(viewer).get(public.get_absolute_url()).content.decode(),
                    ReferralCode.objects.get(supporter=viewer).code)  # fmt: skip
    assert assert_kit_with(client_for(None).get(public.get_absolute_url()).content.decode(), None)
    assert intents_of(client_for(author).get(private.get_absolute_url()).content.decode()) == {}


def test_viewing_a_page_with_the_kit_writes_nothing(make_supporter, make_event):
    viewer = make_supporter("Vic Viewer")
    event = make_event(make_supporter("Hana Host"))
    client = client_for(viewer)
    client.get(event.get_absolute_url())  # the session settles on the first view

    with CaptureQueriesContext(connection) as captured:
        assert client.get(event.get_absolute_url()).status_code == 200
    assert writes(captured) == []


def test_the_mastodon_chooser_sends_to_the_instance_and_remembers_it_in_the_browser():
    client = client_for(None)
    url = reverse("reach:share_mastodon")

    with CaptureQueriesContext(connection) as captured:
        response = client.get(
            url, {"text": "Come https://example.org/e/1/?ref=abc", "instance": " https://Piaille.FR/ "}
        )

    assert response.status_code == 302
    target = urlsplit(response["Location"])
    assert (target.scheme, target.netloc, target.path) == ("https", "piaille.fr", "/share")
    assert parse_qs(target.query)["text"] == ["Come https://example.org/e/1/?ref=abc"]
    assert response.cookies[INSTANCE_COOKIE].value == "piaille.fr"
    assert writes(captured) == []
    assert 'value="piaille.fr"' in client.get(url, {"text": "Again"}).content.decode()


@pytest.mark.parametrize(
    "typed", ["localhost", "127.0.0.1", "evil.example/path", "a b.social", "x", "mastodon.social:8080", ""]
)
def test_the_mastodon_chooser_refuses_what_is_not_a_server_name(typed):
    response = client_for(None).get(reverse("reach:share_mastodon"), {"text": "Hi", "instance": typed})

    assert response.status_code == 200
    assert "Enter the name of a server" in response.content.decode() or typed == ""
    assert INSTANCE_COOKIE not in response.cookies


def test_clean_instance_reads_what_people_type():
    assert clean_instance("@me@mastodon.social") == "mastodon.social"
    assert clean_instance("https://mastodon.social/") == "mastodon.social"
    assert clean_instance("[::1]") == ""
    assert clean_instance("éxample.fr") == "xn--xample-9ua.fr"
