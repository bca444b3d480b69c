"""A supporter starts a fundraising page, emails two friends through a real SMTP server, a friend opens
the link from the mail and gives through the sandbox's hosted page, the receipt arrives, the thermometer
and the honour roll show the gift, and the organiser finds it in the staff list and its CSV — in Chromium."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value

from e2e.conftest import text_of
from quartier.donations.models import Donation, FundraisingPage
from quartier.testing import PASSWORD, TOTP_SECRET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def mail_to(mailbox, address: str, subject_part: str, timeout: float = 10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for message in mailbox.messages:
            if address in message["To"] and subject_part in message["Subject"]:
                return message
        time.sleep(0.1)
    raise AssertionError(
        f"no mail to {address} about {subject_part!r}: {[m['Subject'] for m in mailbox.messages]}"
    )


def test_page_email_friends_give_through_the_sandbox_receipt_thermometer_and_staff_csv(
    new_context, smtp_server, make_supporter, staff, live_server, settings
):
    settings.DONATIONS_GATEWAY = "sandbox"
    settings.DONATIONS_JURISDICTION = "none"
    settings.DONATIONS_CURRENCY = "CAD"
    make_supporter("Marie Tremblay", email="marie@example.org")

    owner = new_context(locale="en-CA", viewport={"width": 360, "height": 780}).new_page()
    sign_in(owner, "marie@example.org")
    owner.goto("/fundraise/new/")
    owner.locator("#id_title").fill("Marie runs for public health")
    owner.locator("#id_goal").fill("500")
    owner.locator("#id_story").fill("I run the **half marathon** for the campaign.")
    owner.get_by_role("button", name="Create my page").click()
    owner.wait_for_load_state()
    assert owner.get_by_role("heading", name="Marie runs for public health").is_visible()
    assert owner.locator(".user-text strong").inner_text() == "half marathon"

    owner.get_by_role("link", name="Email my friends").click()
    owner.locator("#id_addresses").fill("ana@example.org, bruno@example.org")
    owner.locator("#id_body").fill("Hi! Help me reach my goal, any amount helps.")
    owner.get_by_role("button", name="Send").click()
    owner.wait_for_load_state()
    assert "2 of 2 sent." in owner.locator("#email-progress").inner_text()

    invitation = mail_to(smtp_server, "ana@example.org", "Will you help me")
    assert "Marie Tremblay" in invitation["From"]
    assert invitation["List-Unsubscribe"]
    mail_to(smtp_server, "bruno@example.org", "Will you help me")
    link = re.search(r"https?://\S+/fundraise/\S+", text_of(invitation)).group(0)
    assert "refcode=email" in link and link.startswith(live_server.url)

    friend = new_context(locale="en-CA", viewport={"width": 360, "height": 780}).new_page()
    friend.goto(link.removeprefix(live_server.url))
    assert "No gifts yet" in friend.content()
    friend.get_by_role("link", name="Give", exact=True).click()
    friend.wait_for_load_state()
    boxes = friend.locator("input[type=checkbox]")
    assert all(not boxes.nth(index).is_checked() for index in range(boxes.count()))
    friend.get_by_role("radio", name="$25", exact=True).check()
    friend.locator("#id_first_name").fill("Ana")
    friend.locator("#id_last_name").fill("Lopez")
    friend.locator("#id_email").fill("ana@example.org")
    friend.locator("#id_postal_code").fill("H2X 1Y4")
    friend.locator("#id_show_name").check()
    friend.get_by_role("button", name="Continue to payment").click()
    friend.wait_for_load_state()
    assert "Sandbox" in friend.content()
    friend.locator("#card").fill("4242 4242 4242 4242")
    friend.get_by_role("button", name="Pay", exact=True).click()
    friend.wait_for_load_state()
    assert friend.get_by_role("heading", name="Thank you!").is_visible()

    receipt = mail_to(smtp_server, "ana@example.org", "receipt")
    assert "$25" in text_of(receipt) and receipt.get_body(preferencelist=("html",)) is not None
    donation = Donation.objects.get()
    assert (donation.refcode, donation.status, donation.credited_to.email) == (
        "email",
        "succeeded",
        "marie@example.org",
    )

    friend.goto(FundraisingPage.objects.get().get_absolute_url())
    assert friend.locator("progress").first.get_attribute("value") == "5"
    assert "Ana L." in friend.locator(".honour-roll").inner_text()
    assert "$25" in friend.locator(".thermometer").inner_text()

    organiser = new_context(locale="en-CA").new_page()
    sign_in(organiser, staff.email)
    organiser.locator("#id_code").fill(format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30)))
    organiser.get_by_role("button", name="Sign In").click()
    organiser.wait_for_load_state()
    organiser.goto("/staff/donations/")
    assert (
        "Ana" in organiser.locator("table").inner_text()
        and "Lopez" in organiser.locator("table").inner_text()
    )
    with organiser.expect_download() as download:
        organiser.get_by_role("button", name="Download CSV").click()
    exported = Path(download.value.path()).read_text(encoding="utf-8")
    assert "ana@example.org" in exported and "25.00" in exported and "email" in exported
