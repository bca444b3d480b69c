"""Helpers of the organizing promise tests: an event whose street address is for attendees only,
and one attendee of each RSVP status."""

from __future__ import annotations

from icalendar import Calendar

from quartier.accounts.models import Supporter
from quartier.organizing.actions import rsvps as rsvps_actions
from quartier.organizing.models import Event, Rsvp, Shift

ADDRESS = "124 rue Saint-Viateur O"
PRECISE = (45.523456, -73.581234)


def private_event(make_event, host, **changes) -> Event:
    """An event whose street address is for attendees only, at a point precise to the metre."""
    return make_event(
        host, address_visibility=Event.AddressVisibility.ATTENDEES, latitude=PRECISE[0], longitude=PRECISE[1],
        **changes,
    )  # fmt: skip


def one_of_each_status(make_supporter, shift: Shift) -> dict[str, Supporter]:
    """A confirmed, a waitlisted and a cancelled attendee of a shift with one place."""
    people = {
        status: make_supporter(f"Person {status}") for status in ("confirmed", "waitlisted", "cancelled")
    }
    rsvps_actions.rsvp(supporter=people["confirmed"], shift=shift)
    rsvps_actions.rsvp(supporter=people["waitlisted"], shift=shift)
    cancelled = rsvps_actions.rsvp(supporter=people["cancelled"], shift=shift)
    rsvps_actions.cancel_rsvp(rsvp_record=cancelled)
    statuses = {r.supporter_id: r.status for r in Rsvp.objects.filter(shift=shift)}
    assert {status: statuses[person.pk] for status, person in people.items()} == {
        "confirmed": "confirmed", "waitlisted": "waitlisted", "cancelled": "cancelled",
    }  # fmt: skip
    return people


def ics_locations(content: bytes) -> list[str]:
    return [str(entry.get("location", "")) for entry in Calendar.from_ical(content).walk("VEVENT")]
