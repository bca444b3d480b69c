"""`python -m bench.donations`: donations at scale on PostgreSQL, the webhook storm, and the two pages.

    python -m bench.donations --database-url postgresql://postgres@127.0.0.1/quartier_bench_donations \
        --redis-url redis://127.0.0.1:6379/6

1. **Load** (once; later runs find it): `--pages` fundraising pages owned by generated supporters and
   `--donations` paid gifts from `--donors` distinct donors (95 % under $50, a third through pages),
   written by `INSERT … SELECT generate_series` in PostgreSQL itself, then the summary rows the product
   keeps (each page's total, each donor's aggregate, the daily totals) computed from them once, as the
   actions would have kept them gift by gift.
2. **Webhook throughput**: `pgbench` inserts single rows with 8 clients for the baseline; then 8
   concurrent senders post signed `payment_intent.succeeded` events (30 % duplicates, shuffled) to the
   webhook of `quartier serve` (gunicorn). Part-way, every connection of the benchmark database is
   terminated (`pg_terminate_backend`: what a PostgreSQL restart does to the application; the shared
   server itself cannot be restarted here), deliveries that failed are retried, and the gifts are
   checked: each recorded exactly once, totals exact.
3. **Pages**: the donation page and random fundraising pages through the page-throughput harness
   (`bench.http`: gunicorn, wrk over loopback, the trivial view in the same run).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PGBENCH_INSERT = Path(__file__).resolve().parent / "pgbench" / "insert.sql"


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.donations", description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""), required=False)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""))
    parser.add_argument("--donations", type=int, default=6_500_000)
    parser.add_argument("--donors", type=int, default=3_000_000)
    parser.add_argument("--pages", type=int, default=70_000)
    parser.add_argument("--webhooks", type=int, default=10_000, help="signed deliveries in the storm")
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--duration", type=int, default=15, help="seconds wrk drives each page")
    parser.add_argument("--paths", type=int, default=2000)
    parser.add_argument("--skip", choices=("load", "webhooks", "pages"), action="append", default=[])
    parser.add_argument("--markdown", type=Path, default=None, help="also write the tables to this file")
    return parser.parse_args(argv)


# --- 1. load --------------------------------------------------------------------------------------


def load(*, donations: int, donors: int, pages: int, say) -> None:
    from django.db import connection

    from quartier.donations.models import Donation, FundraisingPage

    have = (
        Donation.objects.filter(payment_reference__startswith="bench_").count()
        if Donation.objects.exists()
        else 0
    )
    from quartier.donations.models import DonorAggregate

    if have >= donations and DonorAggregate.objects.exists():
        say(f"  {have:,} bench donations already loaded")
        return
    from quartier.donations.compliance import period_for

    period = period_for()  # the current limit period, not a year written down once
    started = time.perf_counter()
    with connection.cursor() as cursor:
        if FundraisingPage.objects.count() < pages:
            cursor.execute(
                """
                INSERT INTO donations_fundraisingpage (owner_id, slug, title, story, story_html, photo, photo_alt,
                    goal_minor, currency, status, total_minor, gift_count, created_at)
                SELECT s.id, 'bench-page-' || s.id, 'Page de ' || s.display_name, 'Bench story', '<p>Bench story</p>',
                    '', '', 50000 + (s.id %% 20) * 25000, 'CAD', 'active', 0, 0, now() - interval '60 days'
                FROM accounts_supporter s
                WHERE s.email LIKE %s AND s.email_verified_at IS NOT NULL AND s.id %% 25 = 0
                ORDER BY s.id LIMIT %s
                """,
                ["%@example.org", pages],
            )
            say(f"  {cursor.rowcount:,} fundraising pages ({time.perf_counter() - started:,.0f} s)")
        cursor.execute("SELECT min(id), count(*) FROM donations_fundraisingpage")
        first_page, page_count = cursor.fetchone()
        chunk = 500_000
        for start in range(have + 1 if have < donations else donations + 1, donations + 1, chunk):
            end = min(donations, start + chunk - 1)
            cursor.execute(
                """
                INSERT INTO donations_donation (identity_key, first_name, last_name, email, address_line, city, region,
                    postal_code, country, employer, occupation, attestation, language, amount_minor, currency, frequency,
                    status, refunded_minor, gateway, payment_reference, express, page_id, refcode, show_name, period,
                    reservation_held, flag, checkout_session, created_at, succeeded_at)
                SELECT md5('donor-' || d), 'Donor', 'N' || d, 'donor-' || d || '@example.net', '1 rue Principale',
                    'Montréal', 'QC', 'H2X 1Y4', 'CA', '', '', '', 'fr',
                    CASE WHEN g %% 100 < 60 THEN 500 + (g %% 5) * 500 WHEN g %% 100 < 95 THEN 2500 + (g %% 9) * 250
                         WHEN g %% 100 < 99 THEN 10000 ELSE 50000 END,
                    'CAD', 'once', 'succeeded', 0, 'sandbox', 'bench_' || g, false,
                    CASE WHEN g %% 3 = 0 THEN %s + ((g * 7919) %% %s) END, '', g %% 2 = 0, %s, false, '', '',
                    now() - ((g %% 86400) || ' minutes')::interval, now() - ((g %% 86400) || ' minutes')::interval
                FROM (SELECT g, (g * 2654435761) %% %s AS d FROM generate_series(%s::bigint, %s::bigint) AS g) AS numbers
                """,
                [first_page, page_count, period, donors, start, end],
            )
            say(f"  donations {end:,} / {donations:,} ({time.perf_counter() - started:,.0f} s)")
        cursor.execute(
            """
            UPDATE donations_fundraisingpage p SET total_minor = t.total, gift_count = t.gifts
            FROM (SELECT page_id, sum(amount_minor - refunded_minor) AS total, count(*) AS gifts
                  FROM donations_donation WHERE status = 'succeeded' AND page_id IS NOT NULL GROUP BY page_id) t
            WHERE p.id = t.page_id
            """
        )
        cursor.execute("DELETE FROM donations_donoraggregate")
        cursor.execute(
            """
            INSERT INTO donations_donoraggregate (identity_key, period, total_minor, reserved_minor)
            SELECT identity_key, period, sum(amount_minor - refunded_minor), 0 FROM donations_donation
            WHERE status = 'succeeded' AND period <> '' GROUP BY identity_key, period
            """
        )
        cursor.execute("DELETE FROM donations_dailytotal")
        cursor.execute(
            """
            INSERT INTO donations_dailytotal (day, currency, shard, gift_count, amount_minor, under_50_count,
                under_200_count, recurring_count, recurring_minor, refund_count, refund_minor, monthly_change_minor,
                monthly_change_count)
            SELECT (succeeded_at AT TIME ZONE %s)::date, currency, id %% 8, count(*), sum(amount_minor),
                count(*) FILTER (WHERE amount_minor < 5000), count(*) FILTER (WHERE amount_minor < 20000), 0, 0, 0, 0, 0, 0
            FROM donations_donation WHERE status = 'succeeded' GROUP BY 1, 2, 3
            """,
            [os.environ.get("TIME_ZONE", "America/Toronto")],
        )
        cursor.execute(
            "ANALYZE donations_donation; ANALYZE donations_fundraisingpage; ANALYZE donations_donoraggregate"
        )
    say(f"  summary rows and statistics done ({time.perf_counter() - started:,.0f} s)")


# --- 2. webhook throughput ---------------------------------------------------------------------------


def connection_arguments(database_url: str) -> tuple[list[str], str]:
    """(`-h … -p … -U …` for psql, pgbench and createdb; the database's name) of a PostgreSQL URL."""
    from urllib.parse import urlsplit

    parts = urlsplit(database_url)
    base = [
        "-h",
        parts.hostname or "127.0.0.1",
        "-p",
        str(parts.port or 5432),
        "-U",
        parts.username or "postgres",
    ]
    return base, parts.path.lstrip("/")


def pgbench_inserts(database_url: str, *, clients: int, seconds: int, logged: bool = False) -> float:
    """Single-row INSERT transactions per second that pgbench reaches with `clients` clients: into an
    UNLOGGED table (no commit waits for the WAL's flush: the reference of issue 22), or a `logged` one
    (each commit durable, as a delivery's insert must be before it is answered)."""
    base, database = connection_arguments(database_url)
    kind = "" if logged else "UNLOGGED "
    subprocess.run(["psql", *base, database, "-qc", "DROP TABLE IF EXISTS bench_pgbench_insert; "
                    f"CREATE {kind}TABLE bench_pgbench_insert (id bigserial PRIMARY KEY, payload text)"],
                   check=True)  # fmt: skip
    try:
        completed = subprocess.run(
            ["pgbench", *base, "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), "-f", str(PGBENCH_INSERT),
             database],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
    finally:
        subprocess.run(
            ["psql", *base, database, "-qc", "DROP TABLE IF EXISTS bench_pgbench_insert"], check=True
        )
    match = re.search(r"tps = ([\d.]+)", completed.stdout)
    if match is None:
        raise SystemExit(f"pgbench said:\n{completed.stdout}\n{completed.stderr}")
    return float(match.group(1))


def webhook_storm(*, environment: dict[str, str], deliveries: int, senders: int, log_path: Path, say) -> dict:
    import stripe
    from django.db import connection
    from django.db.models import Sum

    from bench import http
    from quartier.donations.actions import checkout as checkout_actions
    from quartier.donations.models import Donation, FundraisingPage, WebhookEvent

    secret = environment["STRIPE_WEBHOOK_SECRETS"]
    unique = round(deliveries * 0.7)
    page = FundraisingPage.objects.order_by("pk").first()
    page_before = FundraisingPage.objects.get(pk=page.pk).total_minor
    run = f"{time.time_ns()}"
    rng = random.Random(7)
    amounts = [rng.choice([500, 1000, 2500, 4000, 10_000]) for _ in range(unique)]
    drafts = [
        checkout_actions.DonationDraft(first_name="Storm", last_name=f"D{number}", email=f"storm{number}@example.net",
                              amount_minor=amount, currency="CAD", postal_code="H2X 1Y4", page=page)
        for number, amount in enumerate(amounts)
    ]  # fmt: skip
    started = time.perf_counter()
    donation_ids = [checkout_actions.start_donation(draft=draft, gateway="stripe").pk for draft in drafts]
    say(f"  {unique:,} pending gifts started ({time.perf_counter() - started:,.0f} s)")
    bodies = []
    for number, donation_id in enumerate(donation_ids):
        event = {"id": f"evt_storm_{run}_{number}", "object": "event", "type": "payment_intent.succeeded",
                 "created": int(time.time()), "data": {"object": {"id": f"pi_storm_{run}_{number}", "object": "payment_intent",
                 "amount": amounts[number], "currency": "cad", "status": "succeeded", "metadata": {"donation_id": str(donation_id)}}}}  # fmt: skip
        bodies.append(json.dumps(event))
    deliveries_list = bodies + rng.sample(bodies, deliveries - unique)
    rng.shuffle(deliveries_list)

    def signed(body: str) -> dict[str, str]:
        return {"Content-Type": "application/json", "X-Forwarded-Proto": "https",
                "Stripe-Signature": stripe.WebhookSignature.generate_signature_header(body, secret)}  # fmt: skip

    from bench.inbox import inbox_worker

    # The server stores each delivery; the worker thread applies the batches (what the Celery worker does).
    with http.serve(environment, log_path) as base_url, inbox_worker():
        url = f"{base_url}/donate/webhooks/stripe/"
        failed: list[str] = []
        lock = threading.Lock()
        position = iter(range(len(deliveries_list)))
        terminate_at = len(deliveries_list) // 2

        def send(body: str) -> int:
            request = urllib.request.Request(url, data=body.encode(), headers=signed(body), method="POST")
            try:
                with urllib.request.urlopen(request, timeout=30) as response:
                    return response.status
            except urllib.error.HTTPError as error:
                return error.code
            except OSError:
                return 0

        def sender() -> None:
            while True:
                with lock:
                    index = next(position, None)
                if index is None:
                    return
                if index == terminate_at:
                    try:
                        with connection.cursor() as cursor:  # what a restart does to every open connection
                            cursor.execute(
                                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                            )
                        say(f"  connections cut after {index:,} deliveries")
                    except Exception as error:  # the cut is the harness's; a delivery is never dropped for it
                        say(f"  could not cut the connections: {error}")
                status = send(deliveries_list[index])
                if status != 200:
                    with lock:
                        failed.append(deliveries_list[index])

        started = time.perf_counter()
        threads = [threading.Thread(target=sender) for _ in range(senders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - started
        first_failures = len(failed)
        retried = list(failed)
        failed.clear()
        for body in retried:
            if send(body) != 200:
                failed.append(body)
    connection.close()  # this process's own connection was cut with the others
    recorded = WebhookEvent.objects.filter(event_id__startswith=f"evt_storm_{run}_").count()
    paid = Donation.objects.filter(pk__in=donation_ids, status="succeeded")
    page_after = FundraisingPage.objects.get(pk=page.pk).total_minor
    exact = (
        recorded == unique
        and paid.count() == unique
        and (paid.aggregate(total=Sum("amount_minor"))["total"] or 0) == sum(amounts)
        and page_after - page_before == sum(amounts)
        and not failed
    )
    return {
        "deliveries": deliveries, "unique": unique, "seconds": seconds, "per_second": deliveries / seconds,
        "events_per_second": unique / seconds, "failed_then_retried": first_failures, "still_failing": len(failed),
        "recorded": recorded, "exact": exact,
    }  # fmt: skip


# --- 3. pages -----------------------------------------------------------------------------------------


def hot_pages(count: int, rng: random.Random):
    from bench.pages import HotPage, sample_ids
    from quartier.donations.models import FundraisingPage

    ids = sample_ids(FundraisingPage.objects.filter(status="active"), count, rng)
    slugs = dict(FundraisingPage.objects.filter(pk__in=ids).values_list("pk", "slug"))
    return [
        HotPage("donation page `/donate/`", "anonymous", ["/donate/", "/donate/?amount=25", "/donate/?amount=100&recurring=1"]),
        HotPage("fundraising page `/fundraise/<slug>/`", "anonymous", [f"/fundraise/{slugs[pk]}/" for pk in ids if pk in slugs]),
    ]  # fmt: skip


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    if not arguments.database_url.startswith("postgres"):
        raise SystemExit(
            "bench.donations runs on PostgreSQL: pass --database-url postgresql://… (a copy of the bench db)"
        )
    from bench.__main__ import SERVER_VAR_DIR, benchmark_environment

    namespace = argparse.Namespace(database_url=arguments.database_url, redis_url=arguments.redis_url)
    environment = benchmark_environment(namespace)
    environment["STRIPE_WEBHOOK_SECRETS"] = "whsec_bench_" + environment["SECRET_KEY"][:16]
    environment["DONATIONS_GATEWAY"] = "stripe"
    environment["STRIPE_SECRET_KEY"] = "sk_test_bench_never_called"
    environment["DONATIONS_CURRENCY"] = "CAD"
    os.environ.update(environment)

    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    from bench import http, pages, profile

    say = lambda message: print(message, flush=True)  # noqa: E731
    lines = [f"## Donations at scale — {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}", ""]
    call_command("migrate", verbosity=0)
    if "load" not in arguments.skip:
        say("Loading donations…")
        load(donations=arguments.donations, donors=arguments.donors, pages=arguments.pages, say=say)
    from quartier.donations.models import Donation, DonorAggregate, FundraisingPage

    scale = (Donation.objects.count(), DonorAggregate.objects.count(), FundraisingPage.objects.count())
    lines.append(
        f"Scale: {scale[0]:,} donations, {scale[1]:,} donors' aggregates, {scale[2]:,} fundraising pages."
    )
    SERVER_VAR_DIR.mkdir(parents=True, exist_ok=True)
    if "webhooks" not in arguments.skip:
        say("pgbench baseline…")
        baseline = pgbench_inserts(arguments.database_url, clients=arguments.senders, seconds=10)
        say(f"  pgbench: {baseline:,.0f} single-row inserts per second")
        say("Webhook storm…")
        storm = webhook_storm(environment=environment, deliveries=arguments.webhooks, senders=arguments.senders,
                              log_path=SERVER_VAR_DIR / "webhooks.log", say=say)  # fmt: skip
        ratio = storm["events_per_second"] / baseline
        lines += [
            "",
            "| webhook storm | figure |",
            "|---|---:|",
            f"| signed deliveries (30 % duplicates, shuffled), {arguments.senders} senders | {storm['deliveries']:,} |",
            f"| distinct events | {storm['unique']:,} |",
            f"| seconds | {storm['seconds']:,.1f} |",
            f"| deliveries per second | {storm['per_second']:,.0f} |",
            f"| gifts recorded per second | {storm['events_per_second']:,.0f} |",
            f"| pgbench single-row inserts per second ({arguments.senders} clients) | {baseline:,.0f} |",
            f"| ratio (gifts recorded ÷ pgbench inserts), target ≥ 0.40 | {ratio:.3f} ({'met' if ratio >= 0.4 else 'short'}) |",
            f"| deliveries failed while the database connections were cut, retried | {storm['failed_then_retried']:,} |",
            f"| still failing after the retry | {storm['still_failing']:,} |",
            f"| every gift recorded exactly once, totals exact | {'yes' if storm['exact'] else 'NO'} |",
        ]  # fmt: skip
        say("\n".join(lines[-13:]))
    if "pages" not in arguments.skip:
        http.require_wrk()
        call_command("collectstatic", interactive=False, verbosity=0)
        cache.clear()
        rng = random.Random(2008)
        page_list = hot_pages(arguments.paths, rng)
        counts, parts = pages.inspect(page_list, None, profile.profile_page)
        cache.clear()
        floor_runs, results = http.measure(
            environment=environment, pages=page_list, trivial=pages.trivial_page(), cookie="",
            duration=arguments.duration, warm_up=3, connections=16, threads=1, log_path=SERVER_VAR_DIR / "pages.log",
        )  # fmt: skip
        for result in results:
            result.queries = counts.get(result.label)
            result.parts = parts.get(result.label)
        lines += ["", http.table(floor_runs, results, connections=16, duration=arguments.duration)]
        say(lines[-1])
    if arguments.markdown is not None:
        arguments.markdown.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
