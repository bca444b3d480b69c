"""`python -m bench.outreach`: outreach at campaign scale, on a copy of the benchmark campaign it makes.

    python -m bench.outreach

That one command (on a quiet machine, with `quartier_bench` loaded at 2M supporters and nobody
connected to it) drops and makes `quartier_bench_outreach` again as a copy of it (`createdb -T
quartier_bench`), migrates the copy, makes every supporter a verified reader who accepted campaign news
("2M supporters all consenting"), vacuums it, and prints:

- `segments`: the count of a few segments over every supporter (the compose page's live count),
  median of three after a warm-up, with the supporters counted;
- `render`: `--render` (20,000) personalised campaign emails: the snapshot of their deliveries
  (INSERT … SELECT) and their batch tasks queued, then each rendered to its MIME bytes (merge fields,
  the reader's language, signed links) as a worker does, per batch; messages per CPU-second of this
  process and per second of wall time;
- `send`: `--send` (20,000) messages end to end: `--workers` (2) Celery workers (`-P solo`, one
  process each) take the batches from Redis, claim, render and hand them to a local aiosmtpd sink
  (the test suite's, counting only); messages per second from the snapshot to the last one at the sink;
- `kill` (only when asked: `--only kill`): `--kill` messages; one worker is killed (SIGKILL) once a
  third has arrived, a new one started, and the sweep (with a short lease) requeues what the dead one
  held and never attempted; the sink then counts each recipient: nobody twice is the promise, and at
  most the one email the dead worker was handing over is missing (marked failed, `unknown:`).

Options: `--template` (quartier_bench), `--database-url` (the copy it makes,
postgresql://postgres@127.0.0.1:5432/quartier_bench_outreach), `--reuse` (measure the copy as it is,
without making it again), `--redis-url` (emptied; redis://127.0.0.1:6379/12), `--smtp-port`, `--only`.
It writes only to the copy and the Redis database it is given.
"""

from __future__ import annotations

import argparse
import collections
import os
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_COPY = "postgresql://postgres@127.0.0.1:5432/quartier_bench_outreach"


class CountingSink:
    """An SMTP server that only counts: recipients and messages."""

    def __init__(self) -> None:
        self.by_recipient: collections.Counter[str] = collections.Counter()
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            for recipient in envelope.rcpt_tos:
                self.by_recipient[recipient] += 1
        return "250 OK"

    @property
    def total(self) -> int:
        return sum(self.by_recipient.values())


def start_sink(port: int) -> tuple[CountingSink, object]:
    import logging

    from aiosmtpd.controller import Controller

    logging.getLogger("mail.log").setLevel(logging.WARNING)  # a line per SMTP command slows the sink

    sink = CountingSink()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return sink, controller


def worker_environment(args: argparse.Namespace) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "quartier.settings",
        "DATABASE_URL": args.database_url,
        "REDIS_URL": args.redis_url,
        "EMAIL_URL": f"smtp://127.0.0.1:{args.smtp_port}",
        "SITE_URL": "http://127.0.0.1:8111",
        "PYTHONPATH": str(ROOT),
    }


WORKER_LOG_DIR = ROOT / "var" / "bench-outreach"


def start_worker(args: argparse.Namespace, name: str, **environment: str) -> subprocess.Popen:
    """A Celery worker of its own; what it says (a batch that failed, a render error) goes to
    `var/bench-outreach/<name>.log`, kept after the run."""
    WORKER_LOG_DIR.mkdir(parents=True, exist_ok=True)
    with (WORKER_LOG_DIR / f"{name}.log").open("ab") as log:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "quartier", "worker", "-P", "solo", "-n", f"{name}@bench",
             "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
            env=worker_environment(args) | environment, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )  # fmt: skip


def make_copy(args: argparse.Namespace) -> None:
    """Drop and make the copy again from the template (`createdb -T`), as the docstring says."""
    from bench.donations import connection_arguments

    base, name = connection_arguments(args.database_url)
    started = time.perf_counter()
    subprocess.run(["dropdb", *base, "--if-exists", name], check=True)
    subprocess.run(["createdb", *base, "-T", args.template, name], check=True)
    print(f"copy: {name} made from {args.template} in {time.perf_counter() - started:.0f} s")


# Every supporter a verified, active reader who accepted campaign news (the issue's "2M supporters
# all consenting"), with the consent record the model of record points at.
EVERYONE_CONSENTS = """
UPDATE accounts_supporter SET email_verified_at = date_joined WHERE email_verified_at IS NULL;
UPDATE accounts_supporter SET is_active = true WHERE NOT is_active AND deleted_at IS NULL;
INSERT INTO accounts_consentrecord (supporter_id, audience, granted, wording, language, source, created_at)
SELECT id, 'campaign_news', true, 'bench: everyone consents', language, 'import', now()
FROM accounts_supporter s WHERE deleted_at IS NULL AND NOT EXISTS (
    SELECT 1 FROM accounts_consent c WHERE c.supporter_id = s.id AND c.audience = 'campaign_news' AND c.granted);
INSERT INTO accounts_consent (supporter_id, audience, granted, record_id)
SELECT supporter_id, audience, granted, id FROM accounts_consentrecord WHERE wording = 'bench: everyone consents'
ON CONFLICT (supporter_id, audience) DO UPDATE SET granted = true, record_id = excluded.record_id;
"""


def make_everyone_consent() -> None:
    from django.core.management import call_command
    from django.db import connection

    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute(EVERYONE_CONSENTS)
    connection.close()
    from bench.load import vacuum

    vacuum()  # index-only scans need the visibility map; the planner, fresh statistics
    print(f"copy: migrated, everyone consents, vacuumed in {time.perf_counter() - started:.0f} s")


def setup(args: argparse.Namespace) -> None:
    os.environ.update({key: value for key, value in worker_environment(args).items() if key != "PYTHONPATH"})
    import django

    django.setup()


def campaign_message(count_hint: str):
    from quartier.accounts.models import Supporter
    from quartier.outreach.actions import drafts as drafts_actions
    from quartier.outreach.models import CAMPAIGN_NEWS

    staff = Supporter.objects.filter(is_staff=True).first() or Supporter.objects.order_by("pk").first()
    return drafts_actions.save_draft(
        author=staff,
        draft=drafts_actions.Draft(
            subject="{{ first_name }}, the canvass starts Saturday",
            preview_text="Two hours near {{ town }}",
            body=(
                "Hello {{ first_name }},\n\nThe spring canvass starts **Saturday** near {{ town }}: "
                "*{{ next_event }}*. Your group: {{ group }}.\n\n[Find an event](http://127.0.0.1:8111/events/)"
            ),
            versions={
                "fr": {
                    "subject": "{{ first_name }}, le porte-à-porte commence samedi",
                    "body": "Bonjour {{ first_name }},\n\nLe porte-à-porte commence **samedi** près de {{ town }}.",
                }
            },
            segment={"topic": CAMPAIGN_NEWS},
        ),
    )


def bench_segments() -> None:
    from quartier.accounts.models import Supporter
    from quartier.outreach import segments

    print(f"segments over {Supporter.objects.count():,} supporters:")
    cases = {
        "everyone who accepted campaign news": segments.Segment(),
        "French speakers": segments.Segment(languages=["fr"]),
        "within 25 km of Montréal": segments.Segment(latitude=45.5, longitude=-73.6, within_km=25),
        "donors in the journal": segments.Segment(donor="yes"),
    }
    for label, segment in cases.items():
        times, count = [], segments.count(segment)  # warm-up
        for _ in range(3):
            started = time.perf_counter()
            count = segments.count(segment)
            times.append(time.perf_counter() - started)
        print(f"  segment count, {label}: {count:,} people, median {statistics.median(times):.2f} s")


def bench_render(args: argparse.Namespace) -> None:
    """Render + enqueue, as a send does before SMTP: the snapshot of the deliveries and their batch
    tasks (no worker runs: the tasks are emptied after), then each message to its MIME bytes per
    batch of deliveries, as `actions.delivery` does (one query for the batch, the merge fields'
    loaders once per batch). CPU time is this process's; the snapshot's is mostly PostgreSQL's."""
    import redis

    from quartier.outreach import emails
    from quartier.outreach.actions.campaign_send import BATCH_SIZE
    from quartier.outreach.models import Delivery, Message

    redis.Redis.from_url(args.redis_url).flushdb()
    wall, cpu = time.perf_counter(), time.process_time()
    message, count = snapshot(args.render)
    enqueue_wall, enqueue_cpu = time.perf_counter() - wall, time.process_time() - cpu
    wall, cpu = time.perf_counter(), time.process_time()
    renderer = emails.Renderer(message)
    ids = list(Delivery.objects.filter(message=message).order_by("pk").values_list("pk", flat=True))
    size = 0
    for start in range(0, len(ids), BATCH_SIZE):
        batch = list(
            Delivery.objects.filter(pk__in=ids[start : start + BATCH_SIZE])
            .select_related("supporter")
            .order_by("pk")
        )
        renderer.prepare([delivery.supporter for delivery in batch])
        for delivery in batch:
            size += len(renderer.email_for(delivery.supporter, delivery_id=delivery.pk).prepared)
    render_wall, render_cpu = time.perf_counter() - wall, time.process_time() - cpu
    Message.objects.filter(pk=message.pk).update(status=Message.Status.CANCELLED)
    Delivery.objects.filter(message=message).update(status=Delivery.Status.SKIPPED)
    redis.Redis.from_url(args.redis_url).flushdb()
    print(
        f"render: {count:,} MIME messages (average {size / count:,.0f} bytes) in {render_wall:.2f} s wall, "
        f"{render_cpu:.2f} s CPU: {count / render_cpu:,.0f} per CPU-second, {count / render_wall:,.0f}/s wall"
    )
    print(
        f"render + enqueue: {count / (render_cpu + enqueue_cpu):,.0f} messages per CPU-second of the worker's "
        f"process, {count / (render_wall + enqueue_wall):,.0f}/s wall (snapshot and queueing included)"
    )


def snapshot(limit: int):
    """A message in `sending` with `limit` deliveries written by one INSERT … SELECT; its timings."""
    from django.db import transaction
    from django.utils import timezone

    from quartier.outreach import segments
    from quartier.outreach.actions import campaign_send as campaign_send_actions
    from quartier.outreach.models import Message

    message = campaign_message("send")
    people = segments.recipients(segments.Segment()).order_by("pk").values("pk")[:limit]
    started = time.perf_counter()
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(status=Message.Status.SENDING, started_at=timezone.now())
        count = campaign_send_actions._insert_deliveries(message, people)
        Message.objects.filter(pk=message.pk).update(recipient_count=count)
    inserted = time.perf_counter() - started
    started = time.perf_counter()
    batches = campaign_send_actions.enqueue_deliveries(message.pk)
    enqueued = time.perf_counter() - started
    print(
        f"snapshot: {count:,} deliveries written in {inserted:.2f} s ({count / inserted:,.0f}/s); "
        f"{batches} batch tasks queued in {enqueued:.2f} s"
    )
    return message, count


def wait_until_done(message, count: int, *, timeout: float, sink: CountingSink, on_progress=None) -> float:
    """Seconds until every delivery of `message` is settled (or, without a kill, all at the sink)."""
    from quartier.outreach import queries

    started = time.perf_counter()
    checked = 0.0
    while time.perf_counter() - started < timeout:
        if on_progress is None and sink.total >= count:
            return time.perf_counter() - started
        if time.perf_counter() - checked >= 1:
            checked = time.perf_counter()
            progress = queries.message_progress(message)
            if on_progress is not None:
                on_progress(progress)
            if progress["queued"] == 0 and progress.get("sending", 0) == 0:
                return time.perf_counter() - started
        time.sleep(0.05)
    return float("nan")


def bench_send(args: argparse.Namespace, count: int) -> None:
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    sink, controller = start_sink(args.smtp_port)
    workers = [start_worker(args, f"w{number}") for number in range(1, args.workers + 1)]
    try:
        time.sleep(5)  # the workers connect
        started = time.perf_counter()
        message, written = snapshot(count)
        elapsed = wait_until_done(message, written, timeout=args.timeout, sink=sink)
        whole = time.perf_counter() - started
        rate = sink.total / elapsed
        print(
            f"send: {sink.total:,} of {written:,} messages at the SMTP sink {elapsed:.1f} s after their tasks "
            f"were queued: {rate:,.0f}/s end to end with {args.workers} workers ({sink.total / whole:,.0f}/s "
            f"counting the snapshot); 13,000,000 would take {13_000_000 / rate / 3600:.1f} h at this rate"
        )
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=30)
        controller.stop()


def bench_kill(args: argparse.Namespace, count: int) -> None:
    import redis

    from quartier.outreach.actions import campaign_send as campaign_send_actions

    redis.Redis.from_url(args.redis_url).flushdb()
    sink, controller = start_sink(args.smtp_port)
    from django.conf import settings

    settings.OUTREACH_LEASE_SECONDS = 5  # the sweep here and the workers: a dead worker's lease runs out soon
    workers = [start_worker(args, f"k{number}", OUTREACH_LEASE_SECONDS="5") for number in (1, 2)]
    killed = {"done": False}
    try:
        time.sleep(3)
        message, written = snapshot(count)

        def kill_when_a_third_arrived(progress: dict) -> None:
            if not killed["done"] and sink.total >= written // 3:
                os.kill(workers[0].pid, signal.SIGKILL)
                workers[0].wait()
                killed["done"] = True
                print(
                    f"kill: worker 1 killed (SIGKILL) with {sink.total:,} at the sink; a new worker started"
                )
                workers[0] = start_worker(args, "k3", OUTREACH_LEASE_SECONDS="5")
            if killed["done"]:
                campaign_send_actions.sweep()  # as celery beat does every minute (lease shortened to 5 s here)

        elapsed = wait_until_done(
            message, written, timeout=args.timeout, sink=sink, on_progress=kill_when_a_third_arrived
        )
        time.sleep(2)
        received = len(sink.by_recipient)
        duplicates = sink.total - received
        print(
            f"kill: {written:,} recipients; {received:,} received it ({written - received:,} missed), "
            f"{duplicates:,} received it twice; finished in {elapsed:.1f} s"
        )
    finally:
        for worker in workers:
            worker.terminate()
            worker.wait(timeout=30)
        controller.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.outreach", description=__doc__.splitlines()[0])
    parser.add_argument("--template", default="quartier_bench", help="the database copied (createdb -T)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_OUTREACH_DATABASE_URL", DEFAULT_COPY),
        help="the copy: dropped and made again from --template, unless --reuse",
    )
    parser.add_argument("--reuse", action="store_true", help="measure the copy as it is")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/12"))
    parser.add_argument("--smtp-port", type=int, default=8125)
    parser.add_argument("--render", type=int, default=20_000)
    parser.add_argument("--send", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--kill", type=int, default=20_000)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--only", nargs="*", default=["segments", "render", "send"])
    args = parser.parse_args(argv)
    name = args.database_url.rstrip("/").rsplit("/", 1)[-1]
    if not args.database_url.startswith("postgres") or name == "quartier_bench" or name == args.template:
        parser.error("--database-url must be a PostgreSQL copy, never quartier_bench or the template itself")
    if not args.reuse:
        make_copy(args)
    setup(args)
    print(f"outreach bench on {os.uname().nodename}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    if not args.reuse:
        make_everyone_consent()
    if "segments" in args.only:
        bench_segments()
    if "render" in args.only:
        bench_render(args)
    if "send" in args.only:
        bench_send(args, args.send)
    if "kill" in args.only:
        bench_kill(args, args.kill)


if __name__ == "__main__":
    main()
