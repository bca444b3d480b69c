"""Accounts at scale: loading the campaign, then the profile page (`/people/<handle>/`).

The profile page is where every shared link and every name in a list leads, so it is measured for
anonymous visitors and for signed-in supporters: latency percentiles through Django's test client
(in-process: URL routing, middleware, view, queries, template; no HTTP server) and SQL queries per
request.
"""

from __future__ import annotations

import contextlib
import os
import platform
import random
import sqlite3
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import django
from django.core.management import call_command
from django.db import DatabaseError, connection
from django.db.models import Max, Min
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from quartier.accounts.models import Supporter
from quartier.demo.generator import GenerationReport, generate_campaign

WARM_UP_REQUESTS = 10


@dataclass
class PageTimings:
    viewer: str
    milliseconds: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)

    def percentile(self, rank: int) -> float:
        return statistics.quantiles(self.milliseconds, n=100, method="inclusive")[rank - 1]

    @property
    def queries_per_request(self) -> str:
        low, high = min(self.queries), max(self.queries)
        return str(low) if low == high else f"{low}–{high} (median {statistics.median(self.queries):g})"


class QueryCounter:
    """A database execute wrapper that counts statements (lighter than capturing their SQL)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def machine_description() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = ""
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = f", {int(line.split()[1]) / 1024 / 1024:.1f} GiB RAM"
                break
    except OSError:
        pass
    return f"{cpu}, {os.cpu_count()} cores{memory}"


def database_description() -> str:
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        path = Path(settings_dict["NAME"])
        files = [path, path.with_name(f"{path.name}-wal")]  # WAL mode: recent pages live in the -wal file
        size = sum(file.stat().st_size for file in files if file.exists()) / 1024**3
        return f"SQLite {sqlite3.sqlite_version} ({path}, {size:.2f} GiB)"
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            version = cursor.fetchone()[0]
            cursor.execute("SELECT pg_database_size(current_database())")
            size = cursor.fetchone()[0] / 1024**3
        host = settings_dict.get("HOST") or "local socket"
        return f"PostgreSQL {version} ({settings_dict['NAME']} on {host}, {size:.2f} GiB)"
    return connection.vendor


def sample_handles(count: int, rng: random.Random) -> list[str]:
    """Handles of `count` random supporters whose profile is public (verified, active, not staff)."""
    bounds = Supporter.objects.aggregate(low=Min("id"), high=Max("id"))
    if bounds["low"] is None:
        return []
    handles: dict[str, None] = {}
    for _attempt in range(50):
        ids = {rng.randint(bounds["low"], bounds["high"]) for _draw in range(count * 2)}
        found = Supporter.objects.filter(
            pk__in=ids,
            email_verified_at__isnull=False,
            is_active=True,
            deleted_at__isnull=True,
            is_staff=False,
        ).values_list("handle", flat=True)
        handles.update(dict.fromkeys(found))
        if len(handles) >= count:
            break
    chosen = list(handles)[:count]
    rng.shuffle(chosen)
    return chosen


def time_requests(
    timings: PageTimings,
    urls: list[str],
    viewer: Supporter | None,
    after: Callable[[str, HttpResponse], None] | None = None,
) -> PageTimings:
    """Fetch `urls` with Django's test client (as `viewer`), recording time, queries and status of each.

    The first WARM_UP_REQUESTS urls compile templates, open the connection and fill caches, uncounted.
    """
    client = Client()
    if viewer is not None:
        client.force_login(viewer)
    for url in urls[:WARM_UP_REQUESTS]:
        client.get(url)
    for url in urls[WARM_UP_REQUESTS:]:
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            started = time.perf_counter()
            response = client.get(url)
            elapsed = time.perf_counter() - started
        timings.milliseconds.append(elapsed * 1000)
        timings.queries.append(counter.count)
        timings.statuses[response.status_code] += 1
        if after is not None:
            after(url, response)
    return timings


def measure_profile_page(viewer_name: str, handles: list[str], viewer: Supporter | None) -> PageTimings:
    urls = [reverse("accounts:profile", args=[handle]) for handle in handles]
    return time_requests(PageTimings(viewer_name), urls, viewer)


def print_load(report: GenerationReport) -> None:
    supporters_rate = f"{report.supporters_per_second:,.0f} supporters/s, " if report.supporters else ""
    print(
        f"load: {report.supporters:,} supporters, {report.groups:,} groups, {report.events:,} events; "
        f"{report.rows:,} rows in {report.seconds:,.1f} s: {supporters_rate}{report.rows_per_second:,.0f} rows/s"
    )
    counts = (
        f"memberships {report.memberships:,}, shifts {report.shifts:,}, RSVPs {report.rsvps:,}"
        if report.groups or report.events
        else ""
    )
    parts = ", ".join(f"{name} {seconds:,.1f} s" for name, seconds in report.step_seconds.items())
    print(f"      ({parts})" + (f"\n      ({counts})" if counts else ""))


def print_pages(results: list[PageTimings]) -> None:
    print()
    print(
        "| profile page `/people/<handle>/` | requests | p50 ms | p95 ms | p99 ms | mean ms | queries/request |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for result in results:
        print(
            f"| {result.viewer} | {len(result.milliseconds)} | {result.percentile(50):.1f} | "
            f"{result.percentile(95):.1f} | {result.percentile(99):.1f} | "
            f"{statistics.fmean(result.milliseconds):.1f} | {result.queries_per_request} |"
        )


def print_header() -> None:
    print("Quartier benchmark")
    print(f"date:     {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine:  {machine_description()}")
    print(f"software: Python {platform.python_version()}, Django {django.get_version()}")


def load(*, supporters: int, groups: int, events: int, batch_size: int, seed: int) -> GenerationReport | None:
    """Bring the database up to `supporters`, `groups` and `events` (adds only what is missing)."""
    from quartier.organizing.models import Event, Group

    call_command("migrate", interactive=False, verbosity=0)
    print(f"database: {database_description()}")
    existing = (Supporter.objects.count(), Group.objects.count(), Event.objects.count())
    wanted = (supporters, groups, events)
    missing = [max(0, want - have) for want, have in zip(wanted, existing, strict=True)]
    held = f"{existing[0]:,} supporters, {existing[1]:,} groups, {existing[2]:,} events"
    asked = f"{supporters:,}, {groups:,} and {events:,}"
    if not any(missing):
        print(f"load: skipped, the database already holds {held} (asked for {asked})")
        return None
    print(f"load: the database holds {held}; adding {missing[0]:,}, {missing[1]:,} and {missing[2]:,}")
    report = generate_campaign(
        supporters=missing[0], groups=missing[1], events=missing[2], seed=seed, batch_size=batch_size,
        progress=print,
    )  # fmt: skip
    print_load(report)
    if connection.vendor == "postgresql":
        # What an operator does after a bulk load: otherwise autovacuum competes with the measurement.
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("VACUUM (ANALYZE)")
            # Write the dirty pages out now rather than during the measurement (needs a superuser or
            # the pg_checkpoint role; without it the measurement may overlap the checkpoint).
            with contextlib.suppress(DatabaseError):
                cursor.execute("CHECKPOINT")
        print(f"vacuum: VACUUM (ANALYZE) and CHECKPOINT took {time.perf_counter() - started:,.1f} s")
    print(f"database: {database_description()}")
    return report


def measure(*, requests: int, seed: int) -> list[PageTimings]:
    """The profile page, for anonymous visitors and for a signed-in supporter."""
    total = Supporter.objects.count()
    print()
    print(f"Accounts: {total:,} supporters in the database")
    rng = random.Random(seed)
    per_viewer = requests + WARM_UP_REQUESTS
    handles = sample_handles(2 * per_viewer + 1, rng)
    if len(handles) < 2 * per_viewer + 1:
        sys.exit(f"Only {len(handles)} supporters with a public profile: load more before measuring.")
    anonymous_handles, signed_in_handles = handles[:per_viewer], handles[per_viewer : 2 * per_viewer]
    viewer = Supporter.objects.get(handle=handles[-1])  # a verified supporter who views the others
    results = [
        measure_profile_page("anonymous visitor", anonymous_handles, None),
        measure_profile_page("signed-in supporter", signed_in_handles, viewer),
    ]
    print_pages(results)
    failures = {status: n for result in results for status, n in result.statuses.items() if status != 200}
    if failures:
        sys.exit(f"Some profile pages did not answer 200: {failures}")
    return results
