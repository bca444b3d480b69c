"""Issue 20 §2 in Chromium at phone width: a volunteer gets a contact from the phone bank (the call page
comes back as the answer to "Next contact", and the location bar shows the call's own address), picks
"Come back later", sets a call-back date and time in the contact's time zone (targets at least 24 px),
cannot send a time outside calling hours (the server's own refusal, in both languages, is tested in
quartier/fieldwork/tests/test_fair_queue.py), corrects it and saves."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from e2e.test_fieldwork_journeys import PHONE, _campaign_world, sign_in
from quartier.fieldwork.actions import calls as calls_actions
from quartier.fieldwork.models import Contact, FieldCampaign, Target

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_volunteer_sets_a_call_back_time_on_a_phone(new_context, make_supporter):
    campaign, people = _campaign_world(make_supporter, FieldCampaign.Kind.PHONE_BANK)
    # Calls at any hour for the claim (the test runs at any time of day), then 9:00 to 21:00 for the call-back.
    FieldCampaign.objects.filter(pk=campaign.pk).update(calling_hours_start=0, calling_hours_end=24)
    Contact.objects.update(time_zone="America/Vancouver")
    calls_actions.add_targets(campaign=campaign, contacts=Contact.objects.all())
    page = new_context(**PHONE).new_page()
    sign_in(page, people["ana"].email)
    page.goto(f"/fieldwork/phone-banks/{campaign.pk}/")

    page.get_by_role("button", name="Next contact").click()
    page.wait_for_url("**/fieldwork/calls/**")
    FieldCampaign.objects.filter(pk=campaign.pk).update(calling_hours_start=9, calling_hours_end=21)
    page.reload()  # the call-back bounds are the calling hours of the page's time
    callback = page.locator("#callback")
    assert callback.is_hidden()  # offered with "Come back later" only
    page.get_by_label("Come back later").check()
    assert callback.is_visible()
    assert "America/Vancouver" in page.locator("#callback-zone").inner_text()
    for control in [page.get_by_label("Come back later"), page.locator("#id_callback_date"),
                    page.locator("#id_callback_time")]:  # fmt: skip
        box = control.bounding_box()
        assert box["width"] >= 24 and box["height"] >= 24, box
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    day = (timezone.now().astimezone(ZoneInfo("America/Vancouver")) + timedelta(days=2)).date()
    page.locator("#id_callback_date").fill(day.isoformat())
    page.locator("#id_callback_time").fill("23:30")
    page.locator("#id_notes").fill("Asked for the evening")
    page.get_by_role("button", name="Save", exact=True).click()  # refused by the browser: nothing sent

    assert page.locator("#id_callback_time").evaluate("input => input.validity.rangeOverflow")
    assert "/fieldwork/calls/" in page.url and not Target.objects.filter(is_callback=True).exists()
    assert page.locator("#id_notes").input_value() == "Asked for the evening"
    page.locator("#id_callback_time").fill("18:30")
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_url(f"**/fieldwork/phone-banks/{campaign.pk}/")

    stored = Target.objects.get(is_callback=True)
    local = stored.available_after.astimezone(ZoneInfo("America/Vancouver"))
    assert (local.date(), local.hour, local.minute) == (day, 18, 30)
