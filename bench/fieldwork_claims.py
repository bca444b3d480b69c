"""The call queue's claims for `bench.fieldwork`: the raw claim by pgbench, "Next contact" over HTTP,
and `claim_next_call` in process, on the same phone bank in the same run (see `bench.fieldwork`)."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import subprocess
import threading
import time
from pathlib import Path

PGBENCH_CLAIM = Path(__file__).resolve().parent / "pgbench" / "claim.sql"
TARGET_CLAIM_RATIO = 0.70
TARGET_CLAIM_P95_MS = 100


def _claim_worker(database_url: str, campaign_id: int, volunteer_ids: list[int], threads: int, seconds: float,
                  ready, go, queue) -> None:  # fmt: skip
    """One process: `threads` threads, each a volunteer claiming call after call until time is up."""
    os.environ["DATABASE_URL"] = database_url
    import django

    django.setup()
    from django.db import connection

    from quartier.accounts.models import Supporter
    from quartier.fieldwork.actions.calls import claim_next_call
    from quartier.fieldwork.models import FieldCampaign

    campaign = FieldCampaign.objects.get(pk=campaign_id)
    connection.close()
    claimed: list[int] = []
    lock = threading.Lock()
    connected = threading.Barrier(threads + 1)

    def run(mine: list[int]) -> None:
        connection.ensure_connection()
        connected.wait()
        go.wait()
        deadline = time.time() + seconds
        for volunteer_id in mine:  # a fresh volunteer for each claim: nobody holds a lease yet
            if time.time() >= deadline:
                break
            target = claim_next_call(volunteer=Supporter(pk=volunteer_id), campaign=campaign)
            if target is not None:
                with lock:
                    claimed.append(target.pk)
        connection.close()

    chunks = [volunteer_ids[i::threads] for i in range(threads)]
    workers = [threading.Thread(target=run, args=(chunk,)) for chunk in chunks]
    for worker in workers:
        worker.start()
    connected.wait()
    ready.put(True)  # every thread of this process is connected: the parent starts the clock
    for worker in workers:
        worker.join()
    queue.put(claimed)


def bench_claims(arguments: argparse.Namespace, environment: dict[str, str]) -> dict[str, object]:
    from datetime import timedelta

    from django.db import connection
    from django.utils import timezone

    from quartier.accounts.models import Supporter
    from quartier.fieldwork.actions import calls as calls_actions
    from quartier.fieldwork.models import Contact, FieldCampaign, Target

    campaign = FieldCampaign.objects.create(
        kind=FieldCampaign.Kind.PHONE_BANK, name="Bench phone bank", open_from_home=True, calling_hours_start=0,
        calling_hours_end=24, lease_minutes=15,
    )  # fmt: skip
    callable_contacts = Contact.objects.exclude(phone="").filter(do_not_call=False).order_by("pk")[:400_000]
    started = time.perf_counter()
    added = calls_actions.add_targets(
        campaign=campaign, contacts=Contact.objects.filter(pk__in=callable_contacts.values("pk"))
    )
    print(f"  phone bank: {added:,} contacts queued in {time.perf_counter() - started:.0f} s")
    from bench.donations import connection_arguments

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE fieldwork_target")  # what an operator's autovacuum does after a bulk load
    volunteers = list(Supporter.objects.order_by("pk").values_list("pk", flat=True)[:200_000])
    low, high = volunteers[0], volunteers[0] + 999
    connections = min(arguments.connections, arguments.volunteers)

    def reset() -> None:
        Target.objects.filter(campaign=campaign).exclude(leased_to=None).update(
            leased_to=None, lease_expires_at=None, available_after=timezone.now() - timedelta(minutes=1)
        )

    # pgbench: the single-statement claim (`bench/pgbench/claim.sql`), `connections` clients.
    reset()
    base, database = connection_arguments(os.environ["DATABASE_URL"])
    command = ["pgbench", *base, "-n", "-c", str(connections), "-j", "2", "-T", str(arguments.claim_seconds),
               "-D", f"low={low}", "-D", f"high={high}", "-D", f"campaign={campaign.pk}", "-f", str(PGBENCH_CLAIM),
               database]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    pgbench_rate = float(re.search(r"tps = ([\d.]+)", output).group(1))
    pgbench_claims = Target.objects.filter(campaign=campaign).exclude(leased_to=None).count()
    print(
        f"  pgbench SKIP LOCKED claim, {connections} clients: {pgbench_rate:,.0f} claims/s ({pgbench_claims:,} claimed)"
    )
    figures = {"pgbench": pgbench_rate}
    if "http-claims" not in arguments.skip:
        reset()
        figures["http"] = bench_claims_http(arguments, environment, campaign, pgbench_rate)

    # Quartier's claim_next_call: `volunteers` threads over `processes` processes sharing `connections`.
    reset()
    processes = max(1, min(os.cpu_count() or 2, 4))
    threads_each = max(1, connections // processes)
    per_thread_volunteers = len(volunteers) // (processes * threads_each)
    context = multiprocessing.get_context("spawn")
    queue, ready, go = context.Queue(), context.Queue(), context.Event()
    workers = []
    for index in range(processes):
        share = volunteers[
            index * threads_each * per_thread_volunteers : (index + 1) * threads_each * per_thread_volunteers
        ]
        process = context.Process(
            target=_claim_worker,
            args=(os.environ["DATABASE_URL"], campaign.pk, share, threads_each, arguments.claim_seconds, ready, go, queue),
        )  # fmt: skip
        process.start()
        workers.append(process)
    for _worker in workers:
        ready.get()  # Django set up and every connection open in every process
    go.set()
    claimed: list[int] = []
    for _worker in workers:
        claimed += queue.get()
    for process in workers:
        process.join()
    rate = len(claimed) / arguments.claim_seconds
    in_database = Target.objects.filter(campaign=campaign).exclude(leased_to=None).count()
    duplicates = len(claimed) - len(set(claimed))
    print(f"  claim_next_call, {processes * threads_each} volunteers at once on {connections} connections: "
          f"{rate:,.0f} claims/s ({len(claimed):,} claimed, {in_database:,} leases in the database, "
          f"{duplicates} duplicates); ratio {rate / pgbench_rate:.2f} (target {TARGET_CLAIM_RATIO:.2f})")  # fmt: skip
    reset()
    return figures | {"quartier": rate, "duplicates": duplicates, "volunteers": processes * threads_each,
                      "connections": connections, "leases": in_database, "claimed": len(claimed)}  # fmt: skip


def _signed_in_cookies(count: int) -> list[str]:
    """Session cookies of `count` verified volunteers, one each (a claim per fresh volunteer), with the
    CSRF cookie the form posts need. The sessions are what signing in stores (`django.contrib.auth.login`),
    written in one bulk insert: the database backends of `SESSION_ENGINE` read them as any other."""
    from datetime import timedelta

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.middleware.csrf import _get_new_csrf_string
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from quartier.accounts.models import Supporter

    if not settings.SESSION_ENGINE.endswith(("backends.db", "backends.cached_db")):
        raise SystemExit(
            f"The HTTP claims sign volunteers in through the database: {settings.SESSION_ENGINE}"
        )
    volunteers = Supporter.objects.filter(is_active=True, email_verified_at__isnull=False).order_by("pk")[
        :count
    ]
    store, backend = SessionStore(), settings.AUTHENTICATION_BACKENDS[0]
    expires = timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)
    sessions, cookies = [], []
    for volunteer in volunteers.only("pk", "password"):
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        data = {SESSION_KEY: str(volunteer.pk), BACKEND_SESSION_KEY: backend,
                HASH_SESSION_KEY: volunteer.get_session_auth_hash()}  # fmt: skip
        sessions.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
        token = _get_new_csrf_string()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={key}; {settings.CSRF_COOKIE_NAME}={token}|{token}")
    Session.objects.bulk_create(sessions, batch_size=2000)
    return cookies


def bench_claims_http(
    arguments: argparse.Namespace, environment: dict[str, str], campaign, raw_rate: float
) -> dict:
    """ "Next contact" over HTTP: `--http-clients` volunteers at once, each claim by a fresh signed-in
    volunteer (so each is a real claim, not the lease already held), each answered with the call page."""
    import http.client
    import statistics
    from urllib.parse import urlsplit

    from bench import http as bench_http
    from bench.__main__ import SERVER_VAR_DIR

    clients = arguments.http_clients
    wanted = int(raw_rate * arguments.claim_seconds * 1.2) + 50
    started = time.perf_counter()
    cookies = _signed_in_cookies(wanted)
    print(
        f"  {len(cookies):,} volunteers signed in for the HTTP claims ({time.perf_counter() - started:.0f} s)"
    )
    path = f"/fieldwork/phone-banks/{campaign.pk}/"
    found = re.compile(rb'data-call-url="/fieldwork/calls/(\d+)/"')
    SERVER_VAR_DIR.mkdir(parents=True, exist_ok=True)
    with bench_http.serve(environment, SERVER_VAR_DIR / "gunicorn-fieldwork-claims.log") as base_url:
        host = urlsplit(base_url)

        def claim(cookie: str) -> tuple[int, float, int | None]:
            token = cookie.rsplit("|", 1)[1]
            headers = {**bench_http.PROXY_HEADERS, "Cookie": cookie.rsplit("|", 1)[0],
                       "Origin": f"https://{host.netloc}", "Content-Type": "application/x-www-form-urlencoded"}  # fmt: skip
            began = time.perf_counter()
            conn = http.client.HTTPConnection(host.hostname, host.port, timeout=60)
            try:
                conn.request("POST", path, body=f"csrfmiddlewaretoken={token}", headers=headers)
                response = conn.getresponse()
                body = response.read()
            finally:
                conn.close()
            match = found.search(body)
            return (
                response.status,
                (time.perf_counter() - began) * 1000,
                int(match.group(1)) if match else None,
            )

        warm = cookies[: 4 * bench_http.WORKERS]
        for cookie in warm:  # each worker compiles its templates and connects
            status, _ms, target = claim(cookie)
            if status != 200 or target is None:
                raise SystemExit(f"POST {path} answered {status} without a call page: see the server's log")
        cookies = cookies[len(warm) :]
        shares = [cookies[i::clients] for i in range(clients)]
        results: list[tuple[int, float, int | None]] = []
        lock = threading.Lock()
        go = threading.Event()
        ran_out = threading.Event()

        def run(share: list[str]) -> None:
            go.wait()
            deadline = time.perf_counter() + arguments.claim_seconds
            mine = []
            for cookie in share:
                if time.perf_counter() >= deadline:
                    break
                mine.append(claim(cookie))
            else:
                ran_out.set()
            with lock:
                results.extend(mine)

        threads = [threading.Thread(target=run, args=(share,)) for share in shares]
        for thread in threads:
            thread.start()
        began = time.perf_counter()
        go.set()
        for thread in threads:
            thread.join()
        seconds = time.perf_counter() - began
    claimed = [target for status, _ms, target in results if status == 200 and target is not None]
    latencies = sorted(ms for _status, ms, _target in results)
    p50 = statistics.median(latencies) if latencies else float("nan")
    p95 = latencies[int(0.95 * (len(latencies) - 1))] if latencies else float("nan")
    rate = len(claimed) / seconds
    duplicates = len(claimed) - len(set(claimed))
    errors = len(results) - len(claimed)
    verdict = "met" if rate >= TARGET_CLAIM_RATIO * raw_rate and p95 <= TARGET_CLAIM_P95_MS else "short"
    print(f"  HTTP \"Next contact\", {clients} volunteers at once: {rate:,.0f} claims/s, p50 {p50:.0f} ms, "
          f"p95 {p95:.0f} ms, {len(claimed):,} claimed, {errors} errors, {duplicates} duplicates; "
          f"ratio {rate / raw_rate:.2f} of pgbench (target {TARGET_CLAIM_RATIO:.2f}, p95 ≤ {TARGET_CLAIM_P95_MS} ms): {verdict}"
          + (" (ran out of signed-in volunteers before the end)" if ran_out.is_set() else ""))  # fmt: skip
    return {"rate": rate, "p50": p50, "p95": p95, "claimed": len(claimed), "errors": errors,
            "duplicates": duplicates, "clients": clients}  # fmt: skip
