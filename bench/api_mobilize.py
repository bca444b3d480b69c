"""`python -m bench.api_mobilize`: the Mobilize-compatible list endpoints through a real server, against
the raw queries they wrap (the same setup as `bench.api`: load, serve with gunicorn, measure).

    python -m bench.api_mobilize --supporters 2000000 --database-url postgresql://postgres@127.0.0.1/quartier_bench
    python -m bench.api_mobilize --supporters 2000 --requests 20 --database-url sqlite:////tmp/bench-api.sqlite3

Endpoints: the first page of `events` and of the campaign's `people` and `attendances`, and a page deep
in `people` reached by its cursor (`a<id>`: keyset, so no OFFSET); each against the count and the same
page read by raw SQL in this process. The target (issue 25) is p95 ≤ 50 ms per page at 2M people.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable

from bench.api import fetch, measure, parse_arguments, prepare, raw_page, report, under_load


def raw_keyset_page(table: str, *, after: int, per_page: int) -> float:
    """The reference for a cursor page: the count, then the page after a primary key."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COUNT(*) FROM {table}")
        cursor.fetchone()
        cursor.execute(f"SELECT * FROM {table} WHERE id > %s ORDER BY id LIMIT %s", (after, per_page))
        cursor.fetchall()
    return (time.perf_counter() - started) * 1000


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    environment, token = prepare(arguments, "bench.api_mobilize")
    from bench import http
    from bench.__main__ import SERVER_VAR_DIR
    from quartier.accounts.models import Supporter

    ids = list(Supporter.objects.order_by("pk").values_list("pk", flat=True)[:: max(1, arguments.per_page)])
    rng = random.Random(arguments.seed)
    per_page = arguments.per_page
    people_table, events_table, rsvps_table = Supporter._meta.db_table, "organizing_event", "organizing_rsvp"
    base = "/api/mobilize/v1"

    def first(path: str, table: str) -> Callable[[], tuple[str, Callable[[], float]]]:
        return lambda: (
            f"{base}{path}?per_page={per_page}",
            lambda: raw_page(table, offset=0, per_page=per_page),
        )

    def deep_people() -> tuple[str, Callable[[], float]]:
        after = rng.choice(ids)
        return f"{base}/organizations/1/people?per_page={per_page}&cursor=a{after}", lambda: raw_keyset_page(
            people_table, after=after, per_page=per_page
        )

    SERVER_VAR_DIR.mkdir(parents=True, exist_ok=True)
    timings = []
    with http.serve(environment, SERVER_VAR_DIR / "api_mobilize.log") as base_url:
        fetch(base_url + f"{base}/organizations", token)  # warm the workers
        for label, path_for in [
            ("events, first page", first("/events", events_table)),
            ("people, first page", first("/organizations/1/people", people_table)),
            ("people, a page deep by cursor", deep_people),
            ("attendances, first page", first("/organizations/1/attendances", rsvps_table)),
        ]:
            timing = measure(
                label, base_url=base_url, token=token, count=arguments.requests, path_for=path_for
            )
            timings.append(timing)
            print(timing.row(), flush=True)
    loaded = under_load(arguments, environment, {"Authorization": f"Bearer {token}"}, [
        ("Mobilize events, first page", [first("/events", events_table)()[0]]),
        ("Mobilize people, first page", [first("/organizations/1/people", people_table)()[0]]),
        ("Mobilize people, a page deep by cursor", [deep_people()[0] for _ in range(500)]),
        ("Mobilize attendances, first page", [first("/organizations/1/attendances", rsvps_table)()[0]]),
    ])  # fmt: skip
    report(arguments, f"Scale: about {len(ids) * per_page:,} people", timings, loaded)


if __name__ == "__main__":
    main()
