"""Scripts and surveys: written by staff in both languages, branching answers, one success question;
campaign settings changed by the people who run the campaign."""

from __future__ import annotations

import pytest
from django.urls import reverse
from django.utils import translation

from quartier.fieldwork.models import FieldCampaign, Question, Script
from quartier.testing import client_for


def script_form(**questions) -> dict:
    data = {"name": "Spring", "introduction": "Hello", "introduction_fr": "Bonjour", "q-TOTAL_FORMS": "2",
            "q-INITIAL_FORMS": "0", "q-MIN_NUM_FORMS": "0", "q-MAX_NUM_FORMS": "30"}  # fmt: skip
    for index, fields in questions.items():
        data |= {f"q-{index[1:]}-{name}": value for name, value in fields.items()}
    return data


FIRST = {"kind": "single", "text": "Will you vote?", "text_fr": "Voterez-vous ?", "defines_success": "on",
         "success_values": "yes", "choices": "yes | Yes | Oui | 2\nno | No | Non | 0"}  # fmt: skip
SECOND = {"kind": "scale", "text": "How sure?", "text_fr": "À quel point ?"}


@pytest.mark.django_db
def test_staff_write_a_bilingual_script_with_branching(staff):
    response = client_for(staff).post(reverse("fieldwork:script_create"), script_form(q0=FIRST, q1=SECOND))

    assert response.status_code == 302
    script = Script.objects.get()
    first, second = script.questions.all()
    assert (first.position, first.defines_success, first.success_values) == (1, True, ["yes"])
    assert first.choices == [
        {"value": "yes", "label": "Yes", "label_fr": "Oui", "next": 2},
        {"value": "no", "label": "No", "label_fr": "Non", "next": 0},
    ]
    with translation.override("fr"):
        assert first.localised_text == "Voterez-vous ?" and first.localised_choices()[0]["label"] == "Oui"
        assert script.localised_introduction == "Bonjour"
    assert [c["value"] for c in second.localised_choices()] == ["1", "2", "3", "4", "5"]


@pytest.mark.django_db
def test_a_branch_to_an_earlier_question_is_refused_with_the_form_kept(staff):
    loop = FIRST | {"choices": "yes | Yes | Oui | 1"}

    response = client_for(staff).post(reverse("fieldwork:script_create"), script_form(q0=loop, q1=SECOND))

    assert response.status_code == 400
    assert "can only lead to a later question" in response.content.decode()
    assert "Will you vote?" in response.content.decode()
    assert Script.objects.count() == 0


@pytest.mark.django_db
def test_only_one_question_defines_success(staff):
    both = SECOND | {"defines_success": "on"}

    response = client_for(staff).post(reverse("fieldwork:script_create"), script_form(q0=FIRST, q1=both))

    assert response.status_code == 400
    assert Script.objects.count() == 0 and Question.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["anonymous", "unverified", "supporter", "other_supporter"])
def test_only_staff_write_scripts(request, persona):
    viewer = request.getfixturevalue(persona)

    response = client_for(viewer).post(reverse("fieldwork:script_create"), script_form(q0=FIRST, q1=SECOND))

    assert response.status_code in {302, 404}
    if response.status_code == 302:
        assert "/accounts/" in response["Location"]
    assert Script.objects.count() == 0


@pytest.mark.django_db
def test_a_leader_closes_their_campaign_and_an_outsider_cannot(phone_bank, leader, outsider):
    form = {"name": "Renamed", "retry_minutes": 60, "callback_hours": 12, "max_attempts": 2,
            "calling_hours_start": 10, "calling_hours_end": 20}  # fmt: skip
    url = reverse("fieldwork:campaign_edit", args=[phone_bank.pk])

    refused = client_for(outsider).post(url, form)
    assert refused.status_code == 404
    assert FieldCampaign.objects.get(pk=phone_bank.pk).name == "Call the Plateau"
    saved = client_for(leader).post(url, form)

    campaign = FieldCampaign.objects.get(pk=phone_bank.pk)
    assert saved.status_code == 302
    assert (campaign.name, campaign.is_open, campaign.open_from_home, campaign.calling_hours_start) == (
        "Renamed", False, False, 10,
    )  # fmt: skip


@pytest.mark.django_db
def test_calling_hours_that_end_before_they_start_re_render(phone_bank, leader):
    form = {"name": "Call", "retry_minutes": 60, "callback_hours": 12, "max_attempts": 2,
            "calling_hours_start": 20, "calling_hours_end": 9, "is_open": "on"}  # fmt: skip

    response = client_for(leader).post(reverse("fieldwork:campaign_edit", args=[phone_bank.pk]), form)

    assert response.status_code == 400
    assert "Calls must end after they start" in response.content.decode()
    assert FieldCampaign.objects.get(pk=phone_bank.pk).calling_hours_start == 0


@pytest.mark.django_db
def test_a_phone_bank_for_an_event_is_open_to_its_attendees_only(group, leader, volunteer, outsider):
    from datetime import timedelta

    from django.utils import timezone

    from quartier.organizing.actions import events as organizing_events
    from quartier.organizing.actions import rsvps as organizing_rsvps
    from quartier.organizing.models import Event

    start = timezone.now() + timedelta(days=2)
    event = organizing_events.create_event(
        host=leader,
        draft=organizing_events.EventDraft(
            title="Calls", description="", event_type="phone_bank", is_virtual=True, join_url="", venue="",
            address="", address_visibility=Event.AddressVisibility.PUBLIC, country="CA", postal_code="H2X 1Y4",
            town="Montréal", latitude=None, longitude=None, time_zone="America/Toronto", max_guests_per_rsvp=0,
            group=group, shifts=[organizing_events.ShiftDraft(starts_at=start, ends_at=start + timedelta(hours=2), capacity=5)],
        ),
    )  # fmt: skip
    form = {"kind": "phone_bank", "name": "Event calls", "group": str(group.pk), "event": str(event.pk),
            "retry_minutes": 60, "callback_hours": 24, "max_attempts": 3, "calling_hours_start": 9,
            "calling_hours_end": 21}  # fmt: skip

    created = client_for(leader).post(reverse("fieldwork:campaign_create"), form)
    campaign = FieldCampaign.objects.get(name="Event calls")
    organizing_rsvps.rsvp(supporter=volunteer, shift=event.shifts.get())
    url = reverse("fieldwork:phone_bank", args=[campaign.pk])

    assert created.status_code == 302 and campaign.event == event and not campaign.open_from_home
    assert client_for(volunteer).get(url).status_code == 200
    assert client_for(outsider).get(url).status_code == 404
