"""The event page's one SQL statement (`queries.event_page`) returns what the ORM queries it stands for
return (`events.event_head`, `events.shifts_with_rsvps_of`), for every kind of viewer."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from quartier.organizing.actions import groups as groups_actions
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.queries import event_page, events

pytestmark = pytest.mark.django_db


def as_rows(event, shifts, viewer):
    head = {field.attname: getattr(event, field.attname) for field in event_page.HEAD_FIELDS}
    if viewer.is_authenticated:
        head |= {"leads": event.viewer_leads, "code": event.viewer_referral_code}
    return head, [
        (
            {field.attname: getattr(shift, field.attname) for field in event_page.SHIFT_FIELDS},
            None if mine is None else (mine.pk, mine.shift_id, mine.status),
        )
        for shift, mine in shifts
    ]


def test_the_statement_and_the_orm_read_the_same_rows(make_supporter, make_event, make_group):
    leader, member, going, waiting, cancelled, outsider = (
        make_supporter(name) for name in ("Léa", "Max", "Ana", "Ben", "Cléo", "Dan")
    )
    group = make_group(leader, name="Plateau")
    groups_actions.join_group(
        supporter=member, group=group, accepts_messages=False, consent_wording="", language="en", ip_address=None
    )  # fmt: skip
    in_group = make_event(leader, title="Avec groupe", capacity=1, shifts=3, group=group)
    alone = make_event(outsider, title="Sans groupe", shifts=1)
    first, second, _third = in_group.shifts.order_by("starts_at")
    rsvps_actions.rsvp(supporter=going, shift=first)
    rsvps_actions.rsvp(supporter=waiting, shift=first)  # full: the waiting list
    rsvps_actions.rsvp(supporter=going, shift=second)
    rsvps_actions.cancel_rsvp(rsvp_record=rsvps_actions.rsvp(supporter=cancelled, shift=second))

    for event in (in_group, alone):
        for viewer in (AnonymousUser(), leader, member, going, waiting, cancelled, outsider):
            read = event_page.event_page_read(event.pk, viewer)
            orm = events.event_head(event.pk, viewer), events.shifts_with_rsvps_of(viewer, event.pk)
            assert as_rows(*read, viewer) == as_rows(*orm, viewer), (event.title, str(viewer))
    assert event_page.event_page_read(alone.pk + 1000, leader) is None
    assert event_page.event_page_read(in_group.pk, leader)[0].viewer_leads is True
    assert [mine.status for _shift, mine in event_page.event_page_read(in_group.pk, going)[1] if mine] == [
        "confirmed", "confirmed"
    ]  # fmt: skip
