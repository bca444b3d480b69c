"""Permission-checked loaders of integrity: clusters are for active staff only (anyone else: 404)."""

from __future__ import annotations

from django.http import Http404

from quartier.accounts.access import require_staff
from quartier.integrity.models import Cluster


def get_cluster_for_staff(viewer: object, cluster_id: int) -> Cluster:
    require_staff(viewer)
    cluster = Cluster.objects.select_related("decided_by").filter(pk=cluster_id).first()
    if cluster is None:
        raise Http404
    return cluster
