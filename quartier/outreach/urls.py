from __future__ import annotations

from django.urls import path

from quartier.outreach import views

app_name = "outreach"

urlpatterns = [
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("unsubscribe-address/<str:token>/", views.unsubscribe_address, name="unsubscribe_address"),
]
