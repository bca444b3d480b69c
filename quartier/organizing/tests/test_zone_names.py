"""Mail, "My events", the RSVP done page and the event form name a time zone by its city, never its id."""

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
from quartier.organizing.models import EventTypePolicy
from quartier.testing import client_for


def assert_named_by_city(text: str, label: str = "Toronto time") -> None:
    assert label in text
    assert "America/Toronto" not in text


@pytest.mark.django_db
def test_rsvp_and_cancellation_emails_name_the_zone_by_its_city(
    make_event, host, supporter, django_capture_on_commit_callbacks
):
    event = make_event(host)
    with django_capture_on_commit_callbacks(execute=True):
        rsvps_actions.rsvp(supporter=supporter, shift=event.shifts.get())
    with django_capture_on_commit_callbacks(execute=True):
        events_actions.cancel_event(event=event, message="Rain")

    assert len(mail.outbox) == 2  # the confirmation, the cancellation
    for message in mail.outbox:
        assert_named_by_city(message.body)
        [(html_part, _mimetype)] = message.alternatives
        assert_named_by_city(html_part)


@pytest.mark.django_db
def test_the_guest_confirmation_email_names_the_zone_by_its_city_in_french(
    make_event, host, django_capture_on_commit_callbacks
):
    event = make_event(host)
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        guest_rsvps_actions.request_rsvp(
            event=event, shifts=list(event.shifts.all()),
            request=guest_rsvps_actions.RsvpRequest(email="gaby@example.org", name="Gaby", country="CA",
                                        postal_code="H2X 1Y4", language="fr"),
        )  # fmt: skip

    [message] = mail.outbox
    assert_named_by_city(message.body, "heure de Toronto")
    [(html_part, _mimetype)] = message.alternatives
    assert_named_by_city(html_part, "heure de Toronto")


@pytest.mark.django_db
def test_my_events_names_the_zone_by_its_city(make_event, host, supporter):
    rsvps_actions.rsvp(supporter=supporter, shift=make_event(host).shifts.get())

    for persona in (supporter, host):
        page = client_for(persona).get(reverse("organizing:my_events")).content.decode()
        assert_named_by_city(page)


@pytest.mark.django_db
def test_the_rsvp_done_page_names_the_zone_by_its_city(make_event, host, supporter):
    record = rsvps_actions.rsvp(supporter=supporter, shift=make_event(host).shifts.get())

    page = client_for(supporter).get(reverse("organizing:rsvp_done", args=[record.pk])).content.decode()

    assert_named_by_city(page)


@pytest.mark.django_db
def test_the_event_form_labels_each_zone_by_its_city_and_keeps_the_id_as_value(host):
    page = client_for(host).get(reverse("organizing:event_create")).content.decode()

    assert '<option value="America/Toronto">Toronto time</option>' in page
    assert '<option value="America/St_Johns">St. John&#x27;s time</option>' in page
    assert '<option value="UTC">UTC</option>' in page
    assert ">America/" not in page and ">Europe/" not in page


@pytest.mark.django_db
def test_the_guest_confirm_page_names_the_zone_by_its_city(
    make_event, host, django_capture_on_commit_callbacks
):
    event = make_event(host)
    with django_capture_on_commit_callbacks(execute=True):
        guest_rsvps_actions.request_rsvp(
            event=event,
            shifts=list(event.shifts.all()),
            request=guest_rsvps_actions.RsvpRequest(email="gaby@example.org"),
        )
    [link] = re.findall(r"https?://[^/\s]+(/rsvps/confirm/[^\s]+/)", mail.outbox[0].body)

    page = Client().get(link).content.decode()

    assert_named_by_city(page)


@pytest.mark.django_db
def test_the_cancel_pages_name_the_zone_by_its_city(
    make_event, host, supporter, django_capture_on_commit_callbacks
):
    event = make_event(host)
    with django_capture_on_commit_callbacks(execute=True):
        rsvps_actions.rsvp(supporter=supporter, shift=event.shifts.get())
    [link] = re.findall(r"https?://[^/\s]+(/rsvps/cancel/[^\s]+/)", mail.outbox[0].body)

    rsvp_page = Client().get(link).content.decode()
    event_page = client_for(host).get(reverse("organizing:event_cancel", args=[event.pk])).content.decode()

    assert "You are about to cancel your RSVP" in rsvp_page
    assert_named_by_city(rsvp_page)
    assert_named_by_city(event_page)


@pytest.mark.django_db
def test_the_review_queue_names_the_zone_by_its_city(make_event, host, staff):
    EventTypePolicy.objects.create(event_type="rally", requires_approval=True)
    make_event(host, title="March for transit", event_type="rally")

    page = client_for(staff).get(reverse("organizing:review_queue")).content.decode()

    assert "March for transit" in page
    assert_named_by_city(page)


def selected_zone(client) -> str:
    page = client.get(reverse("organizing:event_create")).content.decode()
    return re.search(
        r'<option value="([^"]+)" selected>[^<]*</option>', page.split('name="time_zone"', 1)[1]
    ).group(1)


@pytest.mark.django_db
def test_a_new_event_starts_on_the_zone_of_its_host(make_supporter):
    montreal = make_supporter("Marie", country="CA", postal_code="H2T 1S6")
    toronto = make_supporter("Sam", country="CA", postal_code="M6G 1K8")
    paris = make_supporter("Léa", country="FR", postal_code="75011")

    assert selected_zone(client_for(montreal)) == "America/Montreal"
    assert selected_zone(client_for(toronto)) == "America/Toronto"
    assert selected_zone(client_for(paris)) == "Europe/Paris"


@pytest.mark.django_db
def test_a_new_event_starts_on_the_zone_the_host_browser_reported(make_supporter):
    client = client_for(make_supporter("Marie", country="CA", postal_code="H2T 1S6"))
    client.cookies["quartier_tz"] = "America%2FVancouver"
    assert selected_zone(client) == "America/Vancouver"

    client.cookies["quartier_tz"] = "Asia%2FTokyo"  # not a zone events use: the host's country decides
    assert selected_zone(client) == "America/Montreal"
