"""When an event happens, in the time zone that makes sense to the person reading.

An in-person event shows its own local time: people travel to it. An online event shows the
viewer's time (the zone their browser reported in the `quartier_tz` cookie, set by
`quartier/time-zone.js`), else the event's own; each time is labelled with the zone's city.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from django import template
from django.http import HttpRequest
from django.template.defaultfilters import floatformat
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from quartier.accounts.templatetags.supporters import supporter_name
from quartier.lib.zones import is_time_zone, zone_label
from quartier.organizing.models import Event, EventType

register = template.Library()

TIME_ZONE_COOKIE = "quartier_tz"


def viewer_time_zone(request: HttpRequest | None) -> str | None:
    """The zone the visitor's browser reported, when it is a real one."""
    if request is None:
        return None
    name = unquote(request.COOKIES.get(TIME_ZONE_COOKIE, ""))
    return name if is_time_zone(name) else None


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


@register.simple_tag(takes_context=True)
def event_card(context: template.Context, event: Event, distance: float | None = None) -> SafeString:
    """A search result or group page's card for `event` (`organizing/_event_card.html`), in Python: lists
    show twenty, and the template's nodes cost more than the rest of the page."""
    when = event_time(context, event, event.starts_at)
    if event.is_virtual:
        when = f"{when} · {event_zone_label(context, event)}"
    place = _("Online") if event.is_virtual else (event.town or _("In person"))
    # The enum's label, not `get_event_type_display()`, which hashes every choice's lazy label per call.
    kind = EventType(event.event_type).label if event.event_type in EventType.values else event.event_type
    details = format_html("{} · {}", kind, place)
    if distance is not None:
        away = _("%(distance)s %(unit)s away") % {
            "distance": floatformat(distance, 1),
            "unit": context.get("unit", ""),
        }
        details = format_html("{} · {}", details, away)
    group = format_html(" · {}", event.group.name) if event.group_id else ""
    return format_html(
        '<li class="result card">\n'
        '  <p class="event-when">{}</p>\n'
        '  <h3><a href="{}">{}</a></h3>\n'
        '  <p class="muted">{}</p>\n'
        '  <p class="muted">{} {}{}</p>\n'
        "</li>",
        when, event.get_absolute_url(), event.title, details, _("Hosted by"), supporter_name(event.host), group,
    )  # fmt: skip
