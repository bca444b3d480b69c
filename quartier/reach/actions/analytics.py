"""The periodic recompute of every cascade metric into the stored snapshot the organisers' page reads."""

from __future__ import annotations

import time

from django.utils import timezone

from quartier.reach import cascades
from quartier.reach.models import CascadeSnapshot
from quartier.reach.queries import cascades as cascade_queries


def recompute_cascades(scope: str = cascade_queries.SCOPE) -> CascadeSnapshot:
    """Read the forest as arrays, compute every metric with numpy, store them (one row per scope).

    The live counters (`CascadeNode.subtree_size`, `downstream_conversions`…) follow each conversion
    as it comes; this job recomputes what needs the whole forest (growth, K, virality)."""
    started = time.perf_counter()
    arrays = cascade_queries.load_forest()
    metrics = cascades.summarise(arrays.parent, arrays.joined_day, arrays.credited, node_ids=arrays.node_ids)
    seconds = time.perf_counter() - started
    snapshot, _created = CascadeSnapshot.objects.update_or_create(
        scope=scope, defaults={"metrics": metrics, "computed_at": timezone.now(), "seconds": seconds}
    )
    return snapshot
