"""URLs of the integrity app."""

from __future__ import annotations

from django.urls import path

from quartier.integrity.views import clusters

app_name = "integrity"
urlpatterns: list = [
    path("integrity/clusters/", clusters.cluster_list, name="clusters"),
    path("integrity/clusters/<id:cluster_id>/", clusters.cluster_detail, name="cluster"),
]
