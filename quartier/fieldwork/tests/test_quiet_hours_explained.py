"""Volunteers see why nobody is left to call: quiet hours where the contacts live, and when calls resume."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from quartier.fieldwork import queries
from quartier.fieldwork.actions import calls as calls_actions
from quartier.fieldwork.models import Contact, Target
from quartier.testing import client_for


def _bank_in(phone_bank, make_contact, zones: dict[str, str], start: int, end: int) -> None:
    phone_bank.calling_hours_start, phone_bank.calling_hours_end = start, end
    phone_bank.save()
    people = [
        make_contact(name, phone=f"+1514555{2000 + n}", time_zone=zone)
        for n, (name, zone) in enumerate(zones.items())
    ]
    calls_actions.add_targets(
        campaign=phone_bank, contacts=Contact.objects.filter(pk__in=[p.pk for p in people])
    )
    phone_bank.refresh_from_db()


@pytest.mark.django_db
def test_calls_resume_when_calling_hours_start_in_the_first_waiting_zone(phone_bank, make_contact):
    _bank_in(phone_bank, make_contact, {"Paris": "Europe/Paris", "Vancouver": "America/Vancouver"}, 9, 21)
    ten_in_paris = datetime.fromisoformat("2026-06-10T08:00:00+00:00")  # 01:00 in Vancouver
    ten_at_night_in_paris = datetime.fromisoformat("2026-06-10T20:00:00+00:00")  # 13:00 in Vancouver
    Target.objects.update(available_after=ten_in_paris - timedelta(days=1))

    assert queries.calls_resume_at(phone_bank, ten_in_paris) == datetime.fromisoformat(
        "2026-06-10T16:00:00+00:00"
    )
    assert queries.calls_resume_at(phone_bank, ten_at_night_in_paris) == datetime.fromisoformat(
        "2026-06-11T07:00:00+00:00"
    )
    Target.objects.update(status=Target.Status.DONE)
    assert queries.calls_resume_at(phone_bank, ten_in_paris) is None


@pytest.mark.django_db
def test_the_phone_bank_page_says_why_nobody_is_left_and_when_calls_resume(
    phone_bank, make_contact, volunteer
):
    hour = timezone.now().astimezone(ZoneInfo("America/Toronto")).hour
    start = (hour + 2) % 24
    _bank_in(phone_bank, make_contact, {"Anne": "America/Toronto"}, start, start + 1)
    client = client_for(volunteer)

    response = client.post(reverse("fieldwork:phone_bank", args=[phone_bank.pk]), follow=True)

    page = response.content.decode()
    assert "Nobody is left to call right now." in page
    assert "1 person is not called now: it is outside calling hours where they live." in page
    assert "Calls resume on" in page and response.context["resume_at"] == queries.calls_resume_at(phone_bank)
    assert response.context["resume_at"].astimezone(ZoneInfo("America/Toronto")).hour == start


@pytest.mark.django_db
def test_no_quiet_hours_notice_while_someone_can_be_called(phone_bank, callable_contacts, volunteer):
    page = client_for(volunteer).get(reverse("fieldwork:phone_bank", args=[phone_bank.pk])).content.decode()

    assert 'id="queue-quiet"' not in page
