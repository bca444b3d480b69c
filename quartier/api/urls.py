"""URLs of the api app."""

from __future__ import annotations

from django.urls import path

from quartier.api.docs import views as docs_views
from quartier.api.mobilize.api import api as mobilize_api

app_name = "api"
urlpatterns: list = [
    path("api/mobilize/v1/", mobilize_api.urls),
    path("api/docs/", docs_views.docs_index, name="docs"),
    path("api/docs/<slug:slug>/", docs_views.docs_operations, name="docs_operations"),
    path("api/docs/<slug:slug>/openapi.json", docs_views.docs_openapi, name="docs_openapi"),
]
