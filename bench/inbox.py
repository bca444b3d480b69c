"""`python -m bench.inbox`: the webhook inbox at small scale on PostgreSQL, against pgbench in the same run.

    python -m bench.inbox --database-url postgresql://postgres@127.0.0.1/quartier_inbox_bench \\
        --redis-url redis://127.0.0.1:6379/8

1. `pgbench` runs `bench/pgbench/insert.sql` (one single-row INSERT per transaction) with `--senders`
   clients for `--seconds`: the raw reference.
2. `--gifts` pending Stripe gifts are started; their signed `payment_intent.succeeded` events, with
   30 % duplicates, shuffled, are posted by `--senders` concurrent senders to the webhook of
   `quartier serve` (gunicorn, one sync worker per sender; Redis as broker: the delivery only stores
   the event and asks for a batch). A worker thread in this process applies batches meanwhile (`inbox.drain`, what the Celery
   task runs; the tasks the server queues are dropped at the end).
3. Reported: deliveries answered per second (the figure compared with pgbench), and gifts applied
   per second end to end (until the last batch commits); every gift checked recorded exactly once.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator

from bench.donations import connection_arguments


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.inbox", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url",
        default=os.environ.get(
            "BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/quartier_inbox_bench"
        ),
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/8"))
    parser.add_argument("--gifts", type=int, default=1400, help="distinct events (deliveries: ÷ 0.7)")
    parser.add_argument("--senders", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=10, help="pgbench duration")
    parser.add_argument("--apply", type=int, default=0, metavar="N",
                        help="only time the batches applying N stored gifts in process, no HTTP")  # fmt: skip
    parser.add_argument("--workers", type=int, default=0, help="gunicorn workers (default: one per sender)")
    parser.add_argument(
        "--threads", type=int, default=1, help="threads per worker (over 1: gunicorn's gthread worker class)"
    )
    parser.add_argument(
        "--profile", type=int, default=0, metavar="N",
        help="only time N deliveries in process (ms per delivery by part), no pgbench and no server",
    )  # fmt: skip
    return parser.parse_args(argv)


@contextlib.contextmanager
def inbox_worker() -> Iterator[dict]:
    """A thread applying batches until told to stop and nothing is pending (what the Celery worker does)."""
    from django.db import close_old_connections, connection
    from django.utils import timezone

    from quartier.donations import inbox
    from quartier.donations.models import InboxEvent

    state = {"stop": False, "applied": 0, "finished_at": 0.0, "errors": 0}

    def run() -> None:
        try:
            while True:
                try:
                    done = sum(inbox.drain().values())
                except Exception:  # a cut connection: reconnect and go on, as a worker does
                    state["errors"] += 1
                    close_old_connections()
                    connection.close()
                    time.sleep(0.2)
                    continue
                state["applied"] += done
                if done:
                    state["finished_at"] = time.perf_counter()
                    continue
                # Parked events stay pending for good (no gift of theirs): only what is due counts.
                due = InboxEvent.objects.filter(state="pending", next_try_at__lte=timezone.now())
                if state["stop"] and not due.exists():
                    return
                time.sleep(0.05)
        finally:
            connection.close()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state["stop"] = True
        thread.join(timeout=600)


def _ensure_database(database_url: str) -> None:
    base, name = connection_arguments(database_url)
    exists = subprocess.run(
        ["psql", *base, "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    if not exists:
        subprocess.run(["createdb", *base, name], check=True)


def _pending_gifts(
    gifts: int, *, run: str, rng: random.Random, say
) -> tuple[list[int], list[int], list[str]]:
    """`gifts` pending Stripe gifts started; their ids, amounts and `payment_intent.succeeded` bodies."""
    from quartier.donations.actions import checkout as checkout_actions

    amounts = [rng.choice([500, 1000, 2500, 4000, 10_000]) for _ in range(gifts)]
    started = time.perf_counter()
    ids = [
        checkout_actions.start_donation(
            draft=checkout_actions.DonationDraft(
                first_name="Inbox", last_name=f"D{number}", email=f"inbox{number}@example.net", amount_minor=amount,
                currency="CAD", postal_code="H2X 1Y4",
            ),
            gateway="stripe",
        ).pk
        for number, amount in enumerate(amounts)
    ]  # fmt: skip
    say(f"  {gifts:,} pending gifts started ({time.perf_counter() - started:,.0f} s)")
    bodies = [
        json.dumps({"id": f"evt_inbox_{run}_{n}", "object": "event", "type": "payment_intent.succeeded",
                    "created": int(time.time()), "data": {"object": {"id": f"pi_inbox_{run}_{n}", "object": "payment_intent",
                    "amount": amounts[n], "currency": "cad", "status": "succeeded", "metadata": {"donation_id": str(pk)}}}})
        for n, pk in enumerate(ids)
    ]  # fmt: skip
    return ids, amounts, bodies


def apply_rate(*, gifts: int, say) -> dict[str, float]:
    """Batches alone, in process: `gifts` events stored (`inbox.receive`, no HTTP), then `inbox.drain`
    timed until all are applied; gifts per second and queries per gift."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from quartier.donations import inbox

    run = f"{time.time_ns()}"
    _ids, _amounts, bodies = _pending_gifts(gifts, run=run, rng=random.Random(7), say=say)
    for body in bodies:
        inbox.receive(json.loads(body))
    started, cpu_started = time.perf_counter(), time.process_time()
    with CaptureQueriesContext(connection) as queries:
        counts = inbox.drain(batches=10_000)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    return {"applied": counts["applied"], "gifts_per_second": counts["applied"] / seconds,
            "CPU_ms_per_gift": cpu * 1000 / gifts, "queries_per_gift": len(queries) / gifts}  # fmt: skip


def storm(
    *, environment: dict[str, str], gifts: int, senders: int, say, workers: int = 0, threads: int = 1
) -> dict:
    import stripe
    from django.db.models import Sum

    from bench import http
    from bench.__main__ import SERVER_VAR_DIR
    from quartier.donations.models import Donation, InboxEvent, WebhookEvent

    secret = environment["STRIPE_WEBHOOK_SECRETS"]
    run = f"{time.time_ns()}"
    rng = random.Random(7)
    ids, amounts, bodies = _pending_gifts(gifts, run=run, rng=rng, say=say)
    deliveries = bodies + rng.sample(bodies, round(gifts / 0.7) - gifts)
    rng.shuffle(deliveries)
    SERVER_VAR_DIR.mkdir(parents=True, exist_ok=True)
    # One sync worker per sender: deliveries wait on their commit, so they overlap as pgbench's clients do.
    # Or fewer workers with threads (gthread): as many commits in flight, fewer processes.
    if threads > 1:
        environment = {**environment, "GUNICORN_CMD_ARGS": f"--worker-class gthread --threads {threads}"}
    serving = http.serve(environment, SERVER_VAR_DIR / "inbox.log", workers=workers or senders)
    with serving as base_url, inbox_worker() as worker:
        url = f"{base_url}/donate/webhooks/stripe/"
        position = iter(range(len(deliveries)))
        lock = threading.Lock()
        failed: list[int] = []

        def sender() -> None:
            while True:
                with lock:
                    index = next(position, None)
                if index is None:
                    return
                body = deliveries[index]
                headers = {"Content-Type": "application/json", "X-Forwarded-Proto": "https",
                           "Stripe-Signature": stripe.WebhookSignature.generate_signature_header(body, secret)}  # fmt: skip
                request = urllib.request.Request(url, data=body.encode(), headers=headers, method="POST")
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:
                        status = response.status
                except urllib.error.HTTPError as error:
                    status = error.code
                except OSError:
                    status = 0
                if status != 200:
                    with lock:
                        failed.append(index)

        started = time.perf_counter()
        threads = [threading.Thread(target=sender) for _ in range(senders)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        sent = time.perf_counter() - started
    applied = (worker["finished_at"] or time.perf_counter()) - started
    recorded = WebhookEvent.objects.filter(event_id__startswith=f"evt_inbox_{run}_").count()
    paid = Donation.objects.filter(pk__in=ids, status="succeeded")
    exact = (
        recorded == gifts
        and paid.count() == gifts
        and (paid.aggregate(total=Sum("amount_minor"))["total"] or 0) == sum(amounts)
        and not failed
        and not InboxEvent.objects.filter(event_id__startswith=f"evt_inbox_{run}_")
        .exclude(state="done")
        .exists()
    )
    return {
        "deliveries": len(deliveries), "gifts": gifts, "sent_seconds": sent, "per_second": len(deliveries) / sent,
        "applied_seconds": applied, "applied_per_second": gifts / applied, "failed": len(failed), "exact": exact,
        "worker_errors": worker["errors"],
    }  # fmt: skip


def profile_deliveries(*, environment: dict[str, str], deliveries: int) -> dict[str, float]:
    """Mean in-process ms per delivery by part: Django's test client posts signed new events (no gift of
    ours: only stored) through the whole middleware, one after another. Parts: `signature` (the stripe
    library's check), `SQL` (the insert's round trip and commit), `kick` (asking for a batch: Redis),
    `view` (the rest of the view: JSON, parsing, the answer), `middleware` (everything else); plus the
    process's CPU, the queries per delivery and the round trips to the cache that kicks took."""
    import stripe
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.profile import PartTimer, instrumented
    from quartier.donations import inbox, stripe_events
    from quartier.donations.models import InboxEvent

    secret = environment["STRIPE_WEBHOOK_SECRETS"]
    run = f"{time.time_ns()}"
    client = Client()

    def post(number: int):
        body = json.dumps({"id": f"evt_profile_{run}_{number}", "object": "event", "type": "payment_intent.succeeded",
                           "created": int(time.time()), "data": {"object": {"id": f"pi_profile_{run}_{number}",
                           "object": "payment_intent", "amount": 1000, "currency": "cad", "status": "succeeded",
                           "metadata": {"donation_id": str(10**12 + number)}}}})  # fmt: skip
        header = stripe.WebhookSignature.generate_signature_header(body, secret)
        return client.post("/donate/webhooks/stripe/", body, content_type="application/json", secure=True,
                           headers={"Stripe-Signature": header})  # fmt: skip

    assert post(-1).status_code == 200  # connections opened, code loaded
    timer = PartTimer()
    timer.totals.update(signature=0.0, kick=0.0)
    asks = [0]  # the cache's round trips that kicks took
    cache_add, cache_get = cache.add, cache.get

    def counted(call):
        def ask(*args, **kwargs):
            asks[0] += 1
            return call(*args, **kwargs)

        return ask

    originals = (stripe_events.verify, inbox.kick, cache.add, cache.get)
    stripe_events.verify = timer.wrap("signature", stripe_events.verify)
    inbox.kick = timer.wrap("kick", inbox.kick)
    cache.add, cache.get = counted(cache_add), counted(cache_get)
    try:
        with CaptureQueriesContext(connection) as queries, instrumented(timer):
            cpu_started, wall_started = time.process_time(), time.perf_counter()
            timer.mark = time.perf_counter()
            for number in range(deliveries):
                assert post(number).status_code == 200
            timer.switch("middleware")
            wall, cpu = time.perf_counter() - wall_started, time.process_time() - cpu_started
    finally:
        stripe_events.verify, inbox.kick, cache.add, cache.get = originals
        # No gift of ours: left pending, they would keep a later run's worker busy.
        InboxEvent.objects.filter(event_id__startswith=f"evt_profile_{run}_").delete()
    figures = {part: seconds * 1000 / deliveries for part, seconds in timer.totals.items()}
    figures.update(total=wall * 1000 / deliveries, CPU=cpu * 1000 / deliveries,
                   queries=len(queries) / deliveries, seconds=wall, kick_asks=asks[0])  # fmt: skip
    return figures


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    if not arguments.database_url.startswith("postgres"):
        raise SystemExit("bench.inbox runs on PostgreSQL: pass --database-url postgresql://…")
    from bench.__main__ import benchmark_environment
    from bench.donations import pgbench_inserts

    _ensure_database(arguments.database_url)
    namespace = argparse.Namespace(database_url=arguments.database_url, redis_url=arguments.redis_url)
    environment = benchmark_environment(namespace)
    environment.update(
        STRIPE_WEBHOOK_SECRETS="whsec_bench_" + environment["SECRET_KEY"][:16], DONATIONS_GATEWAY="stripe",
        STRIPE_SECRET_KEY="sk_test_bench_never_called", DONATIONS_CURRENCY="CAD",
    )  # fmt: skip
    os.environ.update(environment)
    import django

    django.setup()
    from django.core.management import call_command

    say = lambda message: print(message, flush=True)  # noqa: E731
    call_command("migrate", verbosity=0)
    load = os.getloadavg()[0]
    if arguments.apply:
        figures = apply_rate(gifts=arguments.apply, say=say)
        say(f"{arguments.apply:,} gifts applied in batches, 1-minute load {load:.1f}: "
            + ", ".join(f"{part} {value:,.2f}" for part, value in figures.items()))  # fmt: skip
        return
    if arguments.profile:
        figures = profile_deliveries(environment=environment, deliveries=arguments.profile)
        say(f"{arguments.profile:,} deliveries in process, 1-minute load {load:.1f}: "
            + ", ".join(f"{part} {value:.2f}" for part, value in figures.items()))  # fmt: skip
        return
    say(f"pgbench baseline ({arguments.senders} clients, {arguments.seconds} s)…")
    baseline = pgbench_inserts(arguments.database_url, clients=arguments.senders, seconds=arguments.seconds)
    say(f"  pgbench: {baseline:,.0f} single-row inserts per second")
    durable = pgbench_inserts(
        arguments.database_url, clients=arguments.senders, seconds=arguments.seconds, logged=True
    )
    say(f"  pgbench, a logged table (each commit flushed): {durable:,.0f} per second")
    say("Webhook deliveries…")
    result = storm(
        environment=environment, gifts=arguments.gifts, senders=arguments.senders, say=say,
        workers=arguments.workers, threads=arguments.threads,
    )  # fmt: skip
    with contextlib.suppress(Exception):  # the batches the server asked for: the worker thread did them
        import redis

        redis.Redis.from_url(arguments.redis_url).delete("celery")
    ratio = result["per_second"] / baseline
    say(
        "\n".join([
            f"| webhook inbox, {arguments.senders} senders, {arguments.workers or arguments.senders} workers × "
            f"{arguments.threads} threads, 1-minute load {load:.1f} at start | figure |",
            "|---|---:|",
            f"| signed deliveries (30 % duplicates, shuffled) | {result['deliveries']:,} |",
            f"| deliveries answered per second | {result['per_second']:,.0f} |",
            f"| pgbench single-row INSERT per second ({arguments.senders} clients) | {baseline:,.0f} |",
            f"| ratio, target ≥ 0.40 | {ratio:.3f} ({'met' if ratio >= 0.4 else 'short'}) |",
            f"| pgbench into a logged table (each commit flushed, as a delivery's) | {durable:,.0f} |",
            f"| ratio to that durable ceiling | {result['per_second'] / durable:.3f} |",
            f"| gifts applied per second, end to end (last batch committed) | {result['applied_per_second']:,.0f} |",
            f"| deliveries refused | {result['failed']:,} |",
            f"| every gift recorded exactly once, totals exact | {'yes' if result['exact'] else 'NO'} |",
        ])
    )  # fmt: skip


if __name__ == "__main__":
    main()
