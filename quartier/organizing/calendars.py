"""iCalendar (RFC 5545) files: one per event, and a personal feed of what a supporter attends or hosts.

Files sent by email follow iTIP (RFC 5546): PUBLISH to add a shift, CANCEL (same UID, higher SEQUENCE)
so that calendars drop it when the event is cancelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from email.utils import parseaddr
from zoneinfo import ZoneInfo

from django.utils import timezone
from icalendar import Calendar, vCalAddress
from icalendar import Event as CalendarEvent

from quartier.accounts import branding
from quartier.lib.urls import absolute_url, calendar_uid
from quartier.organizing.models import Event, Rsvp, Shift
from quartier.organizing.queries.events import FeedEntry

PRODUCT_ID = "-//Quartier//Events//EN"


def _calendar(name: str, *, method: str = "PUBLISH") -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    calendar.add("x-wr-calname", " ".join(name.split()))  # an X- property is not escaped: one line
    return calendar


def _organizer() -> vCalAddress:
    """The campaign's address, never the host's: iTIP requires an organizer, privacy keeps it generic."""
    organizer = vCalAddress(f"mailto:{parseaddr(branding.current().from_email)[1]}")
    organizer.params["cn"] = branding.current().name
    return organizer


def sequence(event: Event) -> int:
    """RFC 5545 SEQUENCE: 0 as published, 1 once cancelled, so the cancellation supersedes the invitation."""
    return 1 if event.status == Event.Status.CANCELLED else 0


def _entry(event: Event, shift: Shift, *, show_private: bool) -> CalendarEvent:
    zone = ZoneInfo(event.time_zone)
    entry = CalendarEvent()
    entry.add("uid", calendar_uid("shift", shift.pk))
    entry.add("dtstamp", timezone.now())
    entry.add("sequence", sequence(event))
    entry.add("organizer", _organizer())
    entry.add("dtstart", shift.starts_at.astimezone(zone))
    entry.add("dtend", shift.ends_at.astimezone(zone))
    entry.add("summary", event.title)
    entry.add("url", absolute_url(event.get_absolute_url()))
    description = event.description
    if event.is_virtual and show_private and event.join_url:
        description = f"{event.join_url}\n\n{description}"
    entry.add("description", description)
    if event.is_virtual:
        entry.add("location", event.join_url if show_private else "Online")
    elif show_private or event.address_visibility == Event.AddressVisibility.PUBLIC:
        entry.add("location", ", ".join(part for part in (event.venue, event.address, event.town) if part))
    else:
        entry.add("location", event.town)
    if (
        event.latitude is not None
        and event.longitude is not None
        and (show_private or event.address_visibility == Event.AddressVisibility.PUBLIC)
    ):
        entry.add("geo", (event.latitude, event.longitude))
    entry.add("status", "CANCELLED" if event.status == Event.Status.CANCELLED else "CONFIRMED")
    return entry


def event_ics(event: Event, *, shifts: Iterable[Shift] | None = None, show_private: bool = True) -> bytes:
    calendar = _calendar(event.title)
    for shift in shifts if shifts is not None else event.shifts.all():
        calendar.add_component(_entry(event, shift, show_private=show_private))
    calendar.add_missing_timezones()  # VTIMEZONE blocks, so every client reads local times right
    return calendar.to_ical()


def rsvp_ics(event: Event, records: Iterable[Rsvp]) -> bytes:
    """The shifts someone chose: confirmed ones with the private details, waitlisted ones as tentative."""
    calendar = _calendar(event.title)
    for record in records:
        confirmed = record.status == Rsvp.Status.CONFIRMED
        entry = _entry(event, record.shift, show_private=confirmed)
        if not confirmed and event.status != Event.Status.CANCELLED:
            entry.pop("status")
            entry.add("status", "TENTATIVE")
        calendar.add_component(entry)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def feed_ics(name: str, entries: Iterable[FeedEntry]) -> bytes:
    calendar = _calendar(name)
    for entry in entries:
        calendar.add_component(_entry(entry.event, entry.shift, show_private=entry.show_private))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def cancellation_ics(event: Event, shifts: Iterable[Shift], *, attendee_email: str) -> bytes:
    """METHOD:CANCEL for the shifts someone was invited to: same UIDs, STATUS:CANCELLED, higher SEQUENCE."""
    calendar = _calendar(event.title, method="CANCEL")
    for shift in shifts:
        entry = _entry(event, shift, show_private=False)
        entry.pop("status")
        entry.add("status", "CANCELLED")
        entry.pop("sequence")
        entry.add("sequence", max(sequence(event), 1))
        entry.add("attendee", vCalAddress(f"mailto:{attendee_email}"))
        calendar.add_component(entry)
    calendar.add_missing_timezones()
    return calendar.to_ical()
