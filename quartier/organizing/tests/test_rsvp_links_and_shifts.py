"""Guest cancel links are bound to one RSVP and expire; one RSVP form takes several shifts."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar

from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Rsvp, Shift
from quartier.organizing.queries import events as events_queries
from quartier.testing import client_for


def cancel_path(rsvp: Rsvp) -> str:
    return reverse("organizing:rsvp_cancel_by_link", args=[events_queries.cancel_token(rsvp)])


@pytest.mark.django_db
def test_an_old_cancel_link_does_not_cancel_a_later_rsvp_to_the_same_shift(supporter, shift):
    first = rsvps_actions.rsvp(supporter=supporter, shift=shift)
    old_link = cancel_path(first)
    Client().post(old_link)
    assert Rsvp.objects.get(pk=first.pk).status == "cancelled"
    again = rsvps_actions.rsvp(supporter=supporter, shift=shift)
    assert again.pk == first.pk and again.status == "confirmed"

    shown, posted = Client().get(old_link), Client().post(old_link)

    assert shown.status_code == posted.status_code == 410
    assert "This link has expired" in posted.content.decode()
    assert Rsvp.objects.get(pk=first.pk).status == "confirmed"
    assert Shift.objects.get(pk=shift.pk).confirmed_count == 1
    assert Client().post(cancel_path(Rsvp.objects.get(pk=first.pk))).status_code == 302  # the new link works
    assert Rsvp.objects.get(pk=first.pk).status == "cancelled"


@pytest.mark.django_db
def test_a_cancel_link_expires_when_its_shift_ends(supporter, shift):
    record = rsvps_actions.rsvp(supporter=supporter, shift=shift)
    link = cancel_path(record)
    Shift.objects.filter(pk=shift.pk).update(
        starts_at=timezone.now() - timedelta(hours=3), ends_at=timezone.now() - timedelta(hours=1)
    )

    response = Client().post(link)

    assert response.status_code == 410
    assert Rsvp.objects.get(pk=record.pk).status == "confirmed"


@pytest.mark.django_db
def test_a_forged_cancel_link_is_not_found(supporter, shift):
    record = rsvps_actions.rsvp(supporter=supporter, shift=shift)

    assert Client().get(cancel_path(record)[:-6] + "xxxxx/").status_code == 404
    assert Rsvp.objects.get(pk=record.pk).status == "confirmed"


def chosen_in_calendar(client: Client, ics_url: str) -> set[int]:
    """The shift ids of the calendar file offered after an RSVP (UIDs are shift-<id>@host)."""
    calendar = Calendar.from_ical(client.get(ics_url).content)
    return {int(str(entry["uid"]).split("@")[0].removeprefix("shift-")) for entry in calendar.walk("VEVENT")}


def rsvp_to(client: Client, event, *shifts: Shift, **data):
    return client.post(
        reverse("organizing:event_rsvp", args=[event.pk]),
        {"shift": [shift.pk for shift in shifts], "guests": "0", **data},
    )


@pytest.mark.django_db
def test_one_submission_takes_several_shifts_each_with_its_own_result(
    supporter, make_supporter, make_event, host, django_capture_on_commit_callbacks
):
    event = make_event(host, shifts=3, capacity=1)
    first, second, third = event.shifts.all()
    rsvps_actions.rsvp(supporter=make_supporter("Early Bird"), shift=second)
    client = client_for(supporter)

    with django_capture_on_commit_callbacks(execute=True):
        response = rsvp_to(client, event, first, second)

    mine = {r.shift_id: r.status for r in Rsvp.objects.filter(supporter=supporter)}
    assert mine == {first.pk: "confirmed", second.pk: "waitlisted"}
    assert third.pk not in mine
    done = client.get(response["Location"])
    page = done.content.decode()
    assert page.count('class="label label-rsvp-') == 2
    assert "Going" in page and "On the waiting list" in page
    assert chosen_in_calendar(client, done.context["ics_url"]) == {first.pk, second.pk}
    assert sorted(m.to[0] for m in mail.outbox) == [supporter.email, supporter.email]


@pytest.mark.django_db
def test_a_guest_takes_several_shifts_once_the_address_confirms(
    make_event, host, django_capture_on_commit_callbacks
):
    event = make_event(host, shifts=2)
    first, second = event.shifts.all()
    guest = {"name": "Gaby Guest", "email": "gaby@example.org", "country": "CA", "postal_code": "H2X 1Y4"}
    with django_capture_on_commit_callbacks(execute=True):
        rsvp_to(Client(), event, first, second, **guest)
    link = re.search(r"https?://[^/\s]+(/rsvps/confirm/[^\s]+/)", mail.outbox[0].body).group(1)

    client = Client()
    response = client.post(link)

    assert sorted(
        Rsvp.objects.filter(supporter__email="gaby@example.org").values_list("shift_id", flat=True)
    ) == [
        first.pk,
        second.pk,
    ]
    ics_url = client.get(response["Location"]).context["ics_url"]
    assert chosen_in_calendar(client, ics_url) == {first.pk, second.pk}


@pytest.mark.django_db
def test_a_started_shift_in_a_submission_is_refused_and_the_others_taken(supporter, make_event, host):
    event = make_event(host, shifts=2)
    first, second = event.shifts.all()
    Shift.objects.filter(pk=first.pk).update(starts_at=timezone.now() - timedelta(minutes=5))

    response = rsvp_to(client_for(supporter), event, first, second)

    assert response.status_code == 302
    assert list(Rsvp.objects.filter(supporter=supporter).values_list("shift_id", flat=True)) == [second.pk]


@pytest.mark.django_db
def test_choosing_no_shift_comes_back_with_a_message_and_changes_nothing(supporter, make_event, host):
    event = make_event(host, shifts=2)

    response = rsvp_to(client_for(supporter), event, phone="514 555 0101")

    assert response.status_code == 400
    assert "Choose a shift." in response.content.decode()
    assert "514 555 0101" in response.content.decode()
    assert not Rsvp.objects.exists()


@pytest.mark.django_db
def test_a_shift_of_another_event_is_not_found(supporter, make_event, host):
    event, other = make_event(host), make_event(host, title="Other")

    response = rsvp_to(client_for(supporter), event, other.shifts.get())

    assert response.status_code == 404
    assert not Rsvp.objects.exists()


@pytest.mark.django_db
def test_the_only_open_shift_is_chosen_already_and_none_of_several(supporter, make_event, host):
    single, several = make_event(host), make_event(host, shifts=2, title="Several")
    client = client_for(supporter)

    one = client.get(single.get_absolute_url()).content.decode()
    two = client.get(several.get_absolute_url()).content.decode()

    assert len(re.findall(r'<input type="checkbox" name="shift" value="\d+" checked>', one)) == 1
    assert re.findall(r'<input type="checkbox" name="shift" value="\d+"( checked)?>', two) == ["", ""]
