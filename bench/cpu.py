"""CPU per request in-process: `time.process_time()` around N test-client requests to each path.

A diagnostic beside `python -m bench` (which measures through gunicorn and wrk): it shows what one
request costs in this process, with no server and no network, so a change to the middleware or the
layout can be measured on a busy machine. Run with the benchmark's settings, e.g.

    DJANGO_SETTINGS_MODULE=bench.settings QUARTIER_ENV=production DEBUG=0 SECRET_KEY=… \\
    ALLOWED_HOSTS=testserver SITE_URL=http://127.0.0.1 DATABASE_URL=… REDIS_URL=… \\
    python -m bench.cpu --requests 200 /bench/trivial/ /

Each path is asked once untimed (warm-up: caches filled), then N times; the figure is the median of
five such runs, in microseconds of CPU per request.
"""

from __future__ import annotations

import argparse
import statistics
import time


def main() -> None:
    import django

    django.setup()
    from django.test import Client

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="+")
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--runs", type=int, default=5)
    arguments = parser.parse_args()
    client = Client(HTTP_X_FORWARDED_PROTO="https")
    for path in arguments.paths:
        response = client.get(path, secure=True)
        figures = []
        for _run in range(arguments.runs):
            started = time.process_time()
            for _request in range(arguments.requests):
                client.get(path, secure=True)
            figures.append((time.process_time() - started) / arguments.requests * 1e6)
        print(f"{path}\t{response.status_code}\t{statistics.median(figures):.0f} µs CPU/request\t(runs: "
              + ", ".join(f"{figure:.0f}" for figure in figures) + ")")  # fmt: skip


if __name__ == "__main__":
    main()
