"""URLs of the reach app (word of mouth: share kit, lent statuses, attribution and spread analytics)."""

from __future__ import annotations

from django.urls import path

from quartier.reach.views import analytics, spread

app_name = "reach"
urlpatterns: list = [
    path("organize/reach/spread/", spread.spread, name="spread"),
    path("organize/reach/spread/<id:run_id>/progress/", spread.spread_progress, name="spread_progress"),
    path("organize/reach/spread/<id:run_id>/seeds.csv", spread.spread_seeds_csv, name="spread_seeds_csv"),
    path("organize/reach/", analytics.organize_reach, name="organize"),
]
