"""Reads of integrity for other parts of the site (the monthly transparency report, the queue)."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count
from django.utils import timezone

from quartier.integrity.models import Cluster


def month_bounds(year: int, month: int) -> tuple[dt.datetime, dt.datetime]:
    """The first instant of the month and of the next one, in the site's time zone."""
    tz = timezone.get_current_timezone()
    start = dt.datetime(year, month, 1, tzinfo=tz)
    end = dt.datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=tz)
    return start, end


def cluster_counts_by_month(year: int, month: int) -> dict[str, int]:
    """How many clusters the detectors found in a month, per kind (every kind present, 0 if none)."""
    start, end = month_bounds(year, month)
    counts = dict.fromkeys(Cluster.Kind.values, 0)
    rows = (
        Cluster.objects.filter(created_at__gte=start, created_at__lt=end)
        .values("kind")
        .annotate(n=Count("id"))
        .order_by()
    )
    for row in rows:
        counts[row["kind"]] = row["n"]
    return counts
