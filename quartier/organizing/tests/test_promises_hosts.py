"""Promises no other test held (issue 13): what hosts, leaders and staff reach (messages, the
attendee CSV, event review) and what the data export lists. Each test here fails with the one-line
bug named in `mutants/bugs.py` and passes without it. Run `make mutants` to check they still do."""

from __future__ import annotations

import pytest
from django.urls import reverse

from quartier.accounts import actions as accounts_actions
from quartier.accounts.privacy import export_personal_data
from quartier.organizing.actions import common as common_actions
from quartier.organizing.actions import events as events_actions
from quartier.organizing.actions import groups as groups_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Rsvp
from quartier.organizing.tests.attendees import one_of_each_status
from quartier.outreach.models import Delivery
from quartier.testing import client_for

# 8. The data export includes waitlisted and cancelled RSVPs ---------------------------------------


@pytest.mark.django_db
def test_the_export_lists_rsvps_of_every_status(make_event, host, make_supporter):
    person = make_supporter("Exporter")
    events = {status: make_event(host, title=f"Event {status}", capacity=1) for status in ("c", "w", "x")}
    for title in ("w",):
        rsvps_actions.rsvp(supporter=make_supporter("Place taker"), shift=events[title].shifts.get())
    for status_event in events.values():
        rsvps_actions.rsvp(supporter=person, shift=status_event.shifts.get())
    rsvps_actions.cancel_rsvp(rsvp_record=Rsvp.objects.get(supporter=person, shift__event=events["x"]))

    exported = export_personal_data(person)["rsvps"]

    assert sorted((row["shift__event__title"], row["status"]) for row in exported) == [
        ("Event c", "confirmed"), ("Event w", "waitlisted"), ("Event x", "cancelled"),
    ]  # fmt: skip


# 10. Every formula trigger is neutralised in CSV exports ------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("trigger", ["=", "+", "-", "@", "\t", "\r"])
def test_the_attendee_csv_neutralises_a_cell_starting_with_a_formula_trigger(
    trigger, host, event, shift, supporter
):
    name = f"{trigger}HYPERLINK(1)"
    rsvps_actions.rsvp(supporter=supporter, shift=shift, phone=name, shares_contact=True)

    response = client_for(host).get(reverse("organizing:event_attendees_csv", args=[event.pk]))
    body = b"".join(response.streaming_content).decode()

    assert f"'{name}" in body
    assert f",{name}" not in body and f"\n{name}" not in body and f'"{name}' not in body


# 12. A host's message reaches confirmed attendees only --------------------------------------------


@pytest.mark.django_db
def test_a_hosts_message_reaches_confirmed_attendees_only(make_event, host, make_supporter):
    event = make_event(host, capacity=1)
    people = one_of_each_status(make_supporter, event.shifts.get())
    for person in people.values():
        accounts_actions.record_consent(
            supporter=person, audience=common_actions.event_audience(event), granted=True, wording="Yes",
            language="en", source="join", ip_address=None,
        )  # fmt: skip

    message = events_actions.message_attendees(
        sender=host, event=event, subject="Bring water", body="It is hot."
    )

    assert message.recipient_count == 1
    assert list(Delivery.objects.filter(message=message).values_list("supporter_id", flat=True)) == [
        people["confirmed"].pk
    ]
    assert client_for(host).get(reverse("organizing:event_message", args=[event.pk])).context["total"] == 1


@pytest.mark.django_db
def test_a_leaders_message_does_not_reach_people_waiting_for_approval(make_group, leader, make_supporter):
    from quartier.organizing.models import Group

    group = make_group(leader, join_policy=Group.JoinPolicy.APPROVAL)
    waiting = make_supporter("Waiting Member")
    groups_actions.join_group(
        supporter=waiting, group=group, accepts_messages=True, consent_wording="Yes", language="en",
        ip_address=None,
    )  # fmt: skip
    approved = make_supporter("Approved Member")
    membership = groups_actions.join_group(
        supporter=approved, group=group, accepts_messages=True, consent_wording="Yes", language="en",
        ip_address=None,
    )  # fmt: skip
    groups_actions.approve_member(membership=membership)

    message = groups_actions.message_group(sender=leader, group=group, subject="Tuesday", body="See you.")

    assert list(Delivery.objects.filter(message=message).values_list("supporter_id", flat=True)) == [
        approved.pk
    ]


@pytest.mark.django_db
def test_an_event_already_reviewed_cannot_be_reviewed_again_and_stays_as_it_was(supporter, staff, make_event):
    from quartier.organizing.models import EventTypePolicy

    EventTypePolicy.objects.create(event_type="rally", requires_approval=True)
    event = make_event(supporter, event_type="rally")
    assert event.status == "pending"
    events_actions.review_event(event=event, reviewer=staff, approve=False, reason="Wrong riding")

    response = client_for(staff).post(
        reverse("organizing:review_event", args=[event.pk]), {"decision": "approve"}, follow=True
    )

    assert "This event has already been reviewed." in response.content.decode()
    event.refresh_from_db()
    assert (event.status, event.rejection_reason, event.reviewed_by) == ("rejected", "Wrong riding", staff)


@pytest.mark.django_db
def test_an_event_waiting_for_review_is_seen_by_its_host_and_staff_only(
    make_event, make_supporter, unverified, other_supporter, staff
):
    from quartier.organizing.models import EventTypePolicy

    EventTypePolicy.objects.create(event_type="rally", requires_approval=True)
    host = make_supporter("Pending Host")
    event = make_event(host, event_type="rally")
    assert event.status == "pending"
    viewers = {"anonymous": None, "unverified": unverified, "other supporter": other_supporter, "host": host,
               "staff": staff}  # fmt: skip

    answers = {
        name: (
            client_for(person).get(event.get_absolute_url()).status_code,
            client_for(person).get(reverse("organizing:event_ics", args=[event.pk])).status_code,
        )
        for name, person in viewers.items()
    }

    assert answers == {
        "anonymous": (404, 404), "unverified": (404, 404), "other supporter": (404, 404), "host": (200, 200),
        "staff": (200, 200),
    }  # fmt: skip
