"""Writes to the summary tables: the incremental rollup, the full rebuild, and erasure.

Only these functions write the tables, and each holds the `Cursor` row lock while it does, so that
they never run at the same time (a second worker waits for the first; figures are read-modify-
written under that lock and never double-counted).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db import connection, transaction
from django.utils import timezone

from quartier.accounts.models import Activity, Supporter
from quartier.dashboard import metrics
from quartier.dashboard.metrics import Entry
from quartier.dashboard.models import (
    Cursor,
    GroupFigure,
    GroupPeriodFigure,
    LastActive,
    Period,
    Referral,
    RegionFigure,
    RegionPeriodFigure,
    SupporterFigure,
)
from quartier.lib.page_cache import bump

JOURNAL = "journal"
# The page-cache stamp of every figure the dashboards show: bumped (on commit) whenever a rollup, a
# rebuild or an erasure changes the summary tables; the organiser dashboard's cached HTML depends on it.
FIGURES_STAMP = "dashboard:figures"
AS_OF_CACHE_KEY = "dashboard:as-of"  # when the rollup last read the journal (`queries.as_of_cached`)
BATCH = 5_000
# How long an id skipped by the cursor is looked for again: longer than any transaction that writes
# the journal. An id still missing after that was rolled back.
GAP_PATIENCE = timedelta(minutes=15)
MAX_GAPS = 20_000
# The last ids a rebuild checks for rows still in flight (a transaction open while it read).
REBUILD_GAP_WINDOW = 1_000

Key = tuple
Sums = dict[Key, list[int]]


class Deltas:
    """What a set of journal rows adds to each table, summed before anything is written."""

    def __init__(self) -> None:
        self.regions: Sums = defaultdict(lambda: [0, 0])
        self.groups: Sums = defaultdict(lambda: [0, 0])
        self.supporters: Sums = defaultdict(lambda: [0, 0])
        self.last_active: dict[int, tuple[date, int, str]] = {}
        self.referrals: dict[int, int] = {}

    def add(self, entry: Entry, sign: int = 1) -> None:
        day = metrics.local_day(entry.occurred_at)
        for metric, label, count, amount in metrics.campaign_metrics(entry):
            for region in metrics.region_keys(entry.region):
                sums = self.regions[(region, metric, day, label)]
                sums[0] += sign * count
                sums[1] += sign * amount
            if entry.group_id is not None:
                sums = self.groups[(entry.group_id, metric, day, label)]
                sums[0] += sign * count
                sums[1] += sign * amount
        for supporter_id, metric, count, amount in metrics.supporter_metrics(entry):
            sums = self.supporters[(supporter_id, day, metric)]
            sums[0] += sign * count
            sums[1] += sign * amount
        if sign > 0 and metrics.counts_as_active(entry):
            latest = (day, entry.id, entry.region)
            current = self.last_active.get(entry.supporter_id)
            if current is None or latest[:2] > current[:2]:
                self.last_active[entry.supporter_id] = latest
        if (
            sign > 0
            and entry.kind == "reach.referral_signup"
            and entry.supporter_id is not None
            and entry.credited_to_id is not None
        ):
            self.referrals[entry.supporter_id] = entry.credited_to_id


def entries(queryset, *, chunk_size: int = 0) -> Iterable[Entry]:
    rows = queryset.values_list(*metrics.FIELDS)
    for values in rows.iterator(chunk_size=chunk_size) if chunk_size else rows:
        yield Entry(*values)


def _write_sums(model, key_fields: tuple[str, str, str, str] | tuple[str, str, str], sums: Sums) -> None:
    """Add `sums` to the rows of `model` (creating those missing). Call with the cursor locked."""
    sums = {key: value for key, value in sums.items() if value != [0, 0]}
    if not sums:
        return
    keys = list(sums)
    found: dict[Key, object] = {}
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        lookup = {f"{field}__in": {key[index] for key in chunk} for index, field in enumerate(key_fields)}
        for row in model.objects.filter(**lookup):
            key = tuple(getattr(row, field) for field in key_fields)
            if key in sums:
                found[key] = row
    changed, created = [], []
    for key, (count, amount) in sums.items():
        row = found.get(key)
        if row is None:
            created.append(model(**dict(zip(key_fields, key, strict=True)), count=count, amount=amount))
        else:
            row.count += count
            row.amount += amount
            changed.append(row)
    model.objects.bulk_update(changed, ["count", "amount"], batch_size=500)
    model.objects.bulk_create(created, batch_size=500)


REGION_KEY = ("region", "metric", "day", "label")
GROUP_KEY = ("group_id", "metric", "day", "label")
SUPPORTER_KEY = ("supporter_id", "day", "metric")
REGION_PERIOD_KEY = ("region", "metric", "period", "start", "label")
GROUP_PERIOD_KEY = ("group_id", "metric", "period", "start", "label")


def period_start(day: date, period: str) -> date:
    """The first day of the week (Monday) or the calendar month that holds `day`."""
    return day - timedelta(days=day.weekday()) if period == Period.WEEK else day.replace(day=1)


def by_period(sums: Sums) -> Sums:
    """Daily sums keyed (owner, metric, day, label) added up by week and by month: keyed (owner, metric,
    period, first day, label) as `RegionPeriodFigure` and `GroupPeriodFigure` are."""
    coarse: Sums = defaultdict(lambda: [0, 0])
    for (owner, metric, day, label), (count, amount) in sums.items():
        for period in (Period.WEEK, Period.MONTH):
            total = coarse[(owner, metric, str(period), period_start(day, period), label)]
            total[0] += count
            total[1] += amount
    return coarse


def _write_regions(regions: Sums) -> None:
    _write_sums(RegionFigure, REGION_KEY, regions)
    _write_sums(RegionPeriodFigure, REGION_PERIOD_KEY, by_period(regions))


def _write(deltas: Deltas) -> None:
    _write_regions(deltas.regions)
    _write_sums(GroupFigure, GROUP_KEY, deltas.groups)
    _write_sums(GroupPeriodFigure, GROUP_PERIOD_KEY, by_period(deltas.groups))
    _write_sums(SupporterFigure, SUPPORTER_KEY, deltas.supporters)
    if deltas.last_active:
        existing = {
            row.supporter_id: row for row in LastActive.objects.filter(supporter_id__in=deltas.last_active)
        }
        changed, created = [], []
        for supporter_id, (day, activity_id, region) in deltas.last_active.items():
            row = existing.get(supporter_id)
            if row is None:
                created.append(
                    LastActive(supporter_id=supporter_id, day=day, activity_id=activity_id, region=region)
                )
            elif (day, activity_id) > (row.day, row.activity_id):
                row.day, row.activity_id, row.region = day, activity_id, region
                changed.append(row)
        LastActive.objects.bulk_update(changed, ["day", "activity_id", "region"], batch_size=500)
        LastActive.objects.bulk_create(created, batch_size=500)
    if deltas.referrals:
        Referral.objects.bulk_create(
            [
                Referral(supporter_id=person, referrer_id=referrer)
                for person, referrer in deltas.referrals.items()
            ],
            ignore_conflicts=True,
        )


def _locked_cursor() -> Cursor:
    Cursor.objects.get_or_create(name=JOURNAL)
    return Cursor.objects.select_for_update().get(name=JOURNAL)


@transaction.atomic
def roll_up_batch(*, batch: int = BATCH, now: datetime | None = None) -> int:
    """Add the next journal rows (and any late rows that filled a gap) to the figures; return how many."""
    now = now or timezone.now()
    cursor = _locked_cursor()
    gap_ids = [int(gap) for gap in cursor.gaps]
    late = list(entries(Activity.objects.filter(pk__in=gap_ids).order_by("pk"))) if gap_ids else []
    fresh = list(entries(Activity.objects.filter(pk__gt=cursor.last_id).order_by("pk")[:batch]))
    deltas = Deltas()
    for entry in late + fresh:
        deltas.add(entry)
    _write(deltas)
    gaps = {gap: seen for gap, seen in cursor.gaps.items() if int(gap) not in {entry.id for entry in late}}
    if fresh:
        seen_ids = {entry.id for entry in fresh}
        stamp = now.isoformat()
        # On the first run, ids below the first row are no gap: they were never the journal's.
        first = cursor.last_id + 1 if cursor.last_id else fresh[0].id
        for missing in range(first, fresh[-1].id):
            if missing not in seen_ids:
                gaps[str(missing)] = stamp
        cursor.last_id = fresh[-1].id
    oldest = now - GAP_PATIENCE
    gaps = {gap: seen for gap, seen in gaps.items() if datetime.fromisoformat(seen) > oldest}
    if len(gaps) > MAX_GAPS:
        gaps = dict(sorted(gaps.items(), key=lambda item: int(item[0]))[-MAX_GAPS:])
    cursor.gaps = gaps
    cursor.updated_at = now
    cursor.save(update_fields=["last_id", "gaps", "updated_at"])
    transaction.on_commit(lambda: cache.set(AS_OF_CACHE_KEY, now, timeout=None))  # "figures as of"
    if late or fresh:
        bump(FIGURES_STAMP)
    return len(late) + len(fresh)


def roll_up(*, batch: int = BATCH, now: datetime | None = None) -> int:
    """Consume every new journal row, a batch per transaction; return how many were added."""
    total = 0
    while True:
        done = roll_up_batch(batch=batch, now=now)
        total += done
        if done < batch:
            return total


# Staging tables of a rebuild: what each range of the journal adds, summed by the database at the end.
STAGING = {
    "rebuild_region": "region varchar(10), metric varchar(48), day date, label varchar(200), count bigint, amount bigint",
    "rebuild_group": "group_id bigint, metric varchar(48), day date, label varchar(200), count bigint, amount bigint",
    "rebuild_supporter": "supporter_id bigint, day date, metric varchar(48), count bigint, amount bigint",
    "rebuild_last_active": "supporter_id bigint, day date, activity_id bigint, region varchar(10)",
    "rebuild_referral": "supporter_id bigint, referrer_id bigint, position bigint",
}  # fmt: skip
# Journal rows summed in memory at a time by a rebuild: its memory does not grow with the journal.
REBUILD_RANGE = 200_000


def _stage(table: str, rows: Iterable[tuple]) -> None:
    """Append rows to a staging table: PostgreSQL's COPY (millions at bench scale), else executemany."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.copy(f"COPY {table} FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        rows = list(rows)
        if rows:
            marks = ", ".join(["%s"] * len(rows[0]))
            cursor.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608 (our staging tables)


def _stage_deltas(deltas: Deltas, position: int) -> None:
    for table, sums in (
        ("rebuild_region", deltas.regions),
        ("rebuild_group", deltas.groups),
    ):
        _stage(table, ((*key[:2], key[2].isoformat(), key[3], *value) for key, value in sums.items()))
    _stage(
        "rebuild_supporter",
        (
            (person, day.isoformat(), metric, *value)
            for (person, day, metric), value in deltas.supporters.items()
        ),
    )
    _stage(
        "rebuild_last_active",
        ((person, day.isoformat(), activity, region) for person, (day, activity, region) in deltas.last_active.items()),
    )  # fmt: skip
    _stage(
        "rebuild_referral", ((person, referrer, position) for person, referrer in deltas.referrals.items())
    )


SUMMED = """
INSERT INTO {target} ({keys}, count, amount)
SELECT {keys}, SUM(count), SUM(amount) FROM {staging} GROUP BY {keys}
HAVING SUM(count) <> 0 OR SUM(amount) <> 0
"""
LATEST = """
INSERT INTO {target} ({columns})
SELECT {columns} FROM (
    SELECT {columns}, ROW_NUMBER() OVER (PARTITION BY supporter_id ORDER BY {order}) AS rank FROM {staging}
) AS ranked WHERE rank = 1
"""

# The week's and the month's sums of the daily rows, as `by_period` adds them up (`period_start`).
BY_PERIOD = """
INSERT INTO {target} ({owner}, metric, period, start, label, count, amount)
SELECT {owner}, metric, %s, {start}, label, SUM(count), SUM(amount) FROM {source}
GROUP BY {owner}, metric, {start}, label HAVING SUM(count) <> 0 OR SUM(amount) <> 0
"""
PERIOD_START = {
    True: {Period.WEEK: "CAST(date_trunc('week', CAST(day AS timestamp)) AS date)", Period.MONTH: "CAST(date_trunc('month', CAST(day AS timestamp)) AS date)"},
    False: {Period.WEEK: "date(day, 'weekday 0', '-6 days')", Period.MONTH: "date(day, 'start of month')"},
}  # fmt: skip


@transaction.atomic
def rebuild(*, now: datetime | None = None, range_size: int = REBUILD_RANGE) -> int:
    """Recount every figure from the whole journal (under the cursor lock); return the rows read.

    It reads the journal by id range (`range_size` rows at a time), sums each range in memory,
    independently of the incremental path's read-modify-writes, and appends the sums to staging
    tables; the database then adds them up into the summary tables, replaced whole. Memory stays
    bounded by one range whatever the journal's size. Ids missing from the last stretch of the journal
    become gaps, looked for by the next `roll_up` in case their transaction commits after this one read.
    """
    now = now or timezone.now()
    cursor = _locked_cursor()
    last = Activity.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    read = 0
    recent: set[int] = set()
    with connection.cursor() as db:
        for table, columns in STAGING.items():
            db.execute(f"DROP TABLE IF EXISTS {table}")
            db.execute(f"CREATE TEMPORARY TABLE {table} ({columns})")
    low = 0
    while low < last:
        high = min(low + range_size, last)
        deltas = Deltas()
        for entry in entries(
            Activity.objects.filter(pk__gt=low, pk__lte=high).order_by("pk"), chunk_size=5_000
        ):
            deltas.add(entry)
            read += 1
            if entry.id > last - REBUILD_GAP_WINDOW:
                recent.add(entry.id)
        _stage_deltas(deltas, position=high)
        low = high
    for model in (RegionFigure, GroupFigure, RegionPeriodFigure, GroupPeriodFigure, SupporterFigure, LastActive,
                  Referral):  # fmt: skip
        model.objects.all().delete()
    with connection.cursor() as db:
        for model, keys, staging in (
            (RegionFigure, "region, metric, day, label", "rebuild_region"),
            (GroupFigure, "group_id, metric, day, label", "rebuild_group"),
            (SupporterFigure, "supporter_id, day, metric", "rebuild_supporter"),
        ):
            db.execute(SUMMED.format(target=model._meta.db_table, keys=keys, staging=staging))
        db.execute(
            LATEST.format(
                target=LastActive._meta.db_table, columns="supporter_id, day, activity_id, region",
                order="day DESC, activity_id DESC", staging="rebuild_last_active",
            )
        )  # fmt: skip
        db.execute(
            LATEST.format(
                target=Referral._meta.db_table, columns="supporter_id, referrer_id",
                order="position DESC", staging="rebuild_referral",
            )
        )  # fmt: skip
        for table in STAGING:
            db.execute(f"DROP TABLE {table}")
        for daily, coarse, owner in (
            (RegionFigure, RegionPeriodFigure, "region"),
            (GroupFigure, GroupPeriodFigure, "group_id"),
        ):
            for period in Period:
                db.execute(
                    BY_PERIOD.format(
                        target=coarse._meta.db_table, source=daily._meta.db_table, owner=owner,
                        start=PERIOD_START[connection.vendor == "postgresql"][period],
                    ),
                    [str(period)],
                )  # fmt: skip
    bump(FIGURES_STAMP)
    stamp = now.isoformat()
    cursor.last_id = last
    first = min(recent, default=last + 1)
    cursor.gaps = {str(pk): stamp for pk in range(first, last + 1) if pk not in recent}
    cursor.updated_at = now
    cursor.save(update_fields=["last_id", "gaps", "updated_at"])
    return read


@transaction.atomic
def forget_supporter(supporter: Supporter) -> None:
    """Erasure: drop the person's own figures, and move what they did out of their region's figures.

    Runs before the journal forgets the person (see `privacy.py`): each row already rolled up is
    taken out of its postal-prefix rows and put back with no region, as a recount of the anonymous
    journal would count it; the campaign's totals do not change.
    """
    cursor = _locked_cursor()
    rolled = Activity.objects.filter(supporter=supporter, pk__lte=cursor.last_id).exclude(region="")
    gap_ids = [int(gap) for gap in cursor.gaps]
    deltas = Deltas()
    for entry in entries(rolled.exclude(pk__in=gap_ids)):
        deltas.add(entry, sign=-1)
        deltas.add(Entry(**{**entry.__dict__, "region": ""}))
    deltas.supporters.clear()
    deltas.last_active.clear()
    deltas.referrals.clear()
    _write_regions(deltas.regions)
    for model in (SupporterFigure, LastActive):
        model.objects.filter(supporter=supporter).delete()
    Referral.objects.filter(supporter=supporter).delete()
    Referral.objects.filter(referrer=supporter).delete()
    cursor.updated_at = timezone.now()  # the figures changed: counts cached beside them are stale
    cursor.save(update_fields=["updated_at"])
    bump(FIGURES_STAMP)
