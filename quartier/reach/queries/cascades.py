"""Reads of the cascades: the forest as arrays for the metrics job, the stored snapshot for the page,
the live counters of the largest cascades, and one supporter's own tree ("my reach")."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import numpy as np
from django.db import connection
from django.db.models import Count, Max, Q, Subquery

from quartier.accounts import queries as accounts_queries
from quartier.accounts.models import Supporter
from quartier.reach.models import CascadeNode, CascadeSnapshot, Conversion

SCOPE = "campaign"
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_COPY_HEADER = 19  # PGCOPY signature (11), flags (4), header extension length (4)


@dataclass(frozen=True)
class ForestArrays:
    node_ids: np.ndarray  # database ids, ascending
    parent: np.ndarray  # index into node_ids, -1 for a root
    joined_day: np.ndarray  # days since 1970-01-01 (UTC)
    credited: np.ndarray  # conversions credited to each node


def _columns_from_copy(payload: bytes) -> np.ndarray:
    """The rows of a binary COPY of four non-null bigint columns, as an (n, 4) int64 array."""
    row = np.dtype(
        [("fields", ">i2")]
        + [(name, x) for i in range(4) for name, x in ((f"l{i}", ">i4"), (f"v{i}", ">i8"))]
    )
    body = payload[_COPY_HEADER : len(payload) - 2]  # the trailer is a field count of -1
    rows = np.frombuffer(body, dtype=row)
    return np.stack([rows[f"v{i}"].astype(np.int64) for i in range(4)], axis=1)


def load_forest() -> ForestArrays:
    """Every node as arrays. PostgreSQL streams them with a binary COPY read by numpy (no Python object
    per row); other databases read them through the ORM (the demo's SQLite, tests)."""
    table = CascadeNode._meta.db_table
    if connection.vendor == "postgresql":
        sql = (
            f"COPY (SELECT id, COALESCE(parent_id, 0), FLOOR(EXTRACT(EPOCH FROM joined_at) / 86400)::bigint, "  # noqa: S608
            f"direct_conversions::bigint FROM {table} ORDER BY id) TO STDOUT (FORMAT BINARY)"
        )
        with connection.cursor() as cursor:
            chunks = []
            with cursor.cursor.copy(sql) as copy:
                for chunk in copy:
                    chunks.append(bytes(chunk))
        columns = _columns_from_copy(b"".join(chunks)) if chunks else np.zeros((0, 4), np.int64)
    else:
        rows = CascadeNode.objects.order_by("pk").values_list(
            "pk", "parent_id", "joined_at", "direct_conversions"
        )
        columns = np.array(
            [
                (pk, parent or 0, (joined - EPOCH).days, credited)
                for pk, parent, joined, credited in rows.iterator()
            ],
            dtype=np.int64,
        ).reshape(-1, 4)
    node_ids = columns[:, 0]
    parent_ids = columns[:, 1]
    parent = np.where(parent_ids > 0, np.searchsorted(node_ids, parent_ids), -1).astype(np.int64)
    return ForestArrays(node_ids=node_ids, parent=parent, joined_day=columns[:, 2], credited=columns[:, 3])


def snapshot(scope: str = SCOPE) -> CascadeSnapshot | None:
    return CascadeSnapshot.objects.filter(scope=scope).first()


def day_of(index_day: int) -> date:
    return (EPOCH + timedelta(days=index_day)).date()


@dataclass(frozen=True)
class Totals:
    people: int
    cascades: int
    conversions: int
    deepest: int


def live_totals() -> Totals:
    """Counted from the counters `record_conversion` keeps: up to the last conversion (two queries)."""
    nodes = CascadeNode.objects.aggregate(
        people=Count("pk"),
        cascades=Count("pk", filter=Q(parent__isnull=True)),
        deepest=Max("deepest_generation"),
    )
    return Totals(
        people=nodes["people"], cascades=nodes["cascades"], conversions=Conversion.objects.count(),
        deepest=nodes["deepest"] or 0,
    )  # fmt: skip


def nodes_with_people(node_ids: list[int]) -> dict[int, CascadeNode]:
    return {
        node.pk: node
        for node in CascadeNode.objects.filter(pk__in=node_ids).select_related("supporter", "campaign_code")
    }


@dataclass(frozen=True)
class MyCascade:
    """One supporter's place in word of mouth, for their dashboard."""

    people_in_my_tree: int  # everyone brought in through me, and through them, and on
    brought_directly: int
    generations_below: int
    conversions_through_me: int
    conversions_downstream: int
    generation: int

    @property
    def is_empty(self) -> bool:
        return self.people_in_my_tree == 0 and self.conversions_downstream == 0


MY_FIELDS = (
    "subtree_size",
    "deepest_generation",
    "generation",
    "direct_conversions",
    "downstream_conversions",
)


def dashboard_counters(supporter: Supporter) -> dict:
    """The supporter's tree as expressions the dashboard reads with its other counts in one query."""
    mine = CascadeNode.objects.filter(supporter_id=supporter.pk)
    counters = {f"reach_{name}": Subquery(mine.values(name)[:1]) for name in MY_FIELDS}
    brought = (
        CascadeNode.objects.filter(parent__supporter_id=supporter.pk)
        .values("parent_id")
        .annotate(total=Count("pk"))
        .values("total")
    )
    counters["reach_brought_directly"] = Subquery(brought[:1])
    return counters


def dashboard_summary(supporter: Supporter, counters: dict | None = None) -> dict:
    """{"cascade": MyCascade}, with no query of its own when given `counters` (one otherwise)."""
    return {"cascade": my_cascade(supporter, counters)}


def my_cascade(supporter: Supporter, counters: dict | None = None) -> MyCascade:
    """The supporter's place in word of mouth, from `dashboard_counters` (read here when not given)."""
    if counters is None:
        counters = accounts_queries.read_together(supporter, dashboard_counters(supporter))
    if counters.get("reach_subtree_size") is None:
        return MyCascade(0, 0, 0, 0, 0, 0)
    return MyCascade(
        people_in_my_tree=counters["reach_subtree_size"] - 1,
        brought_directly=counters["reach_brought_directly"] or 0,
        generations_below=counters["reach_deepest_generation"] - counters["reach_generation"],
        conversions_through_me=counters["reach_direct_conversions"],
        conversions_downstream=counters["reach_downstream_conversions"],
        generation=counters["reach_generation"],
    )
