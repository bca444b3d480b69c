"""Host and staff tools do what they say: approval notes, the review queue in the menu, attendance
figures with walk-ins, and the calendar file offered after an RSVP."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from icalendar import Calendar

from quartier.lib.urls import calendar_uid
from quartier.organizing.actions import events as events_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Event, EventTypePolicy, Rsvp
from quartier.organizing.tests.test_rsvp import confirm_link
from quartier.testing import client_for

RSVP = {"guests": "0", "phone": "", "shares_contact": "on", "accepts_messages": "on"}


@pytest.fixture
def pending_event(make_event, host, django_capture_on_commit_callbacks) -> Event:
    EventTypePolicy.objects.create(event_type="rally", requires_approval=True)
    with django_capture_on_commit_callbacks(execute=True):
        event = make_event(host, title="March for transit", event_type="rally")
    mail.outbox.clear()
    return event


@pytest.mark.django_db
def test_the_note_typed_when_approving_reaches_the_host(
    pending_event, host, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(staff).post(
            reverse("organizing:review_event", args=[pending_event.pk]),
            {"decision": "approve", "reason": "Approved; please bring the permit to the square."},
        )

    assert response.status_code == 302
    assert Event.objects.get(pk=pending_event.pk).status == Event.Status.PUBLISHED
    [message] = mail.outbox
    assert message.to == [host.email]
    assert "Approved: March for transit" in message.subject
    assert "Approved; please bring the permit to the square." in message.body
    assert "Approved; please bring the permit to the square." in message.alternatives[0][0]


@pytest.mark.django_db
def test_an_approval_without_a_note_says_no_more_than_the_decision(
    pending_event, staff, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        events_actions.review_event(event=pending_event, reviewer=staff, approve=True, reason="")

    [message] = mail.outbox
    assert "Note from the campaign" not in message.body
    assert "Reason" not in message.body


@pytest.mark.django_db
def test_staff_find_the_review_queue_in_the_menu_with_the_pending_count(pending_event, staff):
    page = client_for(staff).get(reverse("home")).content.decode()

    assert f'<a href="{reverse("organizing:review_queue")}">Events to review (1)</a>' in page


def pending_count_queries(client: Client) -> tuple[int, int]:
    """(all queries, queries counting pending events) for a second look at the home page."""
    client.get(reverse("home"))  # warm up: session, language
    with CaptureQueriesContext(connection) as context:
        client.get(reverse("home"))
    counting = [
        q for q in context.captured_queries if "COUNT" in q["sql"].upper() and "'pending'" in q["sql"]
    ]
    return len(context), len(counting)


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["anonymous", "supporter", "host"])
def test_others_see_no_review_link_and_pay_no_query_for_it(pending_event, persona, request, staff):
    who = request.getfixturevalue(persona) if persona != "anonymous" else None
    client = client_for(who)

    page = client.get(reverse("home")).content.decode()
    _total, counting = pending_count_queries(client)

    assert reverse("organizing:review_queue") not in page
    assert counting == 0
    assert pending_count_queries(client_for(staff))[1] == 1


@pytest.mark.django_db
def test_attendance_counts_everyone_who_came_walk_ins_and_guests_included(event, shift, host, make_supporter):
    came_with_a_guest = rsvps_actions.rsvp(supporter=make_supporter("Ana"), shift=shift, guests=1)
    rsvps_actions.rsvp(supporter=make_supporter("Ben"), shift=shift)  # booked, did not come
    rsvps_actions.check_in(rsvp_record=came_with_a_guest, attended=True)
    rsvps_actions.add_walk_in(shift=shift, supporter=make_supporter("Walk-in Wes"))

    response = client_for(host).get(reverse("organizing:event_attendees", args=[event.pk]))

    assert (response.context["confirmed"], response.context["came"], response.context["walk_ins"]) == (
        3,
        3,
        1,
    )
    assert "Places confirmed: 3 · came: 3 (including 1 walk-in)" in response.content.decode()


@pytest.mark.django_db
def test_the_calendar_file_after_an_rsvp_holds_only_the_shift_chosen(make_event, host, supporter):
    event = make_event(host, shifts=3)
    chosen = event.shifts.order_by("starts_at")[1]
    client = client_for(supporter)
    client.post(reverse("organizing:event_rsvp", args=[event.pk]), {**RSVP, "shift": chosen.pk})
    record = Rsvp.objects.get(supporter=supporter)

    done = client.get(reverse("organizing:rsvp_done", args=[record.pk]))
    ics_url = reverse("organizing:rsvp_ics", args=[record.pk])
    assert done.context["ics_url"] == ics_url
    response = client.get(ics_url)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    [entry] = Calendar.from_ical(response.content).walk("VEVENT")
    assert str(entry["uid"]) == calendar_uid("shift", chosen.pk)
    assert entry.decoded("dtstart") == chosen.starts_at.replace(microsecond=0)
    assert "124 rue Saint-Viateur O" in str(entry["location"])


@pytest.mark.django_db
def test_a_guest_gets_the_calendar_file_of_their_own_rsvp_in_their_session(
    event, shift, django_capture_on_commit_callbacks
):
    guest = Client()
    with django_capture_on_commit_callbacks(execute=True):
        guest.post(
            reverse("organizing:event_rsvp", args=[event.pk]),
            {**RSVP, "shift": shift.pk, "name": "Gaby Guest", "email": "gaby@example.org", "country": "CA",
             "postal_code": "H2X 1Y4"},
        )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        guest.post(confirm_link(mail.outbox[-1]))
    record = Rsvp.objects.get(supporter__email="gaby@example.org")

    response = guest.get(reverse("organizing:rsvp_ics", args=[record.pk]))

    assert response.status_code == 200
    assert len(Calendar.from_ical(response.content).walk("VEVENT")) == 1
    assert Client().get(reverse("organizing:rsvp_ics", args=[record.pk])).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["anonymous", "other_supporter", "host"])
def test_nobody_else_gets_someone_elses_rsvp_calendar(event, shift, supporter, persona, request):
    record = rsvps_actions.rsvp(supporter=supporter, shift=shift)
    who = request.getfixturevalue(persona) if persona != "anonymous" else None

    response = client_for(who).get(reverse("organizing:rsvp_ics", args=[record.pk]))

    assert response.status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("before", ["cancelled", "waitlisted"])
def test_someone_who_cancelled_or_waited_then_came_counts_as_a_walk_in(
    make_event, host, make_supporter, before
):
    event = make_event(host, capacity=1)
    shift = event.shifts.get()
    rsvps_actions.rsvp(supporter=make_supporter("Booked Bea"), shift=shift)
    person = make_supporter("Late Lou")
    record = rsvps_actions.rsvp(supporter=person, shift=shift)  # the shift is full: waitlisted
    if before == "cancelled":
        rsvps_actions.cancel_rsvp(rsvp_record=record)

    rsvps_actions.add_walk_in(shift=shift, supporter=person)

    record.refresh_from_db()
    assert (record.status, record.is_walk_in, record.attended) == ("confirmed", True, True)
    shift.refresh_from_db()
    assert shift.confirmed_count == 1  # a walk-in takes no listed place
    response = client_for(host).get(reverse("organizing:event_attendees", args=[event.pk]))
    assert (response.context["came"], response.context["walk_ins"]) == (1, 1)
