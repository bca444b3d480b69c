"""Find a local group near a postal code, join it, RSVP to a shift, get the mail, add it to a calendar,
and be checked in by the host — in Chromium, with a real SMTP server and no third-party request."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from icalendar import Calendar

from e2e.conftest import text_of
from quartier.accounts.models import Supporter
from quartier.organizing.actions import events as events_actions
from quartier.organizing.actions import groups as groups_actions
from quartier.organizing.models import Rsvp
from quartier.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, email: str) -> None:
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_load_state()


def test_find_join_rsvp_get_mail_and_calendar_then_get_checked_in(
    new_context, smtp_server, make_supporter, live_server
):
    leader = make_supporter("Léa Leader", email="lea@example.org")
    volunteer = make_supporter("Vic Volunteer", email="vic@example.org", postal_code="H2T 1A1")
    group = groups_actions.create_group(
        creator=leader,
        draft=groups_actions.GroupDraft(
            name="Plateau for Climate", description="We meet on Tuesdays.", area="Plateau", country="CA",
            postal_code="H2X 1Y4", latitude=45.512, longitude=-73.568, town="Montréal", join_policy="open",
        ),
    )  # fmt: skip
    start = timezone.now() + timedelta(days=4)
    event = events_actions.create_event(
        host=leader,
        draft=events_actions.EventDraft(
            title="Door-knocking in Mile End", description="Bring good shoes.", event_type="canvass",
            is_virtual=False, join_url="", venue="Parc Lahaie", address="Boul. Saint-Laurent",
            address_visibility="attendees", country="CA", postal_code="H2T 1A1", town="Montréal", latitude=45.523,
            longitude=-73.59, time_zone="America/Toronto", max_guests_per_rsvp=0, group=group,
            shifts=[events_actions.ShiftDraft(starts_at=start, ends_at=start + timedelta(hours=2), capacity=10)],
        ),
    )  # fmt: skip

    page = new_context(locale="en-CA").new_page()
    sign_in(page, volunteer.email)

    # Find a group near a postal code, and join it.
    page.goto("/groups/")
    page.locator("#id_near").fill("H2X 1Y4")
    page.locator("#id_country").select_option("CA")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Plateau for Climate").click()
    page.get_by_role("button", name="Join the group").click()
    assert page.get_by_text("Welcome to the group!").is_visible()

    # The group's event; the map and the list render; RSVP to its shift.
    page.goto("/events/?near=H2T+1A1&country=CA&within=25")
    assert page.locator(".results").get_by_role("link", name="Door-knocking in Mile End").is_visible()
    page.wait_for_selector("#event-map .leaflet-interactive", timeout=10_000)
    page.get_by_role("link", name="Door-knocking in Mile End").click()
    assert "Boul. Saint-Laurent" not in page.locator("main").inner_text()  # address for attendees only
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="You're in!").is_visible()

    # The confirmation arrives by SMTP, with the calendar file.
    message = smtp_server.wait_for("vic@example.org")
    assert "You’re in" in message["Subject"]
    assert "Boul. Saint-Laurent" in text_of(message)
    attachments = [part for part in message.walk() if part.get_content_type() == "text/calendar"]
    assert len(attachments) == 1

    # Download the .ics from the page: a valid calendar with the right time.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to my calendar (.ics)").click()
    calendar = Calendar.from_ical(Path(download_info.value.path()).read_bytes())
    [entry] = calendar.walk("VEVENT")
    assert entry.decoded("dtstart") == event.shifts.get().starts_at.replace(microsecond=0)
    assert "Boul. Saint-Laurent" in str(entry["location"])

    # The host checks the volunteer in at the door.
    host_page = new_context(locale="en-CA").new_page()
    sign_in(host_page, leader.email)
    host_page.goto(f"/events/{event.pk}/attendees/")
    row = host_page.locator("tr", has_text="Vic Volunteer")
    row.get_by_role("button", name="Came").click()
    host_page.wait_for_function(
        "() => document.querySelector('tr[id^=rsvp-] button[aria-pressed=true]') !== null", timeout=10_000
    )
    assert Rsvp.objects.get(supporter=Supporter.objects.get(email="vic@example.org")).attended is True
    assert re.search(r"Places confirmed: 1 · came: 1", host_page.locator("main").inner_text())
