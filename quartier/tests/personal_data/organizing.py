"""Factories for the personal data sources of `organizing` (see `registry.py`)."""

from __future__ import annotations

from django.db.models import Q

from quartier.accounts.models import (
    Supporter,
)
from quartier.organizing.actions import groups as organizing_groups
from quartier.organizing.actions import guest_rsvps as organizing_guest_rsvps
from quartier.organizing.actions import rsvps as organizing_rsvps
from quartier.organizing.models import CalendarFeed, Event, Group, Membership, PendingRsvp, Rsvp, SentReminder
from quartier.tests.personal_data.common import Factory, People, count_rows


def _group_memberships(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        group = people.make_group(people.organiser, name=people.marker("group_memberships", number))
        organizing_groups.join_group(
            supporter=supporter, group=group, accepts_messages=False, consent_wording="No", language="en",
            ip_address=None,
        )  # fmt: skip


def _rsvps(supporter: Supporter, people: People) -> None:
    """A confirmed, a waitlisted and a cancelled RSVP, with two reminders sent."""
    records = []
    for number in (1, 2, 3):
        event = people.make_event(people.organiser, title=people.marker("rsvps", number), capacity=1)
        if number == 2:
            organizing_rsvps.rsvp(supporter=people.staff, shift=event.shifts.get())
        records.append(
            organizing_rsvps.rsvp(supporter=supporter, shift=event.shifts.get(), phone=f"514 555 010{number}")
        )
    organizing_rsvps.cancel_rsvp(rsvp_record=records[2])
    for hours in (24, 2):
        SentReminder.objects.create(rsvp=records[0], hours_before=hours)


def _pending_rsvps(supporter: Supporter, people: People) -> None:
    """Two RSVPs asked for the supporter's address by someone not signed in: a guest and a walk-in."""
    for number, kind in ((1, PendingRsvp.Kind.GUEST), (2, PendingRsvp.Kind.WALK_IN)):
        event = people.make_event(people.organiser, title=f"Asked for {number}")
        organizing_guest_rsvps.request_rsvp(
            event=event, shifts=[event.shifts.get()], kind=kind,
            request=organizing_guest_rsvps.RsvpRequest(email=supporter.email, name=people.marker("pending_rsvps", number)),
        )  # fmt: skip


def _hosted(supporter: Supporter, people: People) -> None:
    for number in (1, 2):
        people.make_event(supporter, title=people.marker("hosted_events_and_groups", number))
        people.make_group(supporter, name=people.marker("hosted_events_and_groups", number + 2))


def _calendar_feed(supporter: Supporter, people: People) -> None:
    CalendarFeed.objects.create(supporter=supporter)


FACTORIES: dict[str, Factory] = {
    "group_memberships": Factory(
        _group_memberships,
        owned=lambda s: {Membership: Membership.objects.filter(supporter=s)},
        exported=lambda data: {Membership: count_rows(data)},
    ),
    "rsvps": Factory(
        _rsvps,
        owned=lambda s: {
            Rsvp: Rsvp.objects.filter(supporter=s),
            SentReminder: SentReminder.objects.filter(rsvp__supporter=s),
        },
        exported=lambda data: {Rsvp: count_rows(data)},
        not_exported="SentReminder: which reminders went out is bookkeeping that sends each one once",
    ),
    "pending_rsvps": Factory(
        _pending_rsvps,
        owned=lambda s: {PendingRsvp: PendingRsvp.objects.filter(Q(supporter=s) | Q(email__iexact=s.email))},
        exported=lambda data: {PendingRsvp: count_rows(data)},
    ),
    "hosted_events_and_groups": Factory(
        _hosted,
        owned=lambda s: {Event: Event.objects.filter(host=s), Group: Group.objects.filter(created_by=s)},
        exported=lambda data: {Event: count_rows(data["events"]), Group: count_rows(data["groups_started"])},
    ),
    "calendar_feed": Factory(
        _calendar_feed,
        owned=lambda s: {CalendarFeed: CalendarFeed.objects.filter(supporter=s)},
        exported=lambda data: {},
        not_exported="CalendarFeed: the secret address is a credential, not information about the supporter",
    ),
}
