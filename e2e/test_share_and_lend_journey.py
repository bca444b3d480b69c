"""The share kit and lend your status in Chromium on a phone: the event page's share buttons are plain
links and load nothing from elsewhere; the Mastodon chooser refuses a bad server name; a supporter
ticks the consent box (unticked at first), connects Bluesky (the local fake) and vetoes a message."""

from __future__ import annotations

import pytest

from quartier.organizing.tests import conftest as organizing_fixtures
from quartier.reach.fakes.bluesky import FakeBluesky
from quartier.reach.lending import actions as lending_actions
from quartier.reach.models import ConnectedAccount, LentStatus
from quartier.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"viewport": {"width": 360, "height": 740}, "is_mobile": True, "has_touch": True, "locale": "en-CA"}
make_event = organizing_fixtures.make_event


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def test_the_share_kit_is_plain_links_and_the_mastodon_chooser_checks_the_server(
    new_context, make_supporter, make_event
):
    event = make_event(make_supporter("Hana Host"))
    page = new_context(**PHONE).new_page()

    page.goto(event.get_absolute_url())
    intents = page.locator(".share-intents a")
    assert intents.count() == 7
    assert page.locator(".share-whatsapp").get_attribute("href").startswith("https://wa.me/?text=")
    page.locator(".share-mastodon").click()
    page.get_by_label("Your Mastodon instance").fill("localhost")
    page.get_by_role("button", name="Continue to my instance").click()
    assert page.get_by_text("Enter the name of a server").is_visible()


def test_a_supporter_lends_connects_bluesky_and_vetoes(new_context, make_supporter, staff, settings):
    bluesky = FakeBluesky().start()
    settings.REACH_BLUESKY_SERVICE = bluesky.url
    lender = make_supporter("Lou Lender", email="lou@example.org")
    page = new_context(**PHONE).new_page()
    sign_in(page, "lou@example.org")

    page.goto("/settings/lend/")
    box = page.get_by_label("Let the campaign share short messages in my name")
    assert not box.is_checked()
    box.check()
    page.get_by_role("button", name="Save").click()
    page.get_by_label("Your Bluesky handle").fill("lou.bsky.social")
    page.get_by_label("An app password").fill("abcd-efgh-ijkl-mnop")
    page.get_by_role("button", name="Connect Bluesky").click()
    assert page.get_by_text("Connected as lou.bsky.social.").is_visible()
    lending_actions.write_message(
        author=staff, draft=lending_actions.MessageDraft("Team", "Vote Sunday", "/", 24)
    )
    page.goto("/settings/lend/upcoming/")
    page.get_by_role("button", name="Veto").click()

    assert page.get_by_text("Vetoed: this message will not be shared in your name.").is_visible()
    assert LentStatus.objects.get(lender=lender).state == LentStatus.State.VETOED
    assert ConnectedAccount.objects.filter(supporter=lender, service="bluesky").exists()
    bluesky.stop()
