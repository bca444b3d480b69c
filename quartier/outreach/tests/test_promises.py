"""Promises of "email your network" that deliberate bugs showed no test pinned (issue 19).

The daily cap counts every send of the last 24 hours, not of the last hour: the clock is moved by
dating each send back, as if it had been made that many hours ago.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from quartier.outreach.actions import personal_email as personal_email_actions
from quartier.outreach.models import Message
from quartier.outreach.tests.test_personal import personal

pytestmark = pytest.mark.django_db


def _age_every_send(sender, hours: float) -> None:
    """Move the clock forward by `hours` for the sender's sends so far."""
    for message in Message.objects.filter(sender=sender):
        Message.objects.filter(pk=message.pk).update(created_at=message.created_at - timedelta(hours=hours))


def test_the_daily_cap_counts_sends_spread_over_the_whole_day(supporter, settings):
    settings.OUTREACH_PERSONAL_DAILY_LIMIT = 8
    # Two addresses every seven hours: the first pair was sent 23 hours ago, the last 2 hours ago.
    for batch in range(4):
        sent = personal(
            supporter, [f"b{batch}a@example.org", f"b{batch}b@example.org"], source=f"page:{batch}"
        )
        assert len(sent.accepted) == 2
        _age_every_send(supporter, 7 if batch < 3 else 2)
    assert personal_email_actions.personal_sends_left_today(supporter) == 0

    refused = personal(supporter, ["late@example.org"], source="page:late")

    assert (refused.accepted, refused.over_limit) == ([], ["late@example.org"])

    # An hour later the first pair is more than a day old: two places come back, not more.
    _age_every_send(supporter, 1 + 1 / 60)
    assert personal_email_actions.personal_sends_left_today(supporter) == 2
    again = personal(supporter, ["x@example.org", "y@example.org", "z@example.org"], source="page:again")
    assert (again.accepted, again.over_limit) == (["x@example.org", "y@example.org"], ["z@example.org"])


def test_the_page_tells_the_sender_what_is_left_of_the_day(supporter, settings):
    from django.urls import reverse

    from quartier.donations.actions import pages as pages_actions
    from quartier.testing import client_for

    settings.OUTREACH_PERSONAL_DAILY_LIMIT = 5
    page = pages_actions.create_page(
        owner=supporter, draft=pages_actions.PageDraft(title="Walk", story="", goal_minor=10_000)
    )
    personal(supporter, ["one@example.org", "two@example.org", "three@example.org"])
    _age_every_send(supporter, 20)

    html = client_for(supporter).get(reverse("donations:page_email", args=[page.slug])).content.decode()

    assert "You can still email 2 people today." in html
