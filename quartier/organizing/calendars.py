"""iCalendar (RFC 5545) files: one per event, and a personal feed of what a supporter attends or hosts."""

from __future__ import annotations

from collections.abc import Iterable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from quartier.organizing.models import Event, Shift

PRODUCT_ID = "-//Quartier//Events//EN"


def _calendar(name: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODUCT_ID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", " ".join(name.split()))  # an X- property is not escaped: one line
    return calendar


def _entry(event: Event, shift: Shift, *, show_private: bool) -> CalendarEvent:
    zone = ZoneInfo(event.time_zone)
    entry = CalendarEvent()
    entry.add("uid", f"shift-{shift.pk}@{settings.SITE_URL.split('://')[-1]}")
    entry.add("dtstamp", timezone.now())
    entry.add("dtstart", shift.starts_at.astimezone(zone))
    entry.add("dtend", shift.ends_at.astimezone(zone))
    entry.add("summary", event.title)
    entry.add("url", f"{settings.SITE_URL}{event.get_absolute_url()}")
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


def feed_ics(name: str, entries: Iterable[tuple[Event, Shift]]) -> bytes:
    calendar = _calendar(name)
    for event, shift in entries:
        calendar.add_component(_entry(event, shift, show_private=True))
    calendar.add_missing_timezones()
    return calendar.to_ical()
