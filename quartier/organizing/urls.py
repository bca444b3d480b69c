from __future__ import annotations

from django.urls import path

from quartier.organizing import views

app_name = "organizing"

urlpatterns = [
    path("groups/", views.group_search, name="groups"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<slug:slug>/", views.group_detail, name="group"),
    path("groups/<slug:slug>/edit/", views.group_edit, name="group_edit"),
    path("groups/<slug:slug>/join/", views.group_join, name="group_join"),
    path("groups/<slug:slug>/leave/", views.group_leave, name="group_leave"),
    path("groups/<slug:slug>/members/<int:membership_id>/", views.group_member, name="group_member"),
    path("groups/<slug:slug>/members.csv", views.group_members_csv, name="group_members_csv"),
    path("groups/<slug:slug>/message/", views.group_message, name="group_message"),
    path("groups/<slug:slug>/staff/", views.group_staff, name="group_staff"),
    path("events/", views.event_search, name="events"),
    path("events/new/", views.event_create, name="event_create"),
    path("events/mine/", views.my_events, name="my_events"),
    path("events/mine/new-calendar-address/", views.reset_calendar_feed, name="reset_calendar_feed"),
    path("events/review/", views.review_queue, name="review_queue"),
    path("events/<int:event_id>/", views.event_detail, name="event"),
    path("events/<int:event_id>/edit/", views.event_edit, name="event_edit"),
    path("events/<int:event_id>/rsvp/", views.event_rsvp, name="event_rsvp"),
    path("events/<int:event_id>/cancel/", views.event_cancel, name="event_cancel"),
    path("events/<int:event_id>/duplicate/", views.event_duplicate, name="event_duplicate"),
    path("events/<int:event_id>/attendees/", views.event_attendees, name="event_attendees"),
    path("events/<int:event_id>/attendees.csv", views.event_attendees_csv, name="event_attendees_csv"),
    path("events/<int:event_id>/message/", views.event_message, name="event_message"),
    path("events/<int:event_id>/review/", views.review_event, name="review_event"),
    path("events/<int:event_id>/event.ics", views.event_ics, name="event_ics"),
    path("rsvps/<int:rsvp_id>/", views.rsvp_done, name="rsvp_done"),
    path("rsvps/<int:rsvp_id>/cancel/", views.rsvp_cancel, name="rsvp_cancel"),
    path("rsvps/cancel/<str:token>/", views.rsvp_cancel_by_link, name="rsvp_cancel_by_link"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
