"""What a newcomer tripped over while trying the demo: each one fixed and kept fixed."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from quartier.organizing.actions import events as events_actions
from quartier.organizing.actions import guest_rsvps as guest_rsvps_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Rsvp
from quartier.testing import client_for


@pytest.mark.django_db
def test_a_shift_choice_has_no_dangling_separator_before_its_places_left(make_event, host):
    event = make_event(host, shifts=2)

    page = Client().get(event.get_absolute_url()).content.decode()

    assert page.count("10 places left") == 2
    assert "· <span" not in page.split('class="rsvp-form"', 1)[1].split("</fieldset>", 1)[0]


@pytest.mark.django_db
def test_the_event_form_names_the_no_group_choice(host, group, leader):
    page = client_for(leader).get(reverse("organizing:event_create")).content.decode()

    assert '<option value="" selected>No group</option>' in page
    assert "---------" not in page


@pytest.mark.django_db
def test_french_emails_put_a_space_before_their_colons(make_event, host, django_capture_on_commit_callbacks):
    event = make_event(host)
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        guest_rsvps_actions.request_rsvp(
            event=event, shifts=list(event.shifts.all()),
            request=guest_rsvps_actions.RsvpRequest(email="gaby@example.org", name="Gaby", language="fr"),
        )  # fmt: skip
    [link] = re.findall(r"https?://[^/\s]+(/rsvps/confirm/[^\s]+/)", mail.outbox[0].body)
    with django_capture_on_commit_callbacks(execute=True):
        Client(HTTP_ACCEPT_LANGUAGE="fr").post(link)

    request_mail, confirmation_mail = mail.outbox
    assert "Confirmer\u00a0: http" in request_mail.body
    assert "Quand\u00a0: " in confirmation_mail.body and "Où\u00a0: " in confirmation_mail.body
    assert "Confirmer:" not in request_mail.body and "Quand:" not in confirmation_mail.body


@pytest.mark.django_db
def test_the_shift_left_after_an_rsvp_to_another_is_not_ticked_for_the_supporter(make_event, host, supporter):
    event = make_event(host, shifts=2)
    first, second = event.shifts.order_by("starts_at")
    rsvps_actions.rsvp(supporter=supporter, shift=first)

    page = client_for(supporter).get(event.get_absolute_url()).content.decode()

    assert f'<input type="checkbox" name="shift" value="{second.pk}">' in page
    assert "checked" not in page.split('class="rsvp-form"', 1)[1].split("</fieldset>", 1)[0]


@pytest.mark.django_db
def test_the_only_shift_of_an_event_is_ticked_for_a_visitor(make_event, host):
    event = make_event(host)

    page = Client().get(event.get_absolute_url()).content.decode()

    assert f'<input type="checkbox" name="shift" value="{event.shifts.get().pk}" checked>' in page


@pytest.mark.django_db
def test_cancelling_an_rsvp_to_a_cancelled_event_promotes_nobody_and_sends_nothing(
    make_event, host, supporter, other_supporter, django_capture_on_commit_callbacks
):
    event = make_event(host, capacity=1)
    shift = event.shifts.get()
    first = rsvps_actions.rsvp(supporter=supporter, shift=shift)
    waiting = rsvps_actions.rsvp(supporter=other_supporter, shift=shift)
    events_actions.cancel_event(event=event)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        rsvps_actions.cancel_rsvp(rsvp_record=first)

    waiting.refresh_from_db()
    assert waiting.status == Rsvp.Status.WAITLISTED
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_cancel_link_of_a_cancelled_event_says_so_and_offers_no_button(
    make_event, host, supporter, django_capture_on_commit_callbacks
):
    event = make_event(host)
    with django_capture_on_commit_callbacks(execute=True):
        rsvps_actions.rsvp(supporter=supporter, shift=event.shifts.get())
    [link] = re.findall(r"https?://[^/\s]+(/rsvps/cancel/[^\s]+/)", mail.outbox[0].body)
    events_actions.cancel_event(event=event)

    page = Client().get(link).content.decode()

    assert "The host cancelled this event: there is nothing more for you to do." in page
    assert 'class="danger"' not in page


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["organizing:events", "organizing:groups"])
def test_the_distance_label_ends_with_a_colon_like_the_other_labels(path):
    english = Client().get(reverse(path)).content.decode()
    french = Client(HTTP_ACCEPT_LANGUAGE="fr").get(reverse(path)).content.decode()

    assert "Within (km):</label>" in english and "Near:</label>" in english
    assert "Rayon (km)\u00a0:</label>" in french
