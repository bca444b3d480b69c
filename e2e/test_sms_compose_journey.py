"""Staff text a segment from the browser at phone width: the live counter counts the framed text, the
preview shows each language's text with its STOP line, sending queues it once and opens its
page — with no console error and no accessibility violation (the page checks of e2e/conftest.py)."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from e2e.test_outreach_journey import signed_in_context
from quartier.outreach import sms
from quartier.outreach.actions import delivery as delivery_actions
from quartier.outreach.models import Message
from quartier.outreach.tests.test_sms import subscribed

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_staff_text_a_segment_in_two_languages_from_a_phone(
    new_context, live_server, staff, make_supporter, monkeypatch
):
    monkeypatch.setattr(delivery_actions, "in_quiet_hours", lambda zone, now=None: False)  # daytime
    sms.SANDBOX_OUTBOX.clear()
    subscribed(make_supporter("Alice Smith"), phone="+15145550001", time_zone="America/Toronto")
    subscribed(make_supporter("Benoît Roy", language="fr"), phone="+15145550002", language="fr")

    page = signed_in_context(
        new_context,
        live_server,
        staff,
        locale="en-CA",
        viewport={"width": 375, "height": 740},
        is_mobile=True,
    ).new_page()
    page.goto("/organize/sms/new/")
    page.locator("textarea[name=body]").fill("Hi {{ first_name }}, vote Sunday!")
    page.locator("textarea[name=body_fr]").fill("Bonjour {{ first_name }}, votez dimanche !")
    expect(page.locator("[data-sms-counter]").first).to_contain_text("1")  # characters and segments, live
    assert page.evaluate("document.documentElement.scrollWidth") <= 375

    page.get_by_role("button", name="Preview").click()
    preview = page.locator("#sms-preview")
    expect(preview).to_contain_text("Reply STOP to stop.")
    expect(preview).to_contain_text("Bonjour")
    page.locator("#send-button").click()

    expect(page.get_by_text("Your text is queued")).to_be_visible()
    assert Message.objects.filter(channel="sms").count() == 1
    assert sorted(to for to, _text in sms.SANDBOX_OUTBOX) == ["+15145550001", "+15145550002"]
    french = next(text for to, text in sms.SANDBOX_OUTBOX if to == "+15145550002")
    assert "Bonjour Benoît" in french
    message = Message.objects.get(channel="sms")
    assert page.url.endswith(f"/organize/sms/{message.pk}/")  # the message's page, with its progress
