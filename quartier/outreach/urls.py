from __future__ import annotations

from django.urls import path

from quartier.outreach import feedback, sms_views, views

app_name = "outreach"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("unsubscribe-address/<str:token>/", views.unsubscribe_address, name="unsubscribe_address"),
    path("email/preferences/", views.preferences, name="my_preferences"),
    path("email/preferences/<str:token>/", views.preferences, name="preferences"),
    path("email/confirm/<str:token>/", views.confirm_topic, name="confirm_topic"),
    path("outreach/esp/<str:esp>/tracking/", feedback.tracking_webhook, name="esp_tracking"),
    path("sms/inbound/<str:provider>/", views.sms_inbound, name="sms_inbound"),
    path("organize/email/", views.message_list, name="message_list"),
    path("organize/email/new/", views.message_compose, name="message_new"),
    path("organize/email/count/", views.segment_count, name="segment_count"),
    path("organize/email/groups/", views.group_suggestions, name="group_suggestions"),
    path("organize/email/<id:message_id>/", views.message_detail, name="message_detail"),
    path("organize/email/<id:message_id>/edit/", views.message_compose, name="message_edit"),
    path("organize/email/<id:message_id>/preview/", views.message_preview, name="message_preview"),
    path("organize/email/<id:message_id>/test/", views.message_test, name="message_test"),
    path("organize/email/<id:message_id>/send/", views.message_send, name="message_send"),
    path("organize/email/<id:message_id>/cancel/", views.message_cancel, name="message_cancel"),
    path("organize/email/<id:message_id>/progress/", views.message_progress, name="message_progress"),
    path("organize/sms/", sms_views.text_list, name="text_list"),
    path("organize/sms/new/", sms_views.text_compose, name="text_new"),
    path("organize/sms/count/", sms_views.text_count, name="text_count"),
    path("organize/sms/<id:message_id>/", sms_views.text_detail, name="text_detail"),
    path("organize/sms/<id:message_id>/progress/", sms_views.text_progress, name="text_progress"),
]
