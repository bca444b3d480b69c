"""A signed-out visitor RSVPs to two shifts with an existing supporter's address: nothing happens to
that account until its owner follows the link mailed to them — in Chromium, with a real SMTP server."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.utils import timezone

from e2e.conftest import text_of
from quartier.organizing.actions import events as events_actions
from quartier.organizing.models import Rsvp

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_guest_rsvp_for_someones_address_waits_for_their_confirmation(
    new_context, smtp_server, make_supporter, live_server
):
    host = make_supporter("Hana Host", email="hana@example.org")
    owner = make_supporter("Olive Owner", email="olive@example.org")
    start = timezone.now() + timedelta(days=4)
    event = events_actions.create_event(
        host=host,
        draft=events_actions.EventDraft(
            title="Phone bank", description="", event_type="phone_bank", is_virtual=False, join_url="",
            venue="Local", address="1 rue Rachel", address_visibility="public", country="CA", postal_code="H2J 2H1",
            town="Montréal", latitude=45.52, longitude=-73.58, time_zone="America/Toronto", max_guests_per_rsvp=0,
            group=None,
            shifts=[
                events_actions.ShiftDraft(starts_at=start, ends_at=start + timedelta(hours=2), capacity=5),
                events_actions.ShiftDraft(starts_at=start + timedelta(hours=3), ends_at=start + timedelta(hours=5), capacity=5),
            ],
        ),
    )  # fmt: skip

    visitor = new_context(locale="en-CA").new_page()
    visitor.goto(event.get_absolute_url())
    boxes = visitor.locator("input[type=checkbox]")
    assert all(not boxes.nth(index).is_checked() for index in range(boxes.count()))  # nothing pre-ticked
    for shift_box in visitor.locator("input[name=shift]").all():
        shift_box.check()
    visitor.locator("#id_name").fill("Not Olive")
    visitor.locator("#id_email").fill("olive@example.org")
    visitor.locator("#id_postal_code").fill("H2X 1Y4")
    visitor.get_by_role("button", name="Confirm").click()
    visitor.wait_for_load_state()
    assert visitor.get_by_role("heading", name="Check your email").is_visible()
    assert not Rsvp.objects.filter(supporter=owner).exists()

    message = smtp_server.wait_for("olive@example.org")
    body = text_of(message)
    assert "Hello Olive Owner" in body and "Not Olive" not in body
    link = re.search(r"https?://[^/\s]+(/rsvps/confirm/[^\s]+/)", body).group(1)

    mailbox_reader = new_context(locale="en-CA").new_page()
    mailbox_reader.goto(link)
    assert not Rsvp.objects.filter(supporter=owner).exists()  # opening the link changes nothing
    mailbox_reader.get_by_role("button", name="Confirm").click()
    mailbox_reader.wait_for_load_state()

    assert mailbox_reader.get_by_role("heading", name="You're in!").is_visible()
    assert mailbox_reader.locator(".rsvp-results li").count() == 2
    assert Rsvp.objects.filter(supporter=owner, status="confirmed").count() == 2
