"""`{% event_card event distance %}`, `{% group_card group distance %}`: the cards of search results
and of the group page, written in Python. A search shows twenty, and the nodes of a card's template
(includes, `blocktranslate`, filters, `get_event_type_display`) cost more than the rest of the page.
They render exactly what the `_event_card.html` and `_group_card.html` templates did (`tests/test_cards.py`).
"""

from __future__ import annotations

from django import template
from django.template.defaultfilters import floatformat
from django.utils.formats import localize
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from quartier.accounts.templatetags.supporters import supporter_name
from quartier.organizing.models import Event, EventType, Group
from quartier.organizing.templatetags.event_times import event_time, event_zone_label

register = template.Library()


def distance_away(distance: float, unit: str) -> str:
    return _("%(distance)s %(unit)s away") % {"distance": floatformat(distance, 1), "unit": unit}


@register.simple_tag(takes_context=True)
def event_card(context: template.Context, event: Event, distance: float | None = None) -> SafeString:
    """A search result's or the group page's card for `event`."""
    when = event_time(context, event, event.starts_at)
    if event.is_virtual:
        when = f"{when} · {event_zone_label(context, event)}"
    place = _("Online") if event.is_virtual else (event.town or _("In person"))
    # The enum's label, not `get_event_type_display()`, which hashes every choice's lazy label per call.
    kind = EventType(event.event_type).label if event.event_type in EventType.values else event.event_type
    details = format_html("{} · {}", kind, place)
    if distance is not None:
        details = format_html("{} · {}", details, distance_away(distance, context.get("unit", "")))
    group = format_html(" · {}", event.group.name) if event.group_id else ""
    return format_html(
        '<li class="result card">\n'
        '  <p class="event-when">{}</p>\n'
        '  <h3><a href="{}">{}</a></h3>\n'
        '  <p class="muted">{}</p>\n'
        '  <p class="muted">{} {}{}</p>\n'
        "</li>",
        when, getattr(event, "path", None) or event.get_absolute_url(), event.title, details, _("Hosted by"), supporter_name(event.host), group,
    )  # fmt: skip


@register.simple_tag(takes_context=True)
def group_card(context: template.Context, group: Group, distance: float | None = None) -> SafeString:
    """A search result's card for `group`."""
    featured = (
        format_html(' <span class="label label-featured">{}</span>', _("Featured"))
        if group.is_featured
        else ""
    )
    where = format_html("{} · {}", group.area, group.town) if group.town else format_html("{}", group.area)
    if distance is not None:
        where = format_html("{} · {}", where, distance_away(distance, context.get("unit", "")))
    members = ngettext("%(counter)s member", "%(counter)s members", group.member_count) % {
        "counter": localize(group.member_count)
    }
    approval = (
        format_html(" · {}", _("leaders approve new members")) if group.join_policy == "approval" else ""
    )
    return format_html(
        '<li class="result card">\n'
        '  <h3><a href="{}">{}</a>{}</h3>\n'
        '  <p class="muted">{}</p>\n'
        '  <p class="muted">{}{}</p>\n'
        "</li>",
        getattr(group, "path", None) or group.get_absolute_url(), group.name, featured, where, members, approval,
    )  # fmt: skip
