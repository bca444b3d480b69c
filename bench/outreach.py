"""`python -m bench.outreach`: outreach at campaign scale, on a copy of the benchmark campaign.

    python -m bench.outreach --database-url postgresql://postgres@127.0.0.1/quartier_bench_outreach \\
        --redis-url redis://127.0.0.1:6379/7 --smtp-port 8125 [--only segments render send kill]

- `segments`: the count of a few segments over every supporter (the live count of the compose page);
- `render`: personalised emails rendered to MIME bytes per second in one process (merge fields, the
  reader's language, signed unsubscribe and preferences links), and the snapshot (INSERT … SELECT of
  the deliveries) and enqueueing rates;
- `send`: `--send` messages (100,000) end to end: two Celery workers (`-P solo`, one process each)
  take the batches from Redis and hand them to a local aiosmtpd sink; messages per second;
- `kill`: `--kill` messages (50,000); one worker is killed (SIGKILL) once a third has arrived, a new
  one started, and the sweep (with a short lease) requeues what the dead one held and never attempted;
  the sink then counts each recipient: nobody twice is the promise, and at most the one email the dead
  worker was handing over is missing (marked failed, `unknown:`, for review).

It writes only to the database it is given (deliveries, messages) and empties the Redis database.
Never point it at `quartier_bench` itself: make a copy (`createdb -T quartier_bench …`).
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


def start_worker(args: argparse.Namespace, name: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "quartier", "worker", "-P", "solo", "-n", f"{name}@bench",
         "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel=WARNING"],
        env=worker_environment(args), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def setup(args: argparse.Namespace) -> None:
    os.environ.update(
        {key: value for key, value in worker_environment(args).items() if key != "PYTHONPATH"}
        | {"OUTREACH_LEASE_SECONDS": "5"}
    )
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
    from quartier.outreach import segments

    cases = {
        "everyone who accepted campaign news": segments.Segment(),
        "French speakers": segments.Segment(languages=["fr"]),
        "within 25 km of Montréal": segments.Segment(latitude=45.5, longitude=-73.6, within_km=25),
        "donors in the journal": segments.Segment(donor="yes"),
    }
    for label, segment in cases.items():
        times, count = [], 0
        for _ in range(3):
            started = time.perf_counter()
            count = segments.count(segment)
            times.append(time.perf_counter() - started)
        print(f"segment count, {label}: {count:,} people, median {statistics.median(times):.2f} s")


def bench_render(sample: int) -> None:
    from quartier.accounts.models import Supporter
    from quartier.outreach import emails, segments

    message = campaign_message("render")
    ids = list(segments.recipients(segments.Segment()).order_by("pk").values_list("pk", flat=True)[:sample])
    people = list(Supporter.objects.filter(pk__in=ids))
    renderer = emails.Renderer(message)
    renderer.prepare(people[:1])  # loads the upcoming events once, as a worker does for its first batch
    started = time.perf_counter()
    for start in range(0, len(people), 200):  # as the batches do: prepare per batch, then each reader
        batch = people[start : start + 200]
        renderer.prepare(batch)
        for person in batch:
            renderer.render(person)
    personalised = time.perf_counter() - started
    started = time.perf_counter()
    size = 0
    for start in range(0, len(people), 200):
        batch = people[start : start + 200]
        renderer.prepare(batch)
        for index, person in enumerate(batch):
            size += len(renderer.email_for(person, delivery_id=start + index).message().as_bytes())
    mime = time.perf_counter() - started
    print(
        f"render: {len(people):,} readers personalised (subject, text, HTML, signed links) at "
        f"{len(people) / personalised:,.0f}/s; as complete MIME messages at {len(people) / mime:,.0f}/s "
        f"(one process, average {size / len(people):,.0f} bytes)"
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
    from quartier.outreach import queries

    started = time.perf_counter()
    while time.perf_counter() - started < timeout:
        progress = queries.message_progress(message)
        if on_progress is not None:
            on_progress(progress)
        if progress["queued"] == 0:
            return time.perf_counter() - started
        time.sleep(1)
    return float("nan")


def bench_send(args: argparse.Namespace, count: int) -> None:
    import redis

    redis.Redis.from_url(args.redis_url).flushdb()
    sink, controller = start_sink(args.smtp_port)
    workers = [start_worker(args, f"w{number}") for number in (1, 2)]
    try:
        time.sleep(3)  # the workers connect
        message, written = snapshot(count)
        elapsed = wait_until_done(message, written, timeout=args.timeout, sink=sink)
        print(
            f"send: {sink.total:,} of {written:,} messages at the SMTP sink in {elapsed:.1f} s = "
            f"{sink.total / elapsed:,.0f}/s with 2 workers; 13,000,000 would take "
            f"{13_000_000 / (sink.total / elapsed) / 3600:.1f} h with 2 workers, "
            f"{13_000_000 / (sink.total / elapsed * 10) / 3600:.1f} h with 20 (if the database and SMTP keep up)"
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
    workers = [start_worker(args, f"k{number}") for number in (1, 2)]
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
                workers[0] = start_worker(args, "k3")
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
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL", ""), required=False)
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7"))
    parser.add_argument("--smtp-port", type=int, default=8125)
    parser.add_argument("--render", type=int, default=20_000)
    parser.add_argument("--send", type=int, default=100_000)
    parser.add_argument("--kill", type=int, default=50_000)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--only", nargs="*", default=["segments", "render", "send", "kill"])
    args = parser.parse_args(argv)
    if not args.database_url.startswith("postgres") or args.database_url.rstrip("/").endswith(
        "/quartier_bench"
    ):
        parser.error(
            "give --database-url a PostgreSQL copy of the benchmark campaign, not quartier_bench itself"
        )
    setup(args)
    print(f"outreach bench on {os.uname().nodename}, {os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f}")
    if "segments" in args.only:
        bench_segments()
    if "render" in args.only:
        bench_render(args.render)
    if "send" in args.only:
        bench_send(args, args.send)
    if "kill" in args.only:
        bench_kill(args, args.kill)


if __name__ == "__main__":
    main()
