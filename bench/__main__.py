"""`python -m bench`: load the synthetic campaign into a benchmark database and measure hot paths.

    python -m bench --supporters 2000000
    python -m bench --supporters 2000000 --database-url postgresql://postgres@127.0.0.1/quartier_bench

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
    parser.add_argument("--requests", type=int, default=300, help="profile pages fetched per viewer")
    parser.add_argument("--batch-size", type=int, default=5000, help="supporters per insert batch")
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

    from bench import bench_accounts

    bench_accounts.run(
        supporters=arguments.supporters,
        requests=arguments.requests,
        batch_size=arguments.batch_size,
        seed=arguments.seed,
    )


if __name__ == "__main__":
    main()
