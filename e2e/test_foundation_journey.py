"""A newcomer's first visit, end to end in Chromium: sign up, confirm by email, build a profile,
see what strangers see, switch to French — and an XSS attempt that goes nowhere."""

from __future__ import annotations

import io
import re

import pytest
from PIL import Image

from e2e.conftest import text_of

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XSS = '<script>window.__pwned = 1</script><img src=x onerror="window.__pwned = 2"> [click](javascript:window.__pwned=3)'


def photo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (600, 400), (30, 90, 200)).save(out, format="JPEG")
    return out.getvalue()


def test_a_newcomer_signs_up_confirms_builds_a_profile_and_reads_it_in_french(
    new_context, smtp_server, live_server
):
    context = new_context(locale="en-CA")
    page = context.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

    # Sign up.
    page.goto("/")
    page.get_by_role("link", name="Join the campaign").click()
    page.locator("#id_email").fill("nadia@example.org")
    page.locator("#id_display_name").fill("Nadia Côté")
    page.locator("#id_country").select_option("CA")
    page.locator("#id_postal_code").fill("H2T 1A1")
    page.locator("#id_password1").fill("a long enough passphrase")
    page.locator("#id_password2").fill("a long enough passphrase")
    page.get_by_label(re.compile("email me news")).check()
    page.get_by_role("button", name="Sign Up").click()
    page.wait_for_load_state()
    assert "Confirm your email address" in page.content() or "Verify Your Email" in page.content()

    # The verification mail arrives at the SMTP server; its link confirms the address.
    message = smtp_server.wait_for("nadia@example.org")
    link = re.search(r"https?://\S+/accounts/confirm-email/\S+/", text_of(message)).group(0)
    page.goto(link)
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()

    # Edit the profile with a photo and a bio carrying an XSS payload.
    page.goto("/settings/profile/")
    page.locator("#id_photo").set_input_files(
        files=[{"name": "me.jpg", "mimeType": "image/jpeg", "buffer": photo_bytes()}]
    )
    page.get_by_role("button", name="Upload photo").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your photo is saved.").is_visible()
    page.locator("#id_bio").fill("I organise in **Mile End**. " + XSS)
    page.locator("#id_why_involved").fill("For my neighbours only.")
    page.locator("#id_why_involved_visibility").select_option("supporters")
    page.get_by_role("button", name="Save my profile").click()
    page.wait_for_load_state()
    assert page.get_by_text("Your profile is saved.").is_visible()

    # An anonymous visitor sees only the public fields, and nothing executes.
    stranger = new_context(locale="en-CA").new_page()
    stranger.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    stranger.goto("/people/nadia-cote/")
    body = stranger.locator("main").inner_text()
    assert "Nadia Côté" in body
    assert "Mile End" in body
    assert "Montréal" not in body  # the town is for signed-in supporters by default
    assert "For my neighbours only." not in body
    assert "H2T" not in stranger.content()
    assert stranger.locator("img.avatar").count() == 1
    assert stranger.locator('a[href^="javascript"]').count() == 0
    assert stranger.evaluate("window.__pwned") is None
    assert page.evaluate("window.__pwned") is None
    assert dialogs == []

    # The supporter switches to French and reads French.
    page.goto("/people/nadia-cote/")
    assert "For my neighbours only." in page.locator("main").inner_text()
    page.locator("#language-select").select_option("fr")
    page.get_by_role("button", name="Change").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"
    assert (
        "Pourquoi je m’implique" in page.locator("main").inner_text()
        or "Pourquoi je m'implique" in page.locator("main").inner_text()
    )
    assert page.get_by_role("link", name="Paramètres").is_visible()


def test_the_layout_works_on_a_phone(new_context, live_server):
    page = new_context(viewport={"width": 360, "height": 740}, is_mobile=True).new_page()
    page.goto("/")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 360
    page.get_by_text("Menu").click()
    assert page.get_by_role("link", name="Home").is_visible()
