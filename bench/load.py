"""Loading the synthetic campaign into the benchmark database, and describing the machine and database."""

from __future__ import annotations

import contextlib
import os
import platform
import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import django
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from quartier.accounts.models import Supporter
from quartier.demo.generator import GenerationReport, generate_campaign


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


def now_line() -> str:
    return f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC, 1-minute load {os.getloadavg()[0]:.2f}"


def print_header() -> None:
    print("Quartier benchmark")
    print(f"date:     {now_line()}")
    print(f"machine:  {machine_description()}")
    print(f"software: Python {platform.python_version()}, Django {django.get_version()}")


def vacuum() -> None:
    """On PostgreSQL, what an operator does after a bulk write: otherwise autovacuum competes with the
    measurement, and the planner works from stale statistics."""
    if connection.vendor != "postgresql":
        return
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE)")
        # Write the dirty pages out now rather than during the measurement (needs a superuser or
        # the pg_checkpoint role; without it the measurement may overlap the checkpoint).
        with contextlib.suppress(DatabaseError):
            cursor.execute("CHECKPOINT")
    print(f"vacuum: VACUUM (ANALYZE) and CHECKPOINT took {time.perf_counter() - started:,.1f} s")


@contextlib.contextmanager
def bulk_load_mode(*, fresh: bool) -> Iterator[None]:
    """On PostgreSQL, load as an operator restores a dump: foreign-key triggers off for this session
    (the generator writes consistent rows by construction; needs a superuser, else they stay on), no
    wait for the WAL flush at each commit, and — on a fresh database only — the plain secondary indexes
    dropped during the load and built once after it (cheaper than maintaining them row by row).
    Primary keys and unique constraints stay: they guard the load itself."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit = off")
        cursor.execute("SET maintenance_work_mem = '512MB'")
        with contextlib.suppress(DatabaseError), transaction.atomic():
            cursor.execute("SET session_replication_role = replica")
        indexes: list[tuple[str, str]] = []
        if fresh:
            cursor.execute(
                """
                SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
                FROM pg_index i JOIN pg_class t ON t.oid = i.indrelid
                JOIN pg_namespace n ON n.oid = t.relnamespace
                WHERE n.nspname = current_schema() AND NOT i.indisprimary AND NOT i.indisunique
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                """
            )
            indexes = cursor.fetchall()
            for name, _definition in indexes:
                cursor.execute(f"DROP INDEX {name}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            started = time.perf_counter()
            for _name, definition in indexes:
                cursor.execute(definition)
            if indexes:
                print(f"indexes: {len(indexes)} rebuilt in {time.perf_counter() - started:,.1f} s")
            with contextlib.suppress(DatabaseError), transaction.atomic():
                cursor.execute("SET session_replication_role = DEFAULT")
            cursor.execute("SET synchronous_commit = DEFAULT")


def load(*, supporters: int, groups: int, events: int, batch_size: int, seed: int) -> GenerationReport | None:
    """Bring the database up to `supporters`, `groups` and `events` (adds only what is missing)."""
    from quartier.organizing.models import Event, Group

    executor = MigrationExecutor(connection)
    pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    started = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    if pending:
        print(f"migrate: {len(pending)} migrations applied in {time.perf_counter() - started:,.1f} s")
        # A data migration may rewrite whole tables (dead rows, stale statistics): tidy up as after a load.
        vacuum()
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
    with bulk_load_mode(fresh=not any(existing)):
        report = generate_campaign(
            supporters=missing[0], groups=missing[1], events=missing[2], seed=seed, batch_size=batch_size,
            progress=print,
        )  # fmt: skip
    print_load(report)
    vacuum()
    print(f"database: {database_description()}")
    return report
