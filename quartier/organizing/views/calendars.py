"""iCalendar files and personal calendar feeds."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from quartier.accounts import branding
from quartier.organizing import access, calendars
from quartier.organizing.models import CalendarFeed, Rsvp, new_calendar_token
from quartier.organizing.queries import events as events_queries
from quartier.organizing.views.rsvps import LAST_RSVPS


def event_ics(request: HttpRequest, event_id: int) -> HttpResponse:
    event = access.get_visible_event(request.user, event_id)
    show_private = access.hosts(request.user, event) or events_queries.is_attending(request.user, event)
    response = HttpResponse(
        calendars.event_ics(event, show_private=show_private), content_type="text/calendar; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    return response


def rsvp_ics(request: HttpRequest, rsvp_id: int) -> HttpResponse:
    """The calendar file offered after an RSVP: only the shifts this person chose, for whoever made it."""
    made_here = rsvp_id in (request.session.get(LAST_RSVPS) or [])
    record = Rsvp.objects.select_related("shift__event").filter(pk=rsvp_id).first()
    if record is None or not (
        made_here or (request.user.is_authenticated and record.supporter_id == request.user.pk)
    ):
        raise Http404
    event = record.shift.event
    records = events_queries.active_rsvps_of(record.supporter_id, event)
    response = HttpResponse(calendars.rsvp_ics(event, records), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="event-{event.pk}.ics"'
    response["Cache-Control"] = "private, no-store"
    return response


def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    feed = CalendarFeed.objects.select_related("supporter").filter(token=token).first()
    if feed is None or not feed.supporter.is_active:
        raise Http404
    name = _("%(name)s on %(site)s") % {"name": feed.supporter.display_name, "site": branding.current().name}
    response = HttpResponse(calendars.feed_ics(name, events_queries.feed_entries(feed.supporter)),
                            content_type="text/calendar; charset=utf-8")  # fmt: skip
    response["Cache-Control"] = "private, max-age=900"
    return response


@require_POST
@login_required
def reset_calendar_feed(request: HttpRequest) -> HttpResponse:
    CalendarFeed.objects.update_or_create(supporter=request.user, defaults={"token": new_calendar_token()})
    messages.success(request, _("Your calendar has a new address; the old one no longer works."))
    return redirect("organizing:my_events")
