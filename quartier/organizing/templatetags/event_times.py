"""When an event happens, in the time zone that makes sense to the person reading.

An in-person event shows its own local time: people travel to it. An online event shows the
viewer's time (the zone their browser reported in the `quartier_tz` cookie, set by
`quartier/time-zone.js`), else the event's own; each time is labelled with the zone's city.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from django import template
from django.http import HttpRequest
from django.utils.formats import date_format

from quartier.lib.zones import viewer_time_zone, zone_label
from quartier.organizing.models import Event

register = template.Library()


def shown_time_zone(request: HttpRequest | None, event: Event) -> str:
    if event.is_virtual:
        return viewer_time_zone(request) or event.time_zone
    return event.time_zone


@register.simple_tag(takes_context=True)
def event_time(
    context: template.Context, event: Event, moment: datetime, format_string: str = "l j F, H:i"
) -> str:
    """`moment` (a moment of `event`) in the zone shown to this viewer."""
    zone = ZoneInfo(shown_time_zone(context.get("request"), event))
    return date_format(moment.astimezone(zone), format_string)


@register.simple_tag(takes_context=True)
def event_zone_label(context: template.Context, event: Event) -> str:
    """ "Toronto time", "heure de Montréal": the zone of the times shown for `event`."""
    return zone_label(shown_time_zone(context.get("request"), event))


@register.simple_tag(takes_context=True)
def event_when(context: template.Context, event: Event) -> str:
    """One line for the whole event: its first start to its last end, in the zone shown."""
    zone = ZoneInfo(shown_time_zone(context.get("request"), event))
    starts, ends = event.starts_at.astimezone(zone), event.ends_at.astimezone(zone)
    if starts.date() == ends.date():
        return f"{date_format(starts, 'l j F Y, H:i')} – {date_format(ends, 'H:i')}"
    return f"{date_format(starts, 'l j F Y, H:i')} – {date_format(ends, 'l j F Y, H:i')}"


@register.filter(name="zone_label")
def zone_label_filter(zone_name: str) -> str:
    """`{{ event.time_zone|zone_label }}`: "Toronto time" rather than `America/Toronto` (emails, lists)."""
    return zone_label(zone_name)
