"""`python -m bench.api`: OSDI list endpoints through a real server, against the raw query they wrap.

    python -m bench.api --supporters 2000000 --database-url postgresql://postgres@127.0.0.1/quartier_bench \
        --redis-url redis://127.0.0.1:6379/9
    python -m bench.api --supporters 2000 --database-url sqlite:////tmp/bench-api.sqlite3   # a small run

1. **Load** the synthetic campaign (`bench.load`, the generator of `python -m bench`) up to
   `--supporters` (events and groups in the same proportions); later runs find it loaded.
2. **Serve** Quartier with production settings (`quartier serve`, gunicorn, `bench.http.serve`) and
   issue one API key with read scopes (rate limits lifted for the run).
3. **Measure**, one request at a time over loopback, `--requests` requests per endpoint: the first page
   of `people` and `events`, random pages deep in `people`, a `modified_date` filter; each against the
   same page read by a raw SQL statement in this process (the count plus the page: what the endpoint
   cannot avoid). Prints p50/p95/max per endpoint and the ratio to the raw reference.
4. **Under load** (`--wrk-seconds`, 0 skips it): each endpoint again through wrk, 16 connections over
   loopback, beside the bare Django view of `floorapp.py` served in the same run (`bench.http.measure`):
   requests per second as a ratio to the floor, and p50/p95 with 16 requests in flight on 2 workers.
   `--markdown` appends both tables to a file.

The target (issue 25) is p95 ≤ 50 ms per page at 2M people. Run it on a quiet machine at full scale
before recording figures as measurements.
"""

from __future__ import annotations

import argparse
import os
import random
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = ROOT / "var" / "bench-api.sqlite3"


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.api", description=__doc__.splitlines()[0])
    parser.add_argument("--supporters", type=int, default=2_000_000, help="people the database should hold")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""))
    parser.add_argument("--requests", type=int, default=200, help="requests per endpoint")
    parser.add_argument("--per-page", type=int, default=25)
    parser.add_argument("--batch-size", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--markdown", type=Path, default=None, help="append the table to this file")
    parser.add_argument(
        "--wrk-seconds", type=int, default=10,
        help="then each endpoint under wrk (16 connections) this long, as a ratio to the bare floor (0: skip)",
    )  # fmt: skip
    return parser.parse_args(argv)


@dataclass
class Timing:
    label: str
    api_ms: list[float]
    raw_ms: list[float]

    @staticmethod
    def percentile(values: list[float], fraction: float) -> float:
        ordered = sorted(values)
        return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]

    def row(self) -> str:
        p50, p95 = self.percentile(self.api_ms, 0.5), self.percentile(self.api_ms, 0.95)
        raw50, raw95 = self.percentile(self.raw_ms, 0.5), self.percentile(self.raw_ms, 0.95)
        ratio = p50 / raw50 if raw50 else float("nan")
        return (
            f"| {self.label} | {p50:.1f} | {p95:.1f} | {max(self.api_ms):.1f} | {raw50:.2f} | {raw95:.2f} "
            f"| {ratio:.1f}× |"
        )


def fetch(url: str, token: str) -> tuple[int, float]:
    from bench.http import NO_REDIRECTS, PROXY_HEADERS  # as the reverse proxy in front of production says

    headers = {**PROXY_HEADERS, "OSDI-API-Token": token, "Accept": "application/hal+json"}
    request = urllib.request.Request(url, headers=headers)
    started = time.perf_counter()
    try:
        with NO_REDIRECTS.open(request, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    return status, (time.perf_counter() - started) * 1000


def raw_page(table: str, *, offset: int, per_page: int, where: str = "", params: tuple = ()) -> float:
    """The reference: the count and the page of ids and columns by raw SQL, timed in this process."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table} {where}", params)
        cursor.fetchone()
        cursor.execute(
            f"SELECT * FROM {table} {where} ORDER BY id LIMIT %s OFFSET %s",
            (*params, per_page, offset),
        )
        cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def measure(
    label: str,
    *,
    base_url: str,
    token: str,
    count: int,
    path_for: Callable[[], tuple[str, Callable[[], float]]],
) -> Timing:
    """The API's requests back to back, as a client walking pages sends them, then the raw references
    of the same pages (interleaved, the slow references would space the requests out, and far more of
    them would find the 10-second cached count expired than a client's do)."""
    drawn = [path_for() for _ in range(count)]
    api_ms: list[float] = []
    for path, _raw in drawn:
        status, elapsed = fetch(base_url + path, token)
        if status != 200:
            raise SystemExit(f"{path} answered {status}")
        api_ms.append(elapsed)
    return Timing(label, api_ms, [raw() for _path, raw in drawn])


def prepare(arguments: argparse.Namespace, key_name: str) -> tuple[dict[str, str], str]:
    """Environment, Django, the campaign loaded up to `--supporters`, static files, and a fresh read key
    named `key_name`: what both API benchmarks need before serving. Returns (environment, token)."""
    if not arguments.database_url:
        DEFAULT_DATABASE.parent.mkdir(parents=True, exist_ok=True)
        arguments.database_url = f"sqlite:///{DEFAULT_DATABASE}"
    from bench.__main__ import benchmark_environment

    environment = benchmark_environment(arguments)
    environment |= {
        "API_READS_PER_WINDOW": "1000000000",
        "API_WRITES_PER_WINDOW": "1000000000",
        "API_COUNT_CACHE_SECONDS": os.environ.get("API_COUNT_CACHE_SECONDS", "10"),
    }
    os.environ.update(environment)

    import django

    django.setup()
    from django.core.management import call_command

    from bench import load
    from quartier.api.models import ApiKey
    from quartier.demo.generator import EVENTS_PER_SUPPORTER, GROUPS_PER_SUPPORTER

    load.print_header()
    load.load(
        supporters=arguments.supporters, groups=round(arguments.supporters * GROUPS_PER_SUPPORTER),
        events=round(arguments.supporters * EVENTS_PER_SUPPORTER), batch_size=arguments.batch_size,
        seed=arguments.seed,
    )  # fmt: skip
    call_command("collectstatic", interactive=False, verbosity=0)
    ApiKey.objects.filter(name=key_name).delete()
    _key, token = ApiKey.issue(name=key_name, scopes=["people:read", "events:read"], created_by=None)
    from bench.quiet import check_from_environment

    arguments.quiet = check_from_environment()  # before measuring: figures taken under load are noise
    return environment, token


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    environment, token = prepare(arguments, "bench.api")
    from bench import http
    from bench.__main__ import SERVER_VAR_DIR
    from quartier.accounts.models import Supporter

    people = Supporter.objects.filter(deleted_at__isnull=True).count()
    pages = max(1, people // arguments.per_page)
    rng = random.Random(arguments.seed)
    per_page = arguments.per_page
    people_table, events_table = Supporter._meta.db_table, "organizing_event"

    def first_people() -> tuple[str, Callable[[], float]]:
        return f"/api/osdi/v1/people?per_page={per_page}", lambda: raw_page(
            people_table, offset=0, per_page=per_page
        )

    def deep_people() -> tuple[str, Callable[[], float]]:
        page = rng.randint(1, pages)
        return f"/api/osdi/v1/people?per_page={per_page}&page={page}", lambda: raw_page(
            people_table, offset=(page - 1) * per_page, per_page=per_page
        )

    def filtered_people() -> tuple[str, Callable[[], float]]:
        return (
            f"/api/osdi/v1/people?per_page={per_page}&filter=modified_date+gt+%272000-01-01%27",
            lambda: raw_page(people_table, offset=0, per_page=per_page, where="WHERE date_joined > %s",
                             params=("2000-01-01",)),
        )  # fmt: skip

    def first_events() -> tuple[str, Callable[[], float]]:
        return f"/api/osdi/v1/events?per_page={per_page}", lambda: raw_page(
            events_table, offset=0, per_page=per_page
        )

    SERVER_VAR_DIR.mkdir(parents=True, exist_ok=True)
    timings = []
    with http.serve(environment, SERVER_VAR_DIR / "api.log") as base_url:
        fetch(base_url + "/api/osdi/v1/", token)  # warm the workers
        for label, path_for in [
            ("people, first page", first_people),
            ("people, random page", deep_people),
            ("people, modified_date filter", filtered_people),
            ("events, first page", first_events),
        ]:
            timing = measure(
                label, base_url=base_url, token=token, count=arguments.requests, path_for=path_for
            )
            timings.append(timing)
            print(timing.row(), flush=True)
    loaded = under_load(arguments, environment, {"OSDI-API-Token": token}, [
        ("OSDI people, first page", [first_people()[0]]),
        ("OSDI people, random page", [deep_people()[0] for _ in range(500)]),
        ("OSDI people, modified_date filter", [filtered_people()[0]]),
        ("OSDI events, first page", [first_events()[0]]),
    ])  # fmt: skip
    report(arguments, f"Scale: {people:,} people", timings, loaded)


def under_load(
    arguments: argparse.Namespace, environment: dict[str, str], headers: dict[str, str],
    endpoints: list[tuple[str, list[str]]],
) -> list:  # fmt: skip
    """Each endpoint (label, paths drawn at random) through wrk beside the floor; [] when skipped."""
    if arguments.wrk_seconds <= 0:
        return []
    from bench import http
    from bench.__main__ import SERVER_VAR_DIR
    from bench.pages import HotPage

    pages = [HotPage(label, "API key", paths, kind="api", headers=headers) for label, paths in endpoints]
    _floor, results = http.measure(
        environment=environment, pages=pages, trivial=None, cookie="", duration=arguments.wrk_seconds,
        warm_up=3, connections=16, threads=2, log_path=SERVER_VAR_DIR / "api-wrk.log", quiet_start=arguments.quiet,
    )  # fmt: skip
    return results


def report(arguments: argparse.Namespace, scale: str, timings: list[Timing], loaded: list) -> None:
    from bench import load

    lines = [
        f"{scale}; {arguments.requests} sequential requests per endpoint, per_page={arguments.per_page}; "
        f"date: {load.now_line()}; machine: {load.machine_description()}",
        "",
        "| endpoint | API p50 ms | API p95 ms | API max ms | raw SQL p50 ms | raw SQL p95 ms | p50 ratio |",
        "|---|---:|---:|---:|---:|---:|---:|",
        *[timing.row() for timing in timings],
    ]
    if loaded:
        lines += [
            "",
            f"Under load: wrk, 16 connections, {arguments.wrk_seconds} s per endpoint, 2 gunicorn workers; "
            "the floor is `floorapp.py` served in the same run.",
            "",
            "| endpoint | req/s | ratio to floor | p50 ms | p95 ms | errors | load, others |",
            "|---|---:|---:|---:|---:|---:|---|",
            *[
                f"| {run.label} | {run.requests_per_second:,.0f} | {run.ratio:.3f} | {run.p50_ms:.1f} "
                f"| {run.p95_ms:.1f} | {run.errors} | {run.quietness} |"
                for run in loaded
            ],
        ]
    print("\n".join(lines))
    if arguments.markdown is not None:
        with arguments.markdown.open("a", encoding="utf-8") as output:
            output.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
