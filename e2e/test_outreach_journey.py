"""Staff compose a bilingual campaign email, preview it, send it to a segment and watch progress reach
100 %; the mail arrives at a real SMTP server in each reader's language; a reader leaves with the
one-click POST and is not mailed by the next send; a STOP texted through the sandbox gateway stops
the number — in Chromium, with no third-party request."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import expect

from quartier.outreach import sms
from quartier.outreach.actions import drafts as drafts_actions
from quartier.outreach.actions import sms as sms_actions
from quartier.outreach.models import CAMPAIGN_NEWS, Message, SmsSubscription
from quartier.outreach.tests.helpers import consent

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def signed_in_context(new_context, live_server, supporter, **options):
    """A browser signed in as `supporter` (the session of a test client, handed to Chromium)."""
    client = Client()
    client.force_login(supporter)
    context = new_context(**options)
    context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    return context


def parts(message) -> tuple[str, str]:
    return message.get_body(("plain",)).get_content(), message.get_body(("html",)).get_content()


def test_staff_send_a_bilingual_email_to_a_segment_and_a_reader_leaves_with_one_click(
    new_context, live_server, smtp_server, staff, make_supporter
):
    anglo = make_supporter("Alex Martin", email="alex@example.org")
    franco = make_supporter("Béatrice Roy", email="beatrice@example.org", language="fr")
    outside = make_supporter("Olivier Out", email="olivier@example.org")
    for person in (anglo, franco):
        consent(person, CAMPAIGN_NEWS)

    page = signed_in_context(new_context, live_server, staff, locale="en-CA").new_page()
    page.goto("/organize/email/")
    assert "No campaign email yet" in page.content()
    page.get_by_role("link", name="Write a message").click()

    page.locator("#id_subject").fill("Hello {{ first_name }}")
    page.locator("#id_body").fill("See you **Saturday**, {{ first_name }}.")
    page.get_by_text("Version in French").click()
    page.locator("#id_subject_fr").fill("Bonjour {{ first_name }}")
    page.locator("#id_body_fr").fill("À **samedi**, {{ first_name }}.")
    # The live count: two people accepted campaign news; only one of them reads French.
    count = page.locator("#segment-count strong")
    expect(count).to_have_text("2")
    page.locator("input[name=languages][value=fr]").check()
    expect(count).to_have_text("1")
    page.locator("input[name=languages][value=fr]").uncheck()
    expect(count).to_have_text("2")
    page.get_by_role("button", name="Save the draft").click()

    assert "Draft saved" in page.content()
    message = Message.objects.get()
    preview = page.frame_locator("iframe.email-preview").first
    assert "See you" in preview.locator("body").inner_text()
    page.locator("#id_recipient").fill(franco.email)
    page.get_by_role("button", name="Preview").click()
    assert (
        "À samedi, Béatrice." in page.frame_locator("iframe.email-preview").first.locator("body").inner_text()
    )

    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_selector("text=100 %")
    assert "2 of 2 sent" in page.content()

    english = smtp_server.wait_for(anglo.email)
    french = smtp_server.wait_for(franco.email)
    assert english["Subject"] == "Hello Alex" and french["Subject"] == "Bonjour Béatrice"
    assert french["Content-Language"] == "fr"
    english_text, english_html = parts(english)
    french_text, _french_html = parts(french)
    assert (
        "See you Saturday, Alex." in english_text.replace("**", "")
        and "<strong>Saturday</strong>" in english_html
    )
    assert "À samedi, Béatrice." in french_text.replace("**", "")
    assert "Se désabonner\u00a0:" in french_text and "Unsubscribe:" in english_text
    assert [m for m in smtp_server.messages if outside.email in m["To"]] == []
    unsubscribe = re.fullmatch(r"<(.+)>", "".join(str(english["List-Unsubscribe"]).split())).group(1)
    assert unsubscribe.startswith(live_server.url)
    assert english["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    preferences = re.search(rf"{re.escape(live_server.url)}/email/preferences/\S+/", english_text).group(0)

    # The mail program's one-click unsubscribe: a POST with no cookie and no CSRF token.
    request = urllib.request.Request(unsubscribe, data=b"List-Unsubscribe=One-Click", method="POST")
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200
    # The preferences page opens from the email without signing in.
    reader = new_context(locale="en-CA").new_page()
    reader.goto(preferences)
    assert reader.locator("input[name=topic_campaign_news]").is_checked() is False

    # The next send does not reach them.
    smtp_server.messages.clear()
    second = drafts_actions.save_draft(
        author=staff,
        draft=drafts_actions.Draft(
            subject="Second {{ first_name }}", body="Again.", segment={"topic": CAMPAIGN_NEWS}
        ),
    )
    page.goto(f"/organize/email/{second.pk}/")
    page.get_by_role("button", name="Send", exact=True).click()
    page.wait_for_selector("text=100 %")
    smtp_server.wait_for(franco.email)
    assert [m for m in smtp_server.messages if anglo.email in m["To"]] == []
    assert message.refcode and Message.objects.get(pk=second.pk).recipient_count == 1


def test_a_stop_texted_through_the_sandbox_gateway_stops_the_number(live_server, make_supporter):
    person = make_supporter("Texter")
    sms_actions.sms_opt_in(
        phone="+15145550177", wording="Yes, text me.", language="en", source="form", supporter=person
    )
    body = urllib.parse.urlencode({"id": "sandbox-in-1", "from": "+15145550177", "text": "ARRÊT"}).encode()
    request = urllib.request.Request(
        f"{live_server.url}/sms/inbound/sandbox/",
        data=body,
        headers={
            "X-Sandbox-Signature": sms.SandboxGateway.signature(body),
            "Content-Type": "application/x-www-form-urlencoded",
        },
        method="POST",
    )
    sms.SANDBOX_OUTBOX.clear()

    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200

    assert SmsSubscription.objects.get(phone="+15145550177").opted_out_at is not None
    assert [to for to, _text in sms.SANDBOX_OUTBOX] == ["+15145550177"]
