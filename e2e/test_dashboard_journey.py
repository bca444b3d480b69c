"""A supporter lands on their dashboard, RSVPs, makes calls in a phone bank, gives, and is given to
through their share link, and sees the activity index rise with each action listed; staff filter
the organiser dashboard by region, the charts render, and the CSV has the chart's figures — in
Chromium, with no third-party request. Every action goes through the real pages: the phone bank,
the sandbox payment page, the journal the apps write.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from quartier.dashboard import actions as dashboard_actions
from quartier.donations.models import Donation
from quartier.fieldwork.actions import calls as fieldwork_calls
from quartier.fieldwork.models import Contact, FieldCampaign, Question, Result, Script
from quartier.organizing.actions import events as events_actions
from quartier.reach.queries import share_url
from quartier.testing import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ARTEFACTS = Path(settings.BASE_DIR) / "var" / "test-artefacts"


def level_on(page) -> int:
    return int(page.locator("#activity-index [data-level]").get_attribute("data-level"))


def test_the_index_rises_with_each_action_and_staff_read_the_charts(
    new_context, make_supporter, staff, live_server
):
    host = make_supporter("Léa Host", email="lea@example.org")
    volunteer = make_supporter("Vic Volunteer", email="vic@example.org", postal_code="H2T 1A1")
    start = timezone.now() + timedelta(days=3)
    events_actions.create_event(
        host=host,
        draft=events_actions.EventDraft(
            title="Door-knocking in Mile End", description="Bring good shoes.", event_type="canvass",
            is_virtual=False, join_url="", venue="Parc Lahaie", address="Boul. Saint-Laurent",
            address_visibility="attendees", country="CA", postal_code="H2T 1A1", town="Montréal", latitude=45.523,
            longitude=-73.59, time_zone="America/Toronto", max_guests_per_rsvp=0, group=None,
            shifts=[events_actions.ShiftDraft(starts_at=start, ends_at=start + timedelta(hours=2), capacity=10)],
        ),
    )  # fmt: skip

    page = new_context(locale="en-CA", viewport={"width": 390, "height": 844}).new_page()
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(volunteer.email)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    page.wait_for_url("**/dashboard/")
    assert level_on(page) == 1
    # The suggestion of an event this week within 25 km leads to it.
    page.get_by_role("link", name="Door-knocking in Mile End").first.click()
    page.get_by_role("button", name="Confirm").click()
    page.wait_for_load_state()

    page.goto("/dashboard/")
    rsvp_line = page.locator("#activity-index tr", has_text="RSVPed to an event")
    assert rsvp_line.is_visible()
    assert "RSVPed to an event" in rsvp_line.inner_text()
    points_after_rsvp = int(re.search(r"(\d+) points?", page.locator(".index-level").inner_text()).group(1))
    assert points_after_rsvp == 1

    # Four calls in a phone bank open from home, each through "Next contact" and the results form.
    script = Script.objects.create(name="Script", introduction="Hello from the campaign.")
    Question.objects.create(
        script=script, position=1, kind="single", text="Will you vote?", defines_success=True,
        success_values=["yes"], choices=[{"value": "yes", "label": "Yes"}, {"value": "no", "label": "No"}],
    )  # fmt: skip
    bank = FieldCampaign.objects.create(
        kind=FieldCampaign.Kind.PHONE_BANK, name="Call Mile End", script=script, open_from_home=True,
        calling_hours_start=0, calling_hours_end=24,
    )  # fmt: skip
    for number in range(4):
        Contact.objects.create(
            first_name=f"Neighbour {number}", last_name="Voisin", address=f"{10 + number} rue Rachel",
            postal_code="H2T 1S6", phone=f"+1514555020{number}", dedupe_key=f"dash:{number}",
        )  # fmt: skip
    fieldwork_calls.add_targets(campaign=bank, contacts=Contact.objects.all())
    page.goto("/fieldwork/")
    page.get_by_role("link", name="Call Mile End").click()
    page.get_by_role("button", name="Next contact").click()
    for _call in range(4):
        page.wait_for_url("**/fieldwork/calls/**")
        page.get_by_label("Supportive").check()
        page.get_by_label("Yes").check()
        page.get_by_role("button", name="Save and next contact").click()
        page.wait_for_load_state()
    assert Result.objects.filter(volunteer=volunteer).count() == 4
    page.goto("/dashboard/")
    assert "4 calls" in page.locator("#activity-index tr", has_text="Made a call").inner_text()
    assert level_on(page) == 3  # 1 + 4 = 5 points: levels start at 1, 4, 8, 15, 25, …

    # The volunteer gives $25 through the sandbox: listed in their gifts, 2 points (a gift, whatever its amount).
    page.goto("/donate/")
    page.get_by_role("radio", name="$25", exact=True).check()
    page.get_by_role("button", name="Continue to payment").click()
    page.locator("#card").fill("4242 4242 4242 4242")
    page.get_by_role("button", name="Pay", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Thank you!").is_visible()

    # A friend gives $250 through the volunteer's share link: credited to the volunteer.
    friend = new_context(locale="en-CA").new_page()
    friend.goto(share_url("/donate/", volunteer).removeprefix(live_server.url))
    friend.locator("#id_other_amount").fill("250")
    friend.locator("#id_first_name").fill("Ana")
    friend.locator("#id_last_name").fill("Lopez")
    friend.locator("#id_email").fill("ana@example.org")
    friend.locator("#id_postal_code").fill("H2X 1Y4")
    friend.get_by_role("button", name="Continue to payment").click()
    friend.locator("#card").fill("4242 4242 4242 4242")
    friend.get_by_role("button", name="Pay", exact=True).click()
    friend.wait_for_load_state()
    assert friend.get_by_role("heading", name="Thank you!").is_visible()
    assert Donation.objects.filter(credited_to=volunteer, status="succeeded").count() == 1

    page.goto("/dashboard/")
    assert page.locator("#activity-index tr", has_text="Money raised through my pages and links").is_visible()
    assert level_on(page) == 6  # 5 + 2 (the own gift) + 25 (250 raised, a point per 10) = 32 points
    gifts = page.locator("section:has(#donations-panel-title)").inner_text()
    assert "$25 · Paid" in gifts  # the volunteer's own gift, in their gifts
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTEFACTS / "personal-dashboard-phone.png"), full_page=True)

    # Staff: the organiser dashboard, filtered to the volunteer's area.
    dashboard_actions.roll_up()
    client = Client()
    client.force_login(staff)
    staff_context = new_context(locale="en-CA")
    staff_context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": live_server.url,
            }
        ]
    )
    organiser = staff_context.new_page()
    organiser.goto("/organize/")
    organiser.locator("#id_region").fill("H2T")
    organiser.get_by_role("button", name="Show").click()
    organiser.wait_for_url("**/organize/?*region=H2T*")
    calls_chart = organiser.locator("#chart-fieldwork svg")
    box = calls_chart.bounding_box()
    assert box is not None and box["width"] > 200 and box["height"] > 50
    assert "Will you vote?" in organiser.locator("main").inner_text()
    today = timezone.localdate().isoformat()
    drawn = organiser.locator('#chart-fieldwork polyline[data-series="Calls made"]').count()
    assert drawn == 1
    value = (
        organiser.locator(f'#chart-fieldwork circle[data-day="{today}"]').nth(1).get_attribute("data-value")
    )
    organiser.screenshot(path=str(ARTEFACTS / "organiser-dashboard.png"), full_page=True)

    link = organiser.locator("#chart-fieldwork a[download]").get_attribute("href")
    response = organiser.request.get(live_server.url + "/organize/" + link)
    rows = list(csv.reader(io.StringIO(response.text())))
    assert rows[0] == ["date", "Doors knocked", "Calls made"]
    assert rows[-1] == [today, "0", value]
    assert value == "4"
    # Outside the area, nothing of it.
    organiser.goto("/organize/?area=CA-ON")
    assert "Will you vote?" not in organiser.locator("main").inner_text()
