"""URLs of the reach app (word of mouth: share kit, lent statuses, attribution and spread analytics)."""

from __future__ import annotations

from django.urls import path  # noqa: F401

app_name = "reach"
urlpatterns: list = []
