"""URLs of the api app."""

from __future__ import annotations

from django.urls import path

from quartier.api.exchange import views as exchange_views
from quartier.api.webhooks import views as webhook_views

app_name = "api"
urlpatterns: list = [
    path("staff/webhooks/", webhook_views.endpoints, name="webhook_endpoints"),
    path("staff/webhooks/<id:endpoint_id>/", webhook_views.endpoint, name="webhook_endpoint"),
    path("staff/webhooks/<id:endpoint_id>/ping/", webhook_views.ping, name="webhook_ping"),
    path("staff/webhooks/<id:endpoint_id>/active/", webhook_views.set_active, name="webhook_set_active"),
    path("staff/webhooks/deliveries/<id:delivery_id>/replay/", webhook_views.replay, name="webhook_replay"),
    path("staff/imports/people/", exchange_views.people_imports, name="people_imports"),
    path("staff/imports/people/<id:job_id>/", exchange_views.people_import, name="people_import"),
    path("staff/imports/people/<id:job_id>/cancel/", exchange_views.people_import_cancel, name="people_import_cancel"),
    path("staff/imports/people/<id:job_id>/problems.csv", exchange_views.people_import_problems, name="people_import_problems"),
    path("staff/exports/", exchange_views.export_data, name="exports"),
]  # fmt: skip
