"""Cancelling an event: the host confirms, writes to attendees, and calendars drop the shifts."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse
from icalendar import Calendar

from quartier.lib.urls import calendar_uid
from quartier.organizing import calendars
from quartier.organizing.actions import events as events_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Event, Rsvp
from quartier.testing import client_for


def calendar_part(message) -> tuple[str, Calendar]:
    """The text/calendar part of a sent email: its full Content-Type and the parsed calendar."""
    [part] = [p for p in message.message().walk() if p.get_content_type() == "text/calendar"]
    return part["Content-Type"], Calendar.from_ical(part.get_payload(decode=True))


@pytest.mark.django_db
def test_the_cancel_page_says_who_is_told_and_cancels_nothing_yet(event, shift, host, make_supporter):
    for name in ("Ana", "Ben"):
        rsvps_actions.rsvp(supporter=make_supporter(name), shift=shift)
    mail.outbox.clear()

    response = client_for(host).get(reverse("organizing:event_cancel", args=[event.pk]))

    assert response.status_code == 200
    assert response.context["people_told"] == 2
    page = response.content.decode()
    assert "2 people who RSVPed are told by email" in page
    assert 'name="message"' in page
    assert Event.objects.get(pk=event.pk).status == Event.Status.PUBLISHED
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_event_page_links_to_the_confirmation_instead_of_cancelling_in_one_click(event, host):
    page = client_for(host).get(event.get_absolute_url()).content.decode()

    assert f'href="{reverse("organizing:event_cancel", args=[event.pk])}"' in page
    assert f'action="{reverse("organizing:event_cancel", args=[event.pk])}"' not in page


@pytest.mark.django_db
def test_the_cancellation_email_carries_the_hosts_message_and_an_icalendar_cancel(
    event, shift, host, supporter, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        rsvps_actions.rsvp(supporter=supporter, shift=shift)
    [invitation_email] = mail.outbox
    invitation = Calendar.from_ical(invitation_email.attachments[0][1])
    [invited] = invitation.walk("VEVENT")
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(host).post(
            reverse("organizing:event_cancel", args=[event.pk]),
            {"message": "The hall flooded. See you on the 12th!"},
        )

    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).status == Event.Status.CANCELLED
    [message] = mail.outbox
    assert message.to == [supporter.email]
    assert "The hall flooded. See you on the 12th!" in message.body
    assert "The hall flooded. See you on the 12th!" in message.alternatives[0][0]
    content_type, cancel = calendar_part(message)
    assert content_type.startswith("text/calendar") and 'method="CANCEL"' in content_type
    assert str(cancel["method"]) == "CANCEL"
    [cancelled] = cancel.walk("VEVENT")
    assert str(cancelled["uid"]) == str(invited["uid"]) == calendar_uid("shift", shift.pk)
    assert str(cancelled["status"]) == "CANCELLED"
    assert int(cancelled["sequence"]) > int(invited.get("sequence", 0))
    assert cancelled.decoded("dtstart") == invited.decoded("dtstart")
    assert str(cancelled["attendee"]) == f"mailto:{supporter.email}"
    assert str(cancelled["organizer"]).startswith("mailto:")


@pytest.mark.django_db
def test_someone_with_two_shifts_gets_one_email_cancelling_both(
    make_event, host, supporter, django_capture_on_commit_callbacks
):
    event = make_event(host, shifts=2)
    first, second = event.shifts.order_by("starts_at")
    rsvps_actions.rsvp(supporter=supporter, shift=first)
    rsvps_actions.rsvp(supporter=supporter, shift=second)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        events_actions.cancel_event(event=event)

    [message] = mail.outbox
    _content_type, cancel = calendar_part(message)
    assert sorted(str(entry["uid"]) for entry in cancel.walk("VEVENT")) == sorted(
        calendar_uid("shift", shift.pk) for shift in (first, second)
    )


@pytest.mark.django_db
def test_people_who_had_cancelled_are_not_told_again(
    event, shift, supporter, other_supporter, host, django_capture_on_commit_callbacks
):
    rsvps_actions.rsvp(supporter=supporter, shift=shift)
    gone = rsvps_actions.rsvp(supporter=other_supporter, shift=shift)
    rsvps_actions.cancel_rsvp(rsvp_record=gone)
    mail.outbox.clear()

    assert (
        client_for(host).get(reverse("organizing:event_cancel", args=[event.pk])).context["people_told"] == 1
    )
    with django_capture_on_commit_callbacks(execute=True):
        client_for(host).post(reverse("organizing:event_cancel", args=[event.pk]))

    assert [m.to for m in mail.outbox] == [[supporter.email]]


@pytest.mark.django_db
def test_an_outsider_cannot_see_the_cancel_page_or_cancel(event, shift, outsider, supporter):
    rsvps_actions.rsvp(supporter=supporter, shift=shift)
    mail.outbox.clear()
    client = client_for(outsider)

    assert client.get(reverse("organizing:event_cancel", args=[event.pk])).status_code == 404
    assert (
        client.post(reverse("organizing:event_cancel", args=[event.pk]), {"message": "x"}).status_code == 404
    )

    assert Event.objects.get(pk=event.pk).status == Event.Status.PUBLISHED
    assert Rsvp.objects.get(supporter=supporter).status == Rsvp.Status.CONFIRMED
    assert mail.outbox == []


@pytest.mark.django_db
def test_a_message_too_long_is_refused_and_nothing_is_cancelled(event, host):
    response = client_for(host).post(
        reverse("organizing:event_cancel", args=[event.pk]), {"message": "x" * 2001}
    )

    assert response.status_code == 400
    assert Event.objects.get(pk=event.pk).status == Event.Status.PUBLISHED
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_feed_marks_a_cancelled_shift_with_a_higher_sequence(event, shift):
    before = Calendar.from_ical(calendars.event_ics(event)).walk("VEVENT")[0]
    events_actions.cancel_event(event=event)
    after = Calendar.from_ical(calendars.event_ics(Event.objects.get(pk=event.pk))).walk("VEVENT")[0]

    assert str(after["uid"]) == str(before["uid"])
    assert (int(before["sequence"]), str(before["status"])) == (0, "CONFIRMED")
    assert (int(after["sequence"]), str(after["status"])) == (1, "CANCELLED")
