"""The campaign home and its branding in Chromium: events near a postal code and Donate in view on a
375 px phone in both languages; staff set colours and a logo, and every page shows them through the
branding stylesheet (no inline style: the CSP would refuse it and log a console error)."""

from __future__ import annotations

import io
import time
from datetime import timedelta

import pytest
from allauth.mfa.totp.internal.auth import format_hotp_value, hotp_value
from django.utils import timezone
from PIL import Image

from quartier.organizing.actions import events as events_actions
from quartier.testing import PASSWORD, TOTP_SECRET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 375, "height": 812}


@pytest.fixture
def nearby_event(make_supporter):
    host = make_supporter("Dominique Hôte")
    start = timezone.now() + timedelta(days=2)
    return events_actions.create_event(
        host=host,
        draft=events_actions.EventDraft(
            title="Porte-à-porte dans le Mile End", description="Bonnes chaussures.", event_type="canvass",
            is_virtual=False, join_url="", venue="Parc Lahaie", address="Boulevard Saint-Laurent",
            address_visibility="public", country="CA", postal_code="H2T 1A1", town="Montréal", latitude=45.523,
            longitude=-73.59, time_zone="America/Toronto", max_guests_per_rsvp=0, group=None,
            shifts=[events_actions.ShiftDraft(starts_at=start, ends_at=start + timedelta(hours=2), capacity=10)],
        ),
    )  # fmt: skip


def horizontal_overflow(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


@pytest.mark.parametrize(("locale", "donate", "heading"), [("en-CA", "Donate", "Upcoming events near Montréal"),
                                                           ("fr-CA", "Faire un don", "Événements à venir près de Montréal")])  # fmt: skip
def test_a_visitor_on_a_phone_finds_events_near_their_postal_code_and_donate(
    new_context, nearby_event, locale, donate, heading
):
    page = new_context(viewport=PHONE, locale=locale).new_page()
    page.goto("/")
    page.locator("#id_near").fill("H2X 1Y4")
    with page.expect_navigation():
        page.locator("#id_near").press("Enter")
    assert page.get_by_role("heading", name=heading).is_visible()
    assert page.get_by_role("link", name=nearby_event.title).is_visible()
    assert page.locator("main").get_by_role("link", name=donate, exact=True).is_visible()
    assert horizontal_overflow(page) <= 0


def logo_bytes() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 300), (122, 31, 92)).save(out, "PNG")
    return out.getvalue()


def test_staff_brand_the_campaign_and_pages_show_it(new_context, staff):
    page = new_context(viewport={"width": 1280, "height": 900}, locale="en-CA").new_page()
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(staff.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.locator("#id_code").fill(format_hotp_value(hotp_value(TOTP_SECRET, int(time.time()) // 30)))
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()

    page.goto("/staff/branding/")
    page.locator("#id_name").fill("Ensemble Montréal")
    page.locator("#id_accent_colour").fill("#ffcc00")
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert "contrast of 1.5:1" in page.locator(".field.has-error").inner_text()
    assert page.locator("#id_name").input_value() == "Ensemble Montréal"

    page.locator("#id_accent_colour").fill("#7a1f5c")
    page.locator("#id_logo").set_input_files(
        {"name": "logo.png", "mimeType": "image/png", "buffer": logo_bytes()}
    )
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    page.goto("/")
    assert page.locator(".brand").inner_text().strip() == "Ensemble Montréal"
    assert page.locator(".brand img").evaluate("img => img.naturalWidth") == 480
    background = page.locator(".site-donate").evaluate("el => getComputedStyle(el).backgroundColor")
    assert background == "rgb(122, 31, 92)"
