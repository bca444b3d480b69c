"""URLs of the integrity app."""

from __future__ import annotations

from django.urls import path

from quartier.integrity.views import clusters, transparency

app_name = "integrity"
urlpatterns: list = [
    path("integrity/clusters/", clusters.cluster_list, name="clusters"),
    path("integrity/clusters/<id:cluster_id>/", clusters.cluster_detail, name="cluster"),
    path("transparency/", transparency.transparency, name="transparency"),
    path("transparency/reports/", transparency.report_index, name="report_index"),
    path("transparency/<id:year>/<id:month>/", transparency.monthly_report, name="monthly_report"),
]
