from __future__ import annotations

from django.urls import path

from quartier.organizing.views import calendars, events, groups, hosting, review, rsvps

app_name = "organizing"

urlpatterns = [
    path("groups/", groups.group_search, name="groups"),
    path("groups/new/", groups.group_create, name="group_create"),
    path("groups/<slug:slug>/", groups.group_detail, name="group"),
    path("groups/<slug:slug>/edit/", groups.group_edit, name="group_edit"),
    path("groups/<slug:slug>/join/", groups.group_join, name="group_join"),
    path("groups/<slug:slug>/leave/", groups.group_leave, name="group_leave"),
    path("groups/<slug:slug>/members/<id:membership_id>/", groups.group_member, name="group_member"),
    path("groups/<slug:slug>/listing/", groups.group_listing, name="group_listing"),
    path("groups/<slug:slug>/members.csv", groups.group_members_csv, name="group_members_csv"),
    path("groups/<slug:slug>/message/", groups.group_message, name="group_message"),
    path("groups/<slug:slug>/staff/", groups.group_staff, name="group_staff"),
    path("events/", events.event_search, name="events"),
    path("events/new/", events.event_create, name="event_create"),
    path("events/mine/", events.my_events, name="my_events"),
    path("events/mine/new-calendar-address/", calendars.reset_calendar_feed, name="reset_calendar_feed"),
    path("events/review/", review.review_queue, name="review_queue"),
    path("events/<id:event_id>/", events.event_detail, name="event"),
    path("events/<id:event_id>/edit/", events.event_edit, name="event_edit"),
    path("events/<id:event_id>/rsvp/", rsvps.event_rsvp, name="event_rsvp"),
    path("events/<id:event_id>/cancel/", events.event_cancel, name="event_cancel"),
    path("events/<id:event_id>/duplicate/", events.event_duplicate, name="event_duplicate"),
    path("events/<id:event_id>/attendees/", hosting.event_attendees, name="event_attendees"),
    path("events/<id:event_id>/attendees.csv", hosting.event_attendees_csv, name="event_attendees_csv"),
    path("events/<id:event_id>/message/", hosting.event_message, name="event_message"),
    path("events/<id:event_id>/review/", review.review_event, name="review_event"),
    path("events/<id:event_id>/event.ics", calendars.event_ics, name="event_ics"),
    path("rsvps/check-your-email/", rsvps.rsvp_requested, name="rsvp_requested"),
    path("rsvps/confirm/<str:token>/", rsvps.rsvp_confirm, name="rsvp_confirm"),
    path("rsvps/<id:rsvp_id>/", rsvps.rsvp_done, name="rsvp_done"),
    path("rsvps/<id:rsvp_id>/cancel/", rsvps.rsvp_cancel, name="rsvp_cancel"),
    path("rsvps/<id:rsvp_id>/rsvp.ics", calendars.rsvp_ics, name="rsvp_ics"),
    path("rsvps/cancel/<str:token>/", rsvps.rsvp_cancel_by_link, name="rsvp_cancel_by_link"),
    path("calendar/<str:token>.ics", calendars.calendar_feed, name="calendar_feed"),
]
