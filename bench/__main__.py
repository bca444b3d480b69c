"""`python -m bench`: load the synthetic campaign into a benchmark database, then measure the hot pages.

    python -m bench --supporters 2000000 --redis-url redis://127.0.0.1:6379/9
    python -m bench --database-url postgresql://postgres@127.0.0.1/quartier_bench --redis-url redis://127.0.0.1:6379/9
    python -m bench --supporters 20000 --groups 350 --events 2000 --database-url sqlite:////tmp/b20k.sqlite3 …

It loads what the database lacks (supporters, then local groups and events around them; by default
35,000 groups and 200,000 events per two million supporters, from `quartier/demo/generator.py`), then
serves Quartier with gunicorn as `quartier serve` does and drives the hot pages with wrk (see
`bench/http.py`): home, event search, the event page (anonymous and signed in), group search, the group
page and the profile page (anonymous and signed in), each compared to a trivial page served by the same
stack. It also reports the SQL queries per request of each page (fetched in-process, untimed).

The benchmark never touches the application's database: it uses `--database-url`, else
`BENCH_DATABASE_URL`, else the SQLite file `var/bench.sqlite3`. It empties the Redis database given by
`--redis-url` (else `BENCH_REDIS_URL`) before measuring: give it one of its own.
"""

from __future__ import annotations

import argparse
import os
import random
import secrets
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = ROOT / "var" / "bench.sqlite3"
SERVER_VAR_DIR = ROOT / "var" / "bench-server"


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--supporters",
        type=int,
        default=2_000_000,
        help="supporters the database should hold (loads the rest)",
    )
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL", ""),
        help=f"benchmark database (default: BENCH_DATABASE_URL, else sqlite:///{DEFAULT_DATABASE})",
    )
    parser.add_argument(
        "--redis-url",
        default=os.environ.get("BENCH_REDIS_URL", ""),
        help="Redis database for the server's cache and sessions, emptied first (default: BENCH_REDIS_URL)",
    )
    parser.add_argument(
        "--groups",
        type=int,
        default=None,
        help="local groups the database should hold (default: 35,000 per 2M supporters)",
    )
    parser.add_argument(
        "--events",
        type=int,
        default=None,
        help="events the database should hold (default: one per 10 supporters)",
    )
    parser.add_argument(
        "--measure", choices=("pages", "none"), default="pages", help="measure after the load"
    )
    parser.add_argument("--duration", type=int, default=20, help="seconds wrk drives each page")
    parser.add_argument(
        "--warm-up", type=int, default=3, help="seconds of uncounted requests before each page"
    )
    parser.add_argument("--connections", type=int, default=16, help="wrk's open connections")
    parser.add_argument(
        "--threads", type=int, default=2, help="wrk's threads (as the floor's docstring drives it)"
    )
    parser.add_argument("--paths", type=int, default=2000, help="random paths drawn per page")
    parser.add_argument(
        "--first-visit-paths", type=int, default=10000,
        help="paths per page for first visits (each asked once: more than a run's requests)",
    )  # fmt: skip
    parser.add_argument(
        "--quiet-wait", type=float, default=float(os.environ.get("BENCH_QUIET_WAIT", "300")),
        help="seconds to wait for the 1-minute load to fall to 1.0 before measuring",
    )  # fmt: skip
    parser.add_argument(
        "--allow-noisy", action="store_true", default=os.environ.get("BENCH_ALLOW_NOISY") == "1",
        help="measure even when the machine is not quiet (every figure is then marked NOT QUIET)",
    )  # fmt: skip
    parser.add_argument("--markdown", type=Path, default=None, help="also write the table to this file")
    parser.add_argument(
        "--batch-size", type=int, default=5000, help="supporters, groups or events per insert batch"
    )
    parser.add_argument("--seed", type=int, default=2008, help="random seed of the generator and sampling")
    return parser.parse_args(argv)


def benchmark_environment(arguments: argparse.Namespace) -> dict[str, str]:
    """What both this process and the server read: production settings on the benchmark's stores."""
    hosts = [host for host in os.environ.get("ALLOWED_HOSTS", "").split(",") if host.strip()]
    environment = {
        "DATABASE_URL": arguments.database_url,
        "DJANGO_SETTINGS_MODULE": "bench.settings",  # Quartier's settings plus the trivial page
        "QUARTIER_ENV": "production",
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),  # one per run, shared with the server (session cookies)
        "INTEGRITY_FINGERPRINT_SALT": secrets.token_urlsafe(32),  # production refuses to start without one
        "ALLOWED_HOSTS": ",".join(dict.fromkeys([*hosts, "127.0.0.1", "localhost", "testserver"])),
        "QUARTIER_VAR_DIR": str(SERVER_VAR_DIR),
        "SITE_URL": "http://127.0.0.1",  # required in production; no link leaves a benchmark
        "CAMPAIGN_POSTAL_ADDRESS": "1 Benchmark Street, Montréal QC H2X 1Y4",  # required in production
        "LOG_LEVEL": os.environ.get("LOG_LEVEL", "WARNING"),
    }
    if arguments.redis_url:
        environment["REDIS_URL"] = arguments.redis_url
    return environment


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    if not arguments.database_url:
        DEFAULT_DATABASE.parent.mkdir(parents=True, exist_ok=True)
        arguments.database_url = f"sqlite:///{DEFAULT_DATABASE}"
    if arguments.measure == "pages" and not arguments.redis_url:
        raise SystemExit(
            "Measuring needs Redis for the cache and sessions, as in production: pass --redis-url or set "
            "BENCH_REDIS_URL (its database is emptied first), or --measure none to load only."
        )
    environment = benchmark_environment(arguments)
    # Settings read the environment once, at `django.setup()`: everything is set before it.
    os.environ.update(environment)

    import django

    django.setup()

    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client

    from bench import http, load, pages, profile, quiet
    from quartier.demo.generator import EVENTS_PER_SUPPORTER, GROUPS_PER_SUPPORTER

    groups = (
        arguments.groups
        if arguments.groups is not None
        else round(arguments.supporters * GROUPS_PER_SUPPORTER)
    )
    events = (
        arguments.events
        if arguments.events is not None
        else round(arguments.supporters * EVENTS_PER_SUPPORTER)
    )
    load.print_header()
    load.load(
        supporters=arguments.supporters, groups=groups, events=events, batch_size=arguments.batch_size,
        seed=arguments.seed,
    )  # fmt: skip
    if arguments.measure == "none":
        return
    http.require_wrk()
    call_command("collectstatic", interactive=False, verbosity=0)  # production settings need the manifest
    cache.clear()  # nothing cached by an earlier run
    rng = random.Random(arguments.seed)
    hot_pages = pages.hot_pages(arguments.paths, rng)
    short = [page.label for page in hot_pages if not page.paths]
    if short:
        raise SystemExit(f"No paths for {short}: load more before measuring.")
    first_visits = [
        page.first_visits()
        for page in pages.hot_pages(arguments.first_visit_paths, random.Random(arguments.seed + 1))
        if not page.signed_in and len(page.paths) > 1
    ]
    viewer = pages.signed_in_viewer(rng)
    client = Client()
    client.force_login(viewer)  # a real session, in Redis and the database, as signing in makes
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    print()
    print(
        f"Pages: {len(hot_pages)} hot pages, up to {arguments.paths:,} random paths each; "
        f"{len(first_visits)} first visits, up to {arguments.first_visit_paths:,} paths each"
    )
    measured = [pages.trivial_page(), *first_visits, *hot_pages]
    query_counts, parts = pages.inspect(measured, viewer, profile.profile_page)
    quiet_start = quiet.wait_until_quiet(
        max_wait=arguments.quiet_wait, say=print, allow_noisy=arguments.allow_noisy
    )
    cache.clear()  # the server starts as cold as after a deployment
    SERVER_VAR_DIR.mkdir(parents=True, exist_ok=True)
    floor_runs, results = http.measure(
        environment=environment, pages=measured, trivial=None,
        cookie=cookie, duration=arguments.duration, warm_up=arguments.warm_up,
        connections=arguments.connections, threads=arguments.threads, log_path=SERVER_VAR_DIR / "gunicorn.log",
        quiet_start=quiet_start,
    )  # fmt: skip
    for result in results:
        result.queries = query_counts.get(result.label)
        result.parts = parts.get(result.label)
    table = http.table(floor_runs, results, connections=arguments.connections, duration=arguments.duration)
    print()
    print(f"date: {load.now_line()}; machine: {load.machine_description()}")
    print(table)
    if arguments.markdown is not None:
        arguments.markdown.write_text(table + "\n")
    failures = [result.label for result in [*floor_runs, *results] if result.errors]
    if failures:
        raise SystemExit(f"Some requests failed (see {SERVER_VAR_DIR / 'gunicorn.log'}): {failures}")
    unbounded = [
        page.label
        for page in hot_pages
        if "search" in page.name
        and page.label in query_counts
        and max(query_counts[page.label].counts) > pages.MAX_SEARCH_QUERIES
    ]
    if unbounded:
        raise SystemExit(f"Query counts exceed {pages.MAX_SEARCH_QUERIES} on these list pages: {unbounded}")


if __name__ == "__main__":
    main()
