"""Reads for the dashboards: every figure comes from the summary tables, plus (for a person's own
dashboard) the few journal rows of theirs the rollup has not reached yet, so that what they just did
shows at once."""

from __future__ import annotations

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.cache import cache
from django.db.models import Exists, Q, QuerySet, Subquery, Sum
from django.utils import timezone

from quartier.accounts.models import Activity, Supporter
from quartier.accounts.queries import read_together
from quartier.dashboard import kinds, metrics, periods
from quartier.dashboard.actions import AS_OF_CACHE_KEY, JOURNAL, entries
from quartier.dashboard.models import (
    DEFAULT_LEVELS,
    DEFAULT_WEIGHTS,
    Cursor,
    IndexRules,
    LastActive,
    Period,
    Referral,
    SupporterFigure,
)
from quartier.donations import queries as donations_queries
from quartier.fieldwork import queries as fieldwork_queries
from quartier.lib import areas
from quartier.organizing.queries import events as organizing_events
from quartier.organizing.queries import groups as organizing_groups
from quartier.outreach import queries as outreach_queries
from quartier.social.queries import conversations as social_conversations

# A reversal counts against the action it undoes.
REVERSALS = {
    "organizing.rsvp_cancelled": "organizing.rsvp",
    "donations.refund": "donations.gift",
    "donations.recurring_cancelled": "donations.recurring_started",
}
# A refund takes its money back but not the gift itself (its journal row counts 1, its amount < 0).
AMOUNT_ONLY_REVERSALS = frozenset({"donations.refund"})
MONEY_POINT = 1_000  # minor units of money raised per point-weight (10 dollars or euros)


def kind_name(kind: str) -> str:
    return kinds.name(kind)


def as_of() -> datetime | None:
    """When the rollup last read the journal: the time every organiser figure is as of."""
    return Cursor.objects.filter(name=JOURNAL).values_list("updated_at", flat=True).first()


def as_of_cached() -> datetime | None:
    """`as_of()`, from the cache that each rollup run sets (a query only when the cache lost it)."""
    found = cache.get(AS_OF_CACHE_KEY)
    if found is None:
        found = as_of()
        if found is not None:
            cache.set(AS_OF_CACHE_KEY, found, timeout=None)
    return found


def figures_stamp() -> tuple[int, datetime] | None:
    """(the cursor's position, its time): moved by every rollup, rebuild and erasure."""
    return Cursor.objects.filter(name=JOURNAL).values_list("last_id", "updated_at").first()


def _cursor(snapshot: dict | None = None) -> tuple[int, list[int]]:
    if snapshot is not None:
        found = (snapshot["dashboard_last_id"], snapshot["dashboard_gaps"])
    else:
        found = Cursor.objects.filter(name=JOURNAL).values_list("last_id", "gaps").first()
    if found is None or found[0] is None:
        return 0, []
    return found[0], [int(gap) for gap in found[1] or []]


def _unrolled(query: Q, snapshot: dict | None = None) -> list[metrics.Entry]:
    """Journal rows matching `query` the rollup has not added yet (one indexed query)."""
    last_id, gaps = _cursor(snapshot)
    pending = Q(pk__gt=last_id) | Q(pk__in=gaps) if gaps else Q(pk__gt=last_id)
    return list(entries(Activity.objects.filter(query).filter(pending)))


def personal_figures(
    supporter: Supporter, snapshot: dict | None = None, since: date | None = None
) -> list[tuple[date, str, int, int]]:
    """(day, metric, count, amount) of one supporter, rolled up or not yet (two indexed queries; the
    cursor comes from `snapshot` when given, see `personal_snapshot`).

    With `since`, the rolled-up rows come summed by the database, two per metric: what counts from
    `since` on (dated `since`) and what came before (dated `date.min`), so that `totals_of` gives
    the same totals from a few dozen rows as from a row per day of a busy year."""
    rows: list[tuple[date, str, int, int]] = []
    mine = SupporterFigure.objects.filter(supporter=supporter)
    if since is None:
        rows.extend(mine.values_list("day", "metric", "count", "amount"))
    else:
        recent = Q(day__gte=since)
        summed = mine.values("metric").annotate(
            recent_count=Sum("count", filter=recent), recent_amount=Sum("amount", filter=recent),
            all_count=Sum("count"), all_amount=Sum("amount"),
        ).order_by()  # fmt: skip
        for row in summed.values_list("metric", "recent_count", "recent_amount", "all_count", "all_amount"):
            metric, recent_count, recent_amount, all_count, all_amount = row
            recent_count, recent_amount = recent_count or 0, recent_amount or 0
            rows.append((since, metric, recent_count, recent_amount))
            rows.append((date.min, metric, all_count - recent_count, all_amount - recent_amount))
    for entry in _unrolled(Q(supporter=supporter) | Q(credited_to=supporter), snapshot):
        day = metrics.local_day(entry.occurred_at)
        for person, metric, count, amount in metrics.supporter_metrics(entry):
            if person == supporter.pk:
                rows.append((day, metric, count, amount))
    return rows


def totals_of(rows: list[tuple[date, str, int, int]], since: date | None = None) -> dict[str, list[int]]:
    """metric → [count, amount] of `personal_figures` rows since a day (all of them without one)."""
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for day, metric, count, amount in rows:
        if since is None or day >= since:
            totals[metric][0] += count
            totals[metric][1] += amount
    return totals


def personal_totals(supporter: Supporter, since: date | None = None) -> dict[str, list[int]]:
    return totals_of(personal_figures(supporter), since)


@dataclass
class IndexLine:
    kind: str
    name: str
    count: int
    amount: int
    weight: int
    points: int

    @property
    def is_money(self) -> bool:
        return self.kind in kinds.MONEY_KINDS

    @property
    def words(self) -> str:
        """ "5 gifts", "1 comment" (money lines are shown by the template, in the campaign's currency)."""
        return "" if self.is_money else kinds.count_words(self.kind, self.count)


@dataclass
class ActivityIndex:
    level: int
    points: int
    window_days: int
    since: date
    lines: list[IndexLine]
    next_level_points: int | None
    levels: list[int] = field(default_factory=list)


def index_since(window_days: int, today: date | None = None) -> date:
    """The first day the activity index counts."""
    return (today or timezone.localdate()) - timedelta(days=window_days - 1)


def index_rules(snapshot: dict | None = None) -> tuple[int, dict[str, int], list[int]]:
    """(window in days, weight per journal kind, level thresholds), from `snapshot` when given."""
    if snapshot is not None:
        found = snapshot["dashboard_window_days"], snapshot["dashboard_weights"], snapshot["dashboard_levels"]
        rules = IndexRules(window_days=found[0], weights=found[1], levels=found[2]) if found[0] else None
    else:
        rules = IndexRules.objects.first()
    if rules is None:
        return 90, dict(DEFAULT_WEIGHTS), list(DEFAULT_LEVELS)
    return (
        rules.window_days,
        {**DEFAULT_WEIGHTS, **(rules.weights or {})},
        list(rules.levels or DEFAULT_LEVELS),
    )


def level_for(points: int, levels: list[int]) -> int:
    """1 to 10: one more level for each threshold reached."""
    return 1 + sum(1 for threshold in levels if points >= threshold)


def activity_index_from(totals: dict[str, list[int]], *, window_days: int, weights: dict[str, int],
                        levels: list[int], today: date) -> ActivityIndex:  # fmt: skip
    counted: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for metric, (count, amount) in totals.items():
        prefix = metrics.CREDITED if metric.startswith(metrics.CREDITED) else ""
        own = metric.removeprefix(prefix)
        base = REVERSALS.get(own, own)
        counted[prefix + base][0] += 0 if own in AMOUNT_ONLY_REVERSALS else count
        counted[prefix + base][1] += amount
    lines = []
    for kind, (count, amount) in sorted(counted.items()):
        weight = weights.get(kind, 0)
        if not weight or (count, amount) == (0, 0):
            continue
        is_money = kind in kinds.MONEY_KINDS
        points = max(0, weight * (amount // MONEY_POINT if is_money else count))
        lines.append(IndexLine(kind, kind_name(kind), count, amount, weight, points))
    points = sum(line.points for line in lines)
    level = level_for(points, levels)
    return ActivityIndex(
        level=level,
        points=points,
        window_days=window_days,
        since=today - timedelta(days=window_days - 1),
        lines=sorted(lines, key=lambda line: -line.points),
        next_level_points=levels[level - 1] if level <= len(levels) else None,
        levels=levels,
    )


def activity_index(
    supporter: Supporter, today: date | None = None, figures: list[tuple[date, str, int, int]] | None = None,
    snapshot: dict | None = None,
) -> ActivityIndex:  # fmt: skip
    """The 1-10 index from the last `window_days` only, with every line that counted."""
    today = today or timezone.localdate()
    window_days, weights, levels = index_rules(snapshot)
    since = today - timedelta(days=window_days - 1)
    rows = personal_figures(supporter) if figures is None else figures
    return activity_index_from(
        totals_of(rows, since), window_days=window_days, weights=weights, levels=levels, today=today
    )


def indexes_of(supporter_ids: list[int], today: date | None = None) -> dict[int, int]:
    """supporter id → level, for a leader's or staff member's list of people (two queries)."""
    today = today or timezone.localdate()
    window_days, weights, levels = index_rules()
    since = today - timedelta(days=window_days - 1)
    per_person: dict[int, dict[str, list[int]]] = defaultdict(lambda: defaultdict(lambda: [0, 0]))
    rows = SupporterFigure.objects.filter(supporter_id__in=supporter_ids, day__gte=since)
    for person, metric, count, amount in rows.values_list("supporter_id", "metric", "count", "amount"):
        per_person[person][metric][0] += count
        per_person[person][metric][1] += amount
    return {
        person: activity_index_from(
            per_person.get(person, {}), window_days=window_days, weights=weights, levels=levels, today=today
        ).level
        for person in supporter_ids
    }


def recent_actions(supporter: Supporter, since: date, limit: int = 15) -> list[Activity]:
    """The person's latest journal rows in the window, to show what the index is made of."""
    start = datetime.combine(since, datetime.min.time(), tzinfo=timezone.get_current_timezone())
    rows = Activity.objects.filter(supporter=supporter, occurred_at__gte=start).order_by(
        "-occurred_at", "-pk"
    )
    return list(rows.only("pk", "occurred_at", "kind", "amount", "currency")[:limit])  # what the list shows


@dataclass
class Reach:
    signups: int
    rsvps: int
    joins: int
    gifts: int
    raised: int
    chain_signups: int
    chain_rsvps: int
    chain_gifts: int
    chain_raised: int
    recruits: int


def my_reach(
    supporter: Supporter,
    figures: list[tuple[date, str, int, int]] | None = None,
    snapshot: dict | None = None,
) -> Reach:
    """What others did through my links and pages, and through the people I brought in (one level on;
    no query for someone who brought nobody in, as `snapshot` tells)."""
    mine = totals_of(personal_figures(supporter) if figures is None else figures)
    recruit_ids = []
    if snapshot is None or snapshot["dashboard_recruits"]:
        recruit_ids = list(
            Referral.objects.filter(referrer=supporter).values_list("supporter_id", flat=True)[:5_000]
        )
    recruits = recruit_ids
    chain: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    rows = (
        SupporterFigure.objects.filter(supporter_id__in=recruits, metric__startswith=metrics.CREDITED)
        .values("metric")
        .annotate(count=Sum("count"), amount=Sum("amount"))
    )
    for row in rows:
        chain[row["metric"]] = [row["count"], row["amount"]]

    def net(totals, kind: str, reversal: str = "") -> list[int]:
        first = totals.get(metrics.CREDITED + kind, [0, 0])
        second = totals.get(metrics.CREDITED + reversal, [0, 0]) if reversal else [0, 0]
        return [first[0] + second[0], first[1] + second[1]]

    gifts = net(mine, "donations.gift")
    refunds = mine.get(metrics.CREDITED + "donations.refund", [0, 0])
    chain_gifts = net(chain, "donations.gift")
    chain_refunds = chain.get(metrics.CREDITED + "donations.refund", [0, 0])
    return Reach(
        signups=net(mine, "reach.referral_signup")[0],
        rsvps=net(mine, "organizing.rsvp", "organizing.rsvp_cancelled")[0],
        joins=net(mine, "organizing.group_joined")[0],
        gifts=gifts[0],
        raised=gifts[1] + refunds[1],
        chain_signups=net(chain, "reach.referral_signup")[0],
        chain_rsvps=net(chain, "organizing.rsvp", "organizing.rsvp_cancelled")[0],
        chain_gifts=chain_gifts[0],
        chain_raised=chain_gifts[1] + chain_refunds[1],
        recruits=len(recruit_ids),
    )


# --- other apps' panels -----------------------------------------------------------------------------


@dataclass
class Panel:
    app: str
    template: str
    summary: dict


# Each app's panel: its counts (expressions read together in one query), the read that fills it
# from them, and the template `<app>/_dashboard_panel.html`.
# Plain imports, so that the declared graph of apps (docs/architecture.md) sees these edges.
PANELS = (
    ("donations", donations_queries.dashboard_counters, donations_queries.dashboard_summary),
    ("fieldwork", fieldwork_queries.dashboard_counters, fieldwork_queries.dashboard_summary),
    ("social", social_conversations.dashboard_counters, social_conversations.dashboard_summary),
    ("outreach", outreach_queries.dashboard_counters, outreach_queries.dashboard_summary),
)


def personal_snapshot(supporter: Supporter) -> dict:
    """Every small read of the personal dashboard in one query: the journal cursor, the index rules,
    whether the person brought anyone in, and each panel's counts. The widgets then query only for
    lists that are not empty (a quiet account's dashboard makes a handful of queries in all)."""
    cursor = Cursor.objects.filter(name=JOURNAL)
    rules = IndexRules.objects.order_by("pk")
    expressions = {
        "dashboard_last_id": Subquery(cursor.values("last_id")[:1]),
        "dashboard_gaps": Subquery(cursor.values("gaps")[:1]),
        "dashboard_window_days": Subquery(rules.values("window_days")[:1]),
        "dashboard_weights": Subquery(rules.values("weights")[:1]),
        "dashboard_levels": Subquery(rules.values("levels")[:1]),
        "dashboard_recruits": Exists(Referral.objects.filter(referrer_id=supporter.pk)),
    }
    expressions.update(organizing_events.my_events_counters(supporter))
    expressions.update(organizing_groups.my_groups_counters(supporter))
    for _app, counters_of, _summary_of in PANELS:
        expressions.update(counters_of(supporter))
    return read_together(supporter, expressions)


def other_panels(supporter: Supporter, snapshot: dict | None = None) -> list[Panel]:
    """The panels other apps offer on the personal dashboard (none of them imports the dashboards)."""
    return [
        Panel(app=app, template=f"{app}/_dashboard_panel.html", summary=summary_of(supporter, snapshot) or {})
        for app, _counters_of, summary_of in PANELS
    ]


# --- the organiser dashboard -----------------------------------------------------------------------


@dataclass
class Scope:
    """What an organiser view counts: the whole campaign (optionally one area) or one group."""

    start: date
    end: date
    region: str = metrics.EVERY_REGION  # one key of `metrics.region_keys` (see `region_key_for`)
    group_id: int | None = None

    @property
    def bars(self) -> str:
        """The width of the charts' bars: `day`, `week` or `month` (`periods.resolution`)."""
        return periods.resolution(self.start, self.end)

    @property
    def days(self) -> list[date]:
        """The first day of each bar of the charts."""
        return periods.bars_of(self.start, self.end, self.bars)


def region_key_for(*, country: str = "", prefix: str = "", area: str = "") -> str:
    """The one region row key a filter reads (see `metrics.region_keys`): an area (`CA-QC`), a
    country's postal prefix (`CA:H2X`, up to 3 characters), a country (`FR`), or everyone (`*`)."""
    if area:
        return area
    prefix = prefix.replace(" ", "").upper()[: max(metrics.REGION_LEVELS)]
    if country and prefix:
        return f"{country}:{prefix}"
    return country or metrics.EVERY_REGION


def _in_region(key: str) -> Q:
    """Rows whose journal region (`COUNTRY:PREFIX`) lies in the region of `key`."""
    if key == metrics.EVERY_REGION:
        return Q()
    if ":" in key:
        return Q(region__startswith=key)
    country, _dash, code = key.partition("-")
    if not code:
        return Q(region__startswith=f"{country}:")
    area = Q(pk__in=[])
    for prefix in areas.prefixes_of(key):
        area |= Q(region__startswith=f"{country}:{prefix}")
    return area


def _rows(scope: Scope, bars: str = Period.MONTH) -> list[QuerySet]:
    """The summary rows that cover the scope's days (daily, weekly, monthly: `periods.rows_over`)."""
    querysets = periods.rows_over(scope.start, scope.end, group_id=scope.group_id, bars=bars)
    return (
        querysets if scope.group_id is not None else [rows.filter(region=scope.region) for rows in querysets]
    )


def figures(scope: Scope, metric_names: list[str]) -> dict[str, dict[date, list[int]]]:
    """metric → first day of each bar (`scope.bars`) → [count, amount] over the scope (one query)."""
    rows = [rows.filter(metric__in=metric_names) for rows in _rows(scope, scope.bars)]
    found: dict[str, dict[date, list[int]]] = {name: {} for name in metric_names}
    for (metric, day), (count, amount) in periods.summed(rows, ("metric", "day")).items():
        total = found[metric].setdefault(periods.bar_of(day, scope.start, scope.bars), [0, 0])
        total[0] += count
        total[1] += amount
    return found


def answers(scope: Scope) -> list[tuple[str, str, int]]:
    """(question, answer, count) of survey answers over the scope, most frequent first."""
    rows = [rows.filter(metric="fieldwork.answer") for rows in _rows(scope)]
    found = []
    for (label,), (count, _amount) in periods.summed(rows, ("label",)).items():
        question, _separator, answer = label.partition(metrics.ANSWER_SEPARATOR)
        found.append((question, answer, count))
    return sorted(found, key=lambda item: (item[0], -item[2], item[1]))


def _counted_once_per_rollup(name: str, scope: Scope, compute, *parts: object, stamp: object = None) -> int:
    """A count that reads many summary rows (distinct people or groups over a window), kept in the
    cache until the figures change: the key holds the cursor's position and time, which every
    rollup, rebuild and erasure moves, so a cached count is never older than the figures beside it."""
    stamp = stamp or figures_stamp()
    described = repr((name, stamp, scope.region, scope.group_id, scope.start, scope.end, *parts))
    key = "dashboard:" + hashlib.sha256(described.encode()).hexdigest()
    return cache.get_or_set(key, compute, timeout=COUNT_CACHE_SECONDS)


COUNT_CACHE_SECONDS = 600


def active_supporters(scope: Scope, today: date | None = None, stamp: object = None) -> int | None:
    """People who did anything in the last 30 days (campaign or area scope; None for a group)."""
    if scope.group_id is not None:
        return None
    today = today or timezone.localdate()
    rows = LastActive.objects.filter(day__gt=today - timedelta(days=30))
    rows = rows.filter(_in_region(scope.region))
    return _counted_once_per_rollup("active", scope, rows.count, today, stamp=stamp)


def active_groups(scope: Scope, stamp: object = None) -> int:
    def count() -> int:
        rows = [
            rows.filter(metric=metrics.EVERY_ACTION).values("group_id").order_by()
            for rows in periods.rows_over(scope.start, scope.end, group_id=scope.group_id, groups=True)
        ]
        return len(set(rows[0].union(*rows[1:]).values_list("group_id", flat=True))) if rows else 0

    return _counted_once_per_rollup("groups", scope, count, stamp=stamp)


def activity_by_region(scope: Scope) -> list[tuple[str, int]]:
    """(`COUNTRY:PREFIX` of 3 characters, actions) over the scope, busiest first, for the map."""
    if scope.group_id is not None:
        return []
    rows = [
        rows.filter(metric=metrics.EVERY_ACTION, region__regex=r"^[A-Z]{2}:[A-Z0-9]{3}$").filter(
            _in_region(scope.region)
        )
        for rows in periods.rows_over(scope.start, scope.end, group_id=None)
    ]
    found = sorted(
        ((region, count) for (region,), (count, _amount) in periods.summed(rows, ("region",)).items()),
        key=lambda item: (-item[1], item[0]),
    )
    return found[:300]
