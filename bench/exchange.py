"""`python -m bench.exchange`: the people import and the streamed people export at scale.

    .venv/bin/python -m bench.exchange --people 1000000 --database-url postgresql://postgres@127.0.0.1:5432/quartier_bench_exchange

Without `--database-url` it migrates a fresh SQLite database in a temporary folder (small runs only).
It refuses to run on `quartier_bench` itself (the shared copy other benchmarks read).

1. Import: a synthetic people file of `--people` rows (names, emails, Canadian postal codes, phone
   numbers, tags; 2% of people listed twice, 1% with a bad phone number) imported by the same code as
   the import page's Celery task (`people_import.run_import`). Target (issue 25): 1,000,000 rows in
   10 minutes. Raw references in the same run: the same rows inserted into a bare table by
   `executemany` in batches of the same size (no parsing, no merge); and, on PostgreSQL, pgbench
   inserting as many rows in batches of the same size, made by the server (`bench/pgbench/import.sql`):
   the import's rate is printed as a ratio to pgbench's (the issue's rule for pipelines).
2. Export: the people CSV streamed by `exports.stream_csv`, read to the end and thrown away, with its
   peak Python memory (tracemalloc), at the full size and at a quarter of it: constant memory means
   the two peaks are about the same. Raw reference: a bare `SELECT` of the same columns read with
   `fetchmany`. Target (issue 25): 2,000,000 people streamed in constant memory.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

TARGET_IMPORT_SECONDS_PER_MILLION = 600
PGBENCH_IMPORT = Path(__file__).resolve().parent / "pgbench" / "import.sql"
POSTAL_CODES = ("H2X 1Y4", "H3A 1A1", "G1R 4S9", "M5V 2T6", "K1P 5J2", "V6B 1A1", "T2P 1J9", "R3C 4T3")
FIRST = ("Anne", "Marc", "Julie", "Sam", "Nadia", "Paul", "Léa", "Omar", "Chloé", "Ben")
LAST = ("Roy", "Tremblay", "Gagnon", "Côté", "Nguyen", "Smith", "Dubois", "Martin", "Lee", "Singh")
TAGS = ("volunteer", "donor", "tenant", "student", "senior", "")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.exchange", description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=2000, help="rows in the generated file")
    parser.add_argument(
        "--database-url", default="", help="a PostgreSQL database of its own (default: SQLite)"
    )
    parser.add_argument("--seed", type=int, default=25)
    return parser.parse_args(argv)


def write_people_file(path: Path, count: int, seed: int) -> int:
    rng = random.Random(seed)
    rows = 0
    with path.open("w", encoding="utf-8") as handle:
        handle.write("email,first_name,last_name,phone,postal_code,tags\n")
        for number in range(count):
            phone = f"+1514{rng.randint(2000000, 9999999)}" if rng.random() > 0.01 else "12"
            line = (
                f"person{number}@bench.example.org,{rng.choice(FIRST)},{rng.choice(LAST)},{phone},"
                f"{rng.choice(POSTAL_CODES)},{rng.choice(TAGS)}\n"
            )
            handle.write(line)
            rows += 1
            if rng.random() < 0.02:  # listed twice
                handle.write(line)
                rows += 1
    return rows


def setup_django(database_url: str, folder: Path) -> None:
    if "quartier_bench" in database_url.rsplit("/", 1)[-1] and database_url.endswith("/quartier_bench"):
        sys.exit("Refusing to run on quartier_bench itself: give a database of its own.")
    os.environ["DATABASE_URL"] = database_url or f"sqlite:///{folder / 'bench.sqlite3'}"
    os.environ["PRIVATE_STORAGE_ROOT"] = str(folder / "private")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quartier.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def bench_import(path: Path, rows: int) -> tuple[float, int]:
    from django.core.files.base import File

    from quartier.api.exchange import layouts, people_import
    from quartier.api.models import PeopleImport

    header = path.read_text(encoding="utf-8").split("\n", 1)[0].split(",")
    layout, mapping = layouts.guess_mapping(header)
    job = PeopleImport(
        original_name=path.name, header=header, layout=layout, mapping=mapping, country="CA",
        total_bytes=path.stat().st_size, status=PeopleImport.Status.QUEUED, tag_names=["bench"],
    )  # fmt: skip
    with path.open("rb") as handle:
        job.file.save("bench.csv", File(handle), save=False)
    job.save()
    started = time.perf_counter()
    people_import.run_import(job.pk)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    print(
        f"import: {rows} rows in {seconds:.1f} s ({rows / seconds:.0f} rows/s): {job.status}, "
        f"{job.created_count} created, {job.merged_count} merged, {job.problem_count} problems"
    )
    return seconds, job.created_count


def bench_raw_insert(path: Path) -> float:
    """The floor: the same rows into a bare table, batched like the import, nothing parsed or merged."""
    from django.db import connection, transaction

    from quartier.api.exchange.people_import import BATCH_ROWS

    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS bench_exchange_raw")
        cursor.execute(
            "CREATE TABLE bench_exchange_raw (email varchar(254) UNIQUE, first_name varchar(80), "
            "last_name varchar(80), phone varchar(20), postal_code varchar(10), tags varchar(100))"
        )
    lines = path.read_text(encoding="utf-8").splitlines()[1:]
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for start in range(0, len(lines), BATCH_ROWS):
            batch = [tuple(line.split(",")) for line in lines[start : start + BATCH_ROWS]]
            with transaction.atomic():
                for values in batch:  # executemany, one row at a time to keep ON CONFLICT portable
                    cursor.execute(
                        "INSERT INTO bench_exchange_raw VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT DO NOTHING",
                        values,
                    )
    seconds = time.perf_counter() - started
    print(f"raw insert: {len(lines)} rows in {seconds:.1f} s ({len(lines) / seconds:.0f} rows/s)")
    return seconds


def pgbench_import(database_url: str, rows: int) -> float:
    """Rows per second pgbench inserts into a bare table with a unique email (one client), in batches
    of the import's size, one transaction each: the raw PostgreSQL equivalent of the import."""
    from bench.donations import connection_arguments
    from quartier.api.exchange.people_import import BATCH_ROWS

    base, database = connection_arguments(database_url)
    setup = (
        "DROP TABLE IF EXISTS bench_pgbench_people; DROP SEQUENCE IF EXISTS bench_pgbench_people_batch; "
        "CREATE SEQUENCE bench_pgbench_people_batch; CREATE TABLE bench_pgbench_people (id bigserial PRIMARY KEY, "
        "email varchar(254) UNIQUE, first_name varchar(80), last_name varchar(80), phone varchar(20), "
        "postal_code varchar(10), tags varchar(100))"
    )
    subprocess.run(["psql", *base, database, "-qc", setup], check=True)
    batches = max(1, rows // BATCH_ROWS)
    try:
        completed = subprocess.run(
            ["pgbench", *base, "-n", "-c", "1", "-t", str(batches), "-D", f"batch={BATCH_ROWS}",
             "-f", str(PGBENCH_IMPORT), database],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        subprocess.run(
            [
                "psql",
                *base,
                database,
                "-qc",
                "DROP TABLE bench_pgbench_people; DROP SEQUENCE bench_pgbench_people_batch",
            ],
            check=True,
        )
    match = re.search(r"tps = ([\d.]+)", completed.stdout)
    if match is None:
        raise SystemExit(f"pgbench said:\n{completed.stdout}\n{completed.stderr}")
    rate = float(match.group(1)) * BATCH_ROWS
    print(f"pgbench: {batches * BATCH_ROWS} rows in batches of {BATCH_ROWS} at {rate:.0f} rows/s")
    return rate


def bench_export(limit: int | None = None) -> tuple[float, int, int]:
    """(seconds, rows, peak bytes) of streaming the people CSV (the first `limit` rows if given)."""
    from quartier.api.exchange import exports

    tracemalloc.start()
    started = time.perf_counter()
    lines = 0
    written = 0
    for line in exports.stream_csv(exports.EXPORTS["people"]):
        lines += 1
        written += len(line)
        if limit is not None and lines > limit:
            break
    seconds = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return seconds, lines - 1, peak


def bench_raw_select() -> float:
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, email, display_name, country, postal_code, town, language, date_joined "
            "FROM accounts_supporter WHERE deleted_at IS NULL ORDER BY id"
        )
        while cursor.fetchmany(2000):
            pass
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    with tempfile.TemporaryDirectory(prefix="bench-exchange-") as temporary:
        folder = Path(temporary)
        setup_django(arguments.database_url, folder)
        path = folder / "people.csv"
        rows = write_people_file(path, arguments.people, arguments.seed)
        import_seconds, _created = bench_import(path, rows)
        raw_seconds = bench_raw_insert(path)
        pgbench_rate = pgbench_import(arguments.database_url, rows) if arguments.database_url else 0.0
        seconds, exported, peak = bench_export()
        _quarter_seconds, quarter_rows, quarter_peak = bench_export(limit=max(1, exported // 4))
        raw_select = bench_raw_select()
        print(
            f"export: {exported} people in {seconds:.1f} s ({exported / max(seconds, 1e-9):.0f} rows/s), peak {peak / 1e6:.2f} MB"
        )
        print(f"export of the first quarter: {quarter_rows} people, peak {quarter_peak / 1e6:.2f} MB")
        print(f"raw select of the same rows: {raw_select:.2f} s")
        per_million = import_seconds * 1_000_000 / rows
        if pgbench_rate:
            print(f"import ÷ pgbench: {rows / import_seconds / pgbench_rate:.3f} of the raw PostgreSQL rate")
        print(
            f"summary: import {per_million:.0f} s per million rows (target {TARGET_IMPORT_SECONDS_PER_MILLION} s), "
            f"{raw_seconds / import_seconds:.1%} of the raw insert's rate; export peak {peak / 1e6:.2f} MB at "
            f"{exported} rows vs {quarter_peak / 1e6:.2f} MB at {quarter_rows} (constant memory: about equal); "
            f"export {seconds / max(raw_select, 1e-9):.1f}× the raw select's time"
        )


if __name__ == "__main__":
    main()
