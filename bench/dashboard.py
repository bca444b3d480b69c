"""`python -m bench.dashboard`: the dashboards at bench scale — journal, full rebuild, freshness, pages.

    python -m bench.dashboard --copy-of quartier_bench \
        --database-url postgresql://postgres@127.0.0.1/quartier_bench_dashboard --redis-url redis://127.0.0.1:6379/11

It writes the journal and the summary tables, so it never runs on the shared benchmark database
(`quartier_bench`): `--copy-of quartier_bench` makes the database of `--database-url` with
`createdb -T quartier_bench` when it does not exist yet (PostgreSQL copies a template only while
nobody else is connected to it: stop servers on `quartier_bench` first), and later runs reuse the copy
(`--skip-load`, `--skip-rebuild`). `--measure profile` measures in-process instead of with wrk
(queries per request and ms by part, `bench/profile.py`), for a busy machine; `--measure none` loads
and rebuilds only. Dates in the filters are relative to the day it runs (`days_back`).

On a copy of a loaded benchmark campaign (`python -m bench`) it:

1. journals what the campaign's tables hold (the rows of `rebuild_dashboards`' backfill, written in
   SQL: sign-ups, verifications, groups, memberships, events, RSVPs, attendance) and adds `--gifts`, `--calls` and `--posts`
   journal rows of the kinds the donations, fieldwork and social apps record, in SQL (loading 6.5
   million real donations through their app would take hours here: the rows stand in for them);
2. times the full rebuild of every summary table;
3. times freshness: new journal rows, then one rollup run (celery beat runs it every 30 s, so a
   figure is on the organiser dashboard within 30 s plus that run);
4. serves the site with gunicorn and drives, with wrk, the personal dashboard (a supporter with
   activity, signed in) and the organiser dashboard under several filters (a staff member), each
   run beside the trivial view of the same stack (`bench/http.py`).
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import subprocess
import time
from datetime import timedelta
from pathlib import Path

from bench.__main__ import SERVER_VAR_DIR, benchmark_environment
from bench.donations import connection_arguments

SHARED_DATABASE = "quartier_bench"  # the lead's benchmark campaign: read-only for this benchmark


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.dashboard", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""))
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""))
    parser.add_argument("--gifts", type=int, default=1_000_000, help="donations.gift journal rows to add")
    parser.add_argument("--calls", type=int, default=300_000, help="fieldwork.call journal rows to add")
    parser.add_argument("--posts", type=int, default=200_000, help="social.post journal rows to add")
    parser.add_argument("--skip-load", action="store_true", help="the journal is loaded: rebuild and measure")
    parser.add_argument("--skip-rebuild", action="store_true", help="the figures are counted: measure only")
    parser.add_argument(
        "--sources", default="",
        help="which of the campaign's tables to journal (comma-separated; all by default)",
    )  # fmt: skip
    parser.add_argument(
        "--copy-of", default="",
        help="create the database of --database-url as a copy of this one (createdb -T) if it is missing",
    )  # fmt: skip
    parser.add_argument(
        "--measure", choices=("pages", "profile", "none"), default="pages",
        help="pages: wrk against the floor; profile: in-process queries and ms by part; none: load only",
    )  # fmt: skip
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--warm-up", type=int, default=2)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--markdown", type=Path, default=None)
    parser.add_argument("--seed", type=int, default=2008)
    return parser.parse_args(argv)


def ensure_copy(database_url: str, copy_of: str) -> None:
    """Refuse the shared benchmark database; create the database of `database_url` as a copy of
    `copy_of` (`createdb -T`) when it does not exist yet."""
    base, name = connection_arguments(database_url)
    if name in {SHARED_DATABASE, copy_of}:
        raise SystemExit(
            f"bench.dashboard writes the journal and the summary tables: never on {name} itself. Give a copy's "
            f"address in --database-url and --copy-of {name} to make it (createdb -T)."
        )
    found = subprocess.run(
        ["psql", *base, "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    if found.stdout.strip() == "1":
        return
    if not copy_of:
        raise SystemExit(
            f"No database {name}: pass --copy-of {SHARED_DATABASE} to make it from the campaign."
        )
    print(f"Copying {copy_of} into {name} (createdb -T)…", flush=True)
    subprocess.run(["createdb", *base, "-T", copy_of, name], check=True)


def days_back(days: int) -> str:
    """The first day of a period of `days` days ending today: filters stay within the dashboards' limit
    of 366 days whenever the benchmark runs (a date written down once falls out of it a year later)."""
    from django.utils import timezone

    return (timezone.localdate() - timedelta(days=days - 1)).isoformat()


# The stand-in rows: random supporters, times over the last year, regions from the supporter.
STAND_IN_SQL = """
INSERT INTO accounts_activity
    (kind, key, supporter_id, credited_to_id, occurred_at, recorded_at, count, amount, currency, group_id,
     region, detail)
SELECT %(kind)s, %(kind)s || ':' || n, s.id,
       CASE WHEN n %% 7 = 0 THEN (SELECT min(id) FROM accounts_supporter) + (n::bigint * 7919) %% %(people)s END,
       now() - (random() * interval '365 days'), now(), 1,
       CASE WHEN %(money)s THEN (ARRAY[1000, 2500, 5000, 10000, 25000, 50000])[1 + (n %% 6)] ELSE 0 END,
       CASE WHEN %(money)s THEN 'CAD' ELSE '' END, NULL,
       CASE WHEN coalesce(s.postal_code, '') = '' THEN '' ELSE s.country || ':' || upper(left(replace(s.postal_code, ' ', ''), 3)) END,
       CASE WHEN %(kind)s = 'fieldwork.call'
            THEN jsonb_build_object('result', 'talked', 'reached', n %% 3 = 0, 'campaign', 1,
                 'answers', jsonb_build_array(jsonb_build_object('question', 'Will you vote?',
                 'answer', (ARRAY['yes', 'no', 'maybe'])[1 + (n %% 3)])))
            ELSE '{}'::jsonb END
FROM generate_series(1, %(rows)s) AS n
JOIN accounts_supporter AS s ON s.id = (SELECT min(id) FROM accounts_supporter) + (n::bigint * 104729) %% %(people)s
ON CONFLICT DO NOTHING
"""


# The backfill's rows (`quartier/dashboard/backfill.py`, same kinds and keys), in SQL: the Python
# backfill writes about 2,000 rows a second on this machine, too slow for the bench's ten million.
# `accounts.activity.region_from`: COUNTRY:PREFIX, "" without a postal code. `{}` is the table's alias.
REGION = "CASE WHEN coalesce({0}postal_code, '') = '' THEN '' ELSE {0}country || ':' || upper(left(replace({0}postal_code, ' ', ''), 3)) END"
BACKFILL_SQL = [
    ("signups", f"""
INSERT INTO accounts_activity (kind, key, supporter_id, occurred_at, recorded_at, count, amount, currency, region, detail)
SELECT 'accounts.signup', 'supporter:' || id, id, date_joined, now(), 1, 0, '', {REGION.format("")}, '{{}}'
FROM accounts_supporter WHERE deleted_at IS NULL ON CONFLICT DO NOTHING"""),
    ("verifications", f"""
INSERT INTO accounts_activity (kind, key, supporter_id, occurred_at, recorded_at, count, amount, currency, region, detail)
SELECT 'accounts.verified', 'supporter:' || id, id, email_verified_at, now(), 1, 0, '', {REGION.format("")}, '{{}}'
FROM accounts_supporter WHERE deleted_at IS NULL AND email_verified_at IS NOT NULL ON CONFLICT DO NOTHING"""),
    ("groups", f"""
INSERT INTO accounts_activity (kind, key, supporter_id, group_id, occurred_at, recorded_at, count, amount, currency, region, detail)
SELECT 'organizing.group_created', 'group:' || g.id, g.created_by_id, g.id, g.created_at, now(), 1, 0, '',
       {REGION.format("s.")}, '{{}}'
FROM organizing_group g LEFT JOIN accounts_supporter s ON s.id = g.created_by_id ON CONFLICT DO NOTHING"""),
    ("memberships", f"""
INSERT INTO accounts_activity (kind, key, supporter_id, credited_to_id, group_id, occurred_at, recorded_at, count, amount, currency, region, detail)
SELECT 'organizing.group_joined', 'membership:' || m.id, m.supporter_id, m.referrer_id, m.group_id, m.joined_at, now(),
       1, 0, '', {REGION.format("s.")}, '{{}}'
FROM organizing_membership m JOIN accounts_supporter s ON s.id = m.supporter_id
WHERE m.status = 'active' ON CONFLICT DO NOTHING"""),
    ("events", f"""
INSERT INTO accounts_activity (kind, key, supporter_id, group_id, occurred_at, recorded_at, count, amount, currency, region, detail)
SELECT 'organizing.event_hosted', 'event:' || e.id, e.host_id, e.group_id, e.created_at, now(), 1, 0, '',
       {REGION.format("s.")}, jsonb_build_object('event', e.id, 'type', e.event_type)
FROM organizing_event e JOIN accounts_supporter s ON s.id = e.host_id ON CONFLICT DO NOTHING"""),
    ("rsvps", f"""
INSERT INTO accounts_activity (kind, key, supporter_id, credited_to_id, group_id, occurred_at, recorded_at, count, amount, currency, region, detail)
SELECT 'organizing.rsvp', 'rsvp:' || r.id || ':' || to_char(r.created_at AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISSUS'),
       r.supporter_id, r.referrer_id, e.group_id, r.created_at, now(), 1, 0, '', {REGION.format("s.")},
       jsonb_build_object('event', e.id, 'waitlisted', r.status = 'waitlisted')
FROM organizing_rsvp r JOIN organizing_shift sh ON sh.id = r.shift_id JOIN organizing_event e ON e.id = sh.event_id
JOIN accounts_supporter s ON s.id = r.supporter_id WHERE NOT r.is_walk_in ON CONFLICT DO NOTHING"""),
    ("cancellations", f"""
INSERT INTO accounts_activity (kind, key, supporter_id, credited_to_id, group_id, occurred_at, recorded_at, count, amount, currency, region, detail)
SELECT 'organizing.rsvp_cancelled', 'rsvp:' || r.id || ':' || to_char(r.created_at AT TIME ZONE 'UTC', 'YYYYMMDD"T"HH24MISSUS'),
       r.supporter_id, r.referrer_id, e.group_id, r.updated_at, now(), -1, 0, '', {REGION.format("s.")},
       jsonb_build_object('event', e.id)
FROM organizing_rsvp r JOIN organizing_shift sh ON sh.id = r.shift_id JOIN organizing_event e ON e.id = sh.event_id
JOIN accounts_supporter s ON s.id = r.supporter_id WHERE NOT r.is_walk_in AND r.status = 'cancelled' ON CONFLICT DO NOTHING"""),
    ("attendance", f"""
INSERT INTO accounts_activity (kind, key, supporter_id, group_id, occurred_at, recorded_at, count, amount, currency, region, detail)
SELECT 'organizing.attended', 'attended:' || r.id || ':0', r.supporter_id, e.group_id, sh.starts_at, now(), 1, 0, '',
       {REGION.format("s.")}, jsonb_build_object('event', e.id)
FROM organizing_rsvp r JOIN organizing_shift sh ON sh.id = r.shift_id JOIN organizing_event e ON e.id = sh.event_id
JOIN accounts_supporter s ON s.id = r.supporter_id WHERE r.attended ON CONFLICT DO NOTHING"""),
]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    if not arguments.database_url.startswith("postgresql") or not arguments.redis_url:
        raise SystemExit(
            "Give --database-url (PostgreSQL, a copy of the benchmark campaign) and --redis-url."
        )
    if arguments.measure == "pages" and shutil.which("wrk") is None:  # before the load and the rebuild
        raise SystemExit("wrk is not installed: `apt-get install wrk` (Debian, Ubuntu), then run again.")
    ensure_copy(arguments.database_url, arguments.copy_of)
    environment = benchmark_environment(arguments)
    os.environ.update(environment)

    import django

    django.setup()

    from allauth.mfa.models import Authenticator
    from allauth.mfa.totp.internal.auth import TOTP
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from bench import http
    from bench.pages import HotPage, sample_ids, trivial_page
    from quartier.accounts.activity import record_activity
    from quartier.accounts.models import Activity, Supporter
    from quartier.dashboard import actions
    from quartier.dashboard.models import SupporterFigure
    from quartier.organizing.models import Group

    rng = random.Random(arguments.seed)
    call_command("migrate", verbosity=0)
    if not arguments.skip_load:
        started = time.monotonic()
        people = Supporter.objects.count()
        with connection.cursor() as cursor:
            for name, sql in BACKFILL_SQL:
                if arguments.sources and name not in arguments.sources.split(","):
                    continue
                cursor.execute(sql)
                print(
                    f"journal: {name}: {cursor.rowcount:,} rows ({time.monotonic() - started:.0f} s)",
                    flush=True,
                )
            for kind, rows, money in (
                ("donations.gift", arguments.gifts, True),
                ("fieldwork.call", arguments.calls, False),
                ("social.post", arguments.posts, False),
            ):
                cursor.execute(STAND_IN_SQL, {"kind": kind, "rows": rows, "money": money, "people": people})
                print(
                    f"journal: {kind}: {rows:,} stand-in rows ({time.monotonic() - started:.0f} s)",
                    flush=True,
                )
        print(f"Journal loaded in {time.monotonic() - started:.0f} s", flush=True)
    journal_rows = Activity.objects.count()
    rebuild_seconds = None
    if not arguments.skip_rebuild:
        started = time.monotonic()
        actions.rebuild()
        rebuild_seconds = time.monotonic() - started
        print(f"Full rebuild of {journal_rows:,} journal rows: {rebuild_seconds:.0f} s", flush=True)

    # Freshness: a burst of new rows, then one rollup run.
    someone = Supporter.objects.filter(pk__in=sample_ids(Supporter.objects.all(), 1, rng)).get()
    token = f"{time.time_ns()}"
    for number in range(1_000):
        record_activity("social.post", supporter=someone, key=f"fresh:{token}:{number}")
    started = time.monotonic()
    rolled = actions.roll_up()
    roll_up_seconds = time.monotonic() - started
    print(f"Rollup of {rolled:,} new rows: {roll_up_seconds:.2f} s", flush=True)

    viewer_id = (
        SupporterFigure.objects.filter(metric="organizing.rsvp").order_by("-count").values_list("supporter_id", flat=True)
    ).first()  # fmt: skip
    viewer = Supporter.objects.get(pk=viewer_id)
    staff, _created = Supporter.objects.get_or_create(
        email="bench-staff@bench.invalid",
        defaults={
            "handle": "bench-staff",
            "display_name": "Bench Staff",
            "is_staff": True,
            "affiliation": "staff",
        },
    )
    if not Authenticator.objects.filter(user=staff).exists():
        TOTP.activate(staff, "JBSWY3DPEHPK3PXP")
    group_slug = Group.objects.filter(pk__in=sample_ids(Group.objects.all(), 1, rng)).values_list(
        "slug", flat=True
    )[0]

    def cookie_for(person: Supporter) -> str:
        client = Client()
        client.force_login(person)
        return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"

    runs = [
        (viewer, [HotPage("personal dashboard `/dashboard/`", "signed in", ["/dashboard/"])]),
        (staff, [
            HotPage("organiser `/organize/` (30 days, everyone)", "staff", ["/organize/"]),
            HotPage("organiser, 365 days", "staff", [f"/organize/?start={days_back(365)}"]),
            HotPage("organiser, postal prefix H2X", "staff", ["/organize/?region=H2X"]),
            HotPage("organiser, province QC, 90 days", "staff", [f"/organize/?area=CA-QC&start={days_back(90)}"]),
            HotPage("organiser, French region IDF", "staff", ["/organize/?area=FR-IDF"]),
            HotPage("organiser, one group", "staff", [f"/organize/?group={group_slug}"]),
            HotPage("organiser, one group, 180 days", "staff", [f"/organize/?group={group_slug}&start={days_back(180)}"]),
        ]),
    ]  # fmt: skip
    tables = []
    cache.clear()
    if arguments.measure != "none":
        call_command("collectstatic", interactive=False, verbosity=0)  # production settings: a manifest
    if arguments.measure == "profile":
        from bench import profile
        from bench.pages import count_queries

        lines = ["| page | queries | CPU ms | total ms | " + " | ".join(profile.PARTS) + " |",
                 "|---|---:|---:|---:|" + "---:|" * len(profile.PARTS)]  # fmt: skip
        for person, hot_pages in runs:
            for page in hot_pages:
                queries = count_queries(page, person, requests=10)
                client = Client()
                client.force_login(person)
                parts = profile.profile_page(page.paths, client=client, requests=30)
                lines.append(
                    f"| {page.label} | {queries} | {parts['CPU']:.1f} | {parts['total']:.1f} | "
                    + " | ".join(f"{parts[part]:.1f}" for part in profile.PARTS)
                    + " |"
                )
        tables.append("In-process, after one request (caches warm):\n" + "\n".join(lines))
    elif arguments.measure == "pages":
        SERVER_VAR_DIR.mkdir(parents=True, exist_ok=True)
        for person, hot_pages in runs:
            floor_runs, results = http.measure(
                environment=environment, pages=hot_pages, trivial=trivial_page(), cookie=cookie_for(person),
                duration=arguments.duration, warm_up=arguments.warm_up, connections=arguments.connections,
                threads=1, log_path=SERVER_VAR_DIR / "gunicorn-dashboard.log",
            )  # fmt: skip
            tables.append(
                http.table(
                    floor_runs, results, connections=arguments.connections, duration=arguments.duration
                )
            )
    summary = (
        f"Journal: {journal_rows:,} rows. Full rebuild: "
        f"{'not run' if rebuild_seconds is None else f'{rebuild_seconds:.0f} s'}. "
        f"Rollup of {rolled:,} new rows: {roll_up_seconds:.2f} s (celery beat every 30 s)."
    )
    output = "\n\n".join([summary, *tables])
    print()
    print(output)
    if arguments.markdown is not None:
        arguments.markdown.write_text(output + "\n")


if __name__ == "__main__":
    main()
