"""`python -m bench`: load the synthetic campaign into a benchmark database and measure hot paths.

    python -m bench --supporters 2000000
    python -m bench --supporters 2000000 --database-url postgresql://postgres@127.0.0.1/quartier_bench
    python -m bench --supporters 20000 --groups 350 --events 2000 --database-url sqlite:////tmp/b20k.sqlite3

It loads what the database lacks (supporters, then local groups and events around them; by default
35,000 groups and 200,000 events per two million supporters), then measures the profile page, event
search, the event page, group search and the group page.

The benchmark never touches the application's database: it uses `--database-url`, else
`BENCH_DATABASE_URL`, else the SQLite file `var/bench.sqlite3`.
"""

from __future__ import annotations

import argparse
import os
from pathlib import Path

DEFAULT_DATABASE = Path(__file__).resolve().parent.parent / "var" / "bench.sqlite3"


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
    parser.add_argument("--requests", type=int, default=300, help="pages (and searches) fetched per viewer")
    parser.add_argument(
        "--measure",
        choices=("all", "accounts", "organizing", "none"),
        default="all",
        help="which pages to measure after the load",
    )
    parser.add_argument(
        "--batch-size", type=int, default=5000, help="supporters, groups or events per insert batch"
    )
    parser.add_argument("--seed", type=int, default=2008, help="random seed of the generator and sampling")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    if not arguments.database_url:
        DEFAULT_DATABASE.parent.mkdir(parents=True, exist_ok=True)
        arguments.database_url = f"sqlite:///{DEFAULT_DATABASE}"
    # Settings read the environment once, at `django.setup()`: everything is set before it.
    os.environ["DATABASE_URL"] = arguments.database_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "quartier.settings"
    os.environ["QUARTIER_ENV"] = "development"  # production settings would redirect the test client to https
    os.environ["DEBUG"] = "0"  # measure templates and queries as they run in production
    hosts = [host for host in os.environ.get("ALLOWED_HOSTS", "").split(",") if host.strip()]
    os.environ["ALLOWED_HOSTS"] = ",".join(dict.fromkeys([*hosts, "testserver", "127.0.0.1", "localhost"]))
    os.environ.setdefault("LOG_LEVEL", "WARNING")

    import django

    django.setup()

    from bench import bench_accounts, bench_organizing
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
    bench_accounts.print_header()
    bench_accounts.load(
        supporters=arguments.supporters,
        groups=groups,
        events=events,
        batch_size=arguments.batch_size,
        seed=arguments.seed,
    )
    if arguments.measure in ("all", "accounts"):
        bench_accounts.measure(requests=arguments.requests, seed=arguments.seed)
    if arguments.measure in ("all", "organizing"):
        bench_organizing.measure(requests=arguments.requests, seed=arguments.seed)


if __name__ == "__main__":
    main()
