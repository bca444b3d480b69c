"""`python -m bench.fieldwork`: walking and calling campaigns at scale, on a copy of the bench database.

    createdb -h 127.0.0.1 -U postgres -T quartier_bench quartier_bench_fieldwork
    python -m bench.fieldwork --database-url postgresql://postgres@127.0.0.1/quartier_bench_fieldwork \\
        --redis-url redis://127.0.0.1:6379/10 --contacts 1000000

1. Import: a synthetic contact file of `--contacts` rows (names, addresses, postal codes of the
   generator's places, phone numbers, tags, 2% listed twice, 1% with a bad phone number, a fifth with
   no coordinates, geocoded from the postal code) written as CSV, then imported by the same code as
   the import page's Celery task (`importing.run_import`). Target: 1,000,000 rows in 5 minutes.
2. Cutting: 1,000 walk lists of 50 doors from the whole universe. Target: 60 s. Then by area: a
   hexagon and a circle of `TURF_KM` around the busiest postal code, selected in SQL and cut.
3. Claims: the call queue with `--volunteers` concurrent volunteers (threads across processes, each
   with its own connection) against a single-statement `UPDATE … FOR UPDATE SKIP LOCKED` claim run by
   pgbench with as many clients, on the same table, in the same run. Target: 70% of pgbench; zero
   duplicate claims.
4. Pages: the canvass page and the call page through gunicorn and wrk (`bench.http`), as a ratio to
   the trivial page. Target: 20% with p95 ≤ 50 ms.
"""

from __future__ import annotations

import argparse
import csv
import multiprocessing
import os
import random
import re
import subprocess
import tempfile
import threading
import time
from pathlib import Path

TARGET_CLAIM_RATIO = 0.70
TARGET_CUT_SECONDS = 60
TURF_KM = 5.0  # the area cut by polygon and by radius: a neighbourhood organisers would walk
TARGET_IMPORT_SECONDS = 300
STREETS = ("rue Principale", "rue de l'Église", "avenue du Parc", "Main Street", "rue Saint-Jean", "King Street",
           "boulevard Voltaire", "Elm Street", "rue des Érables", "chemin du Lac", "Oak Avenue", "rue Victor-Hugo")  # fmt: skip
PHONE_PREFIXES = {"CA": "+1514555", "US": "+1212555", "FR": "+3314355"}
TAGS = ("tenant", "owner", "student", "senior", "family", "housing", "transit", "climate")


def parse_arguments(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.fieldwork", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--database-url", required=True, help="a copy of the bench database (never the original)"
    )
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""))
    parser.add_argument("--contacts", type=int, default=1_000_000, help="contacts the universe should hold")
    parser.add_argument("--volunteers", type=int, default=200, help="concurrent volunteers claiming calls")
    parser.add_argument("--connections", type=int, default=40, help="database connections they share")
    parser.add_argument("--claim-seconds", type=int, default=15)
    parser.add_argument("--duration", type=int, default=15, help="seconds wrk drives each page")
    parser.add_argument("--skip", action="append", default=[], choices=("import", "cut", "claims", "pages"))
    parser.add_argument("--seed", type=int, default=2008)
    return parser.parse_args(argv)


def write_contact_file(path: Path, rows: int, rng: random.Random) -> None:
    from quartier.demo.generator import campaign_places, full_postal_code, jittered, name_pools

    places = [p.place for p in campaign_places()]
    weights = [p.weight for p in campaign_places()]
    pools = name_pools(2008)
    languages = list(pools)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["voter id", "first name", "last name", "address", "postal code", "country", "latitude",
                         "longitude", "phone", "tags", "do not call"])  # fmt: skip
        chosen = rng.choices(places, weights=weights, k=rows)
        for number, place in enumerate(chosen):
            if number and rng.random() < 0.02:
                number = rng.randrange(number)  # listed twice: merged by the voter id
            row_rng = random.Random(number)
            first_names, last_names = pools[languages[number % len(languages)]]
            latitude, longitude = jittered(place, row_rng)
            phone = f"{PHONE_PREFIXES.get(place.country, '+1514555')}{row_rng.randrange(10_000):04d}"
            if row_rng.random() < 0.3:
                phone = ""
            elif row_rng.random() < 0.01:
                phone = "12"  # not a number: reported, the row loads without it
            has_point = row_rng.random() > 0.2
            writer.writerow([
                f"B{number}", row_rng.choice(first_names), row_rng.choice(last_names),
                f"{row_rng.randint(1, 400)} {row_rng.choice(STREETS)}", full_postal_code(place, row_rng), place.country,
                latitude if has_point else "", longitude if has_point else "", phone,
                ";".join(row_rng.sample(TAGS, row_rng.randint(0, 2))), "oui" if row_rng.random() < 0.02 else "",
            ])  # fmt: skip


def bench_import(rows: int, rng: random.Random) -> dict[str, float]:
    from django.core.files import File

    from quartier.fieldwork import importing
    from quartier.fieldwork.models import Contact, ImportJob

    missing = rows - Contact.objects.count()
    if missing <= 0:
        print(f"  import: the universe already holds {Contact.objects.count():,} contacts")
        return {}
    with tempfile.TemporaryDirectory(prefix="quartier-bench-contacts-") as work:
        path = Path(work) / "contacts.csv"
        started = time.perf_counter()
        write_contact_file(path, missing, rng)
        print(
            f"  contact file: {missing:,} rows, {path.stat().st_size / 1e6:.0f} MB in {time.perf_counter() - started:.0f} s"
        )
        with path.open("rb") as handle:
            inspection = importing.inspect_upload(handle, size=0)
            job = ImportJob(original_name="bench.csv", encoding=inspection.encoding, delimiter=inspection.delimiter,
                            header=inspection.header, mapping=importing.guess_mapping(inspection.header),
                            total_bytes=path.stat().st_size, status=ImportJob.Status.QUEUED)  # fmt: skip
            job.file.save("bench.csv", File(handle), save=False)
            job.save()
    started = time.perf_counter()
    importing.run_import(job.pk)
    seconds = time.perf_counter() - started
    job.refresh_from_db()
    print(f"  import: {job.rows_done:,} rows in {seconds:.0f} s ({job.rows_done / seconds:,.0f} rows/s), "
          f"{job.created_count:,} new, {job.merged_count:,} merged, {job.problem_count:,} problems, status {job.status}")  # fmt: skip
    job.file.delete(save=False)
    return {"rows": job.rows_done, "seconds": seconds}


def bench_cut() -> dict[str, float]:
    from quartier.fieldwork.actions import walk_lists as walk_lists_actions
    from quartier.fieldwork.models import Contact, FieldCampaign

    campaign = FieldCampaign.objects.create(kind=FieldCampaign.Kind.CANVASS, name="Bench canvass")
    universe = Contact.objects.count()
    started = time.perf_counter()
    lists = walk_lists_actions.cut_walk_lists(
        campaign=campaign, contacts=Contact.objects.all(), doors_per_list=50, max_lists=1000
    )
    seconds = time.perf_counter() - started
    print(f"  cut: {len(lists):,} lists of 50 doors from {universe:,} contacts in {seconds:.1f} s "
          f"({sum(w.contact_count for w in lists):,} contacts placed)")  # fmt: skip
    figures = {"lists": len(lists), "seconds": seconds, "universe": universe}
    figures |= bench_turf_cut()
    return figures


def bench_turf_cut() -> dict[str, float]:
    """Cutting by area, the organiser's way (issue 22): a hexagon and a circle of `TURF_KM` around the
    busiest postal code, selected inside the database (`fieldwork.areas`) and cut into lists of 50,
    each for a new campaign (so that both find every door free)."""
    import math

    from django.db.models import Avg, Count

    from quartier.fieldwork.actions import walk_lists as walk_lists_actions
    from quartier.fieldwork.models import Contact, FieldCampaign
    from quartier.fieldwork.queries import Turf, select_contacts

    busiest = (
        Contact.objects.exclude(latitude=None)
        .values("postal_code")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    if busiest is None:
        return {}
    centre = Contact.objects.filter(postal_code=busiest["postal_code"]).aggregate(
        lat=Avg("latitude"), lon=Avg("longitude")
    )
    lat, lon = centre["lat"], centre["lon"]
    d_lat = TURF_KM / 111.2
    d_lon = d_lat / max(math.cos(math.radians(lat)), 0.01)
    hexagon = [
        (lat + d_lat * math.sin(a), lon + d_lon * math.cos(a)) for a in (math.pi * k / 3 for k in range(6))
    ]
    figures: dict[str, float] = {}
    for label, turf in (
        ("polygon", Turf(polygon=hexagon)),
        ("radius", Turf(center=(lat, lon), radius_km=TURF_KM)),
    ):
        campaign = FieldCampaign.objects.create(kind=FieldCampaign.Kind.CANVASS, name=f"Bench turf {label}")
        started = time.perf_counter()
        lists = walk_lists_actions.cut_walk_lists(
            campaign=campaign, contacts=select_contacts(turf, campaign), doors_per_list=50, max_lists=1000
        )
        seconds = time.perf_counter() - started
        placed = sum(w.contact_count for w in lists)
        print(
            f"  cut by {label} ({TURF_KM:g} km): {len(lists):,} lists, {placed:,} contacts in {seconds:.2f} s"
        )
        figures[f"{label}_seconds"] = seconds
        figures[f"{label}_contacts"] = placed
    return figures


# The raw reference: the bare single-statement claim in the same fair order (a claim moves the contact
# to its lease's end), without the held lease, call-backs, zones, do-not-call or the contact's columns.
CLAIM_SQL = """\\set volunteer random({low}, {high})
UPDATE fieldwork_target SET leased_to_id = :volunteer, lease_expires_at = now() + interval '15 minutes',
                            available_after = now() + interval '15 minutes'
WHERE id = (SELECT id FROM fieldwork_target WHERE campaign_id = {campaign} AND status = 'queued' AND has_phone
            AND available_after <= now() AND (leased_to_id IS NULL OR lease_expires_at <= now())
            ORDER BY attempts, available_after, id LIMIT 1 FOR UPDATE SKIP LOCKED)
RETURNING id;
"""


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


def bench_claims(arguments: argparse.Namespace) -> dict[str, float]:
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
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE fieldwork_target")  # what an operator's autovacuum does after a bulk load
    volunteers = list(Supporter.objects.order_by("pk").values_list("pk", flat=True)[:200_000])
    low, high = volunteers[0], volunteers[0] + 999
    connections = min(arguments.connections, arguments.volunteers)

    def reset() -> None:
        Target.objects.filter(campaign=campaign).exclude(leased_to=None).update(
            leased_to=None, lease_expires_at=None, available_after=timezone.now() - timedelta(minutes=1)
        )

    # pgbench: the single-statement claim, `connections` clients.
    reset()
    with tempfile.NamedTemporaryFile("w", suffix=".sql", delete=False) as script:
        script.write(CLAIM_SQL.format(low=low, high=high, campaign=campaign.pk))
    settings_dict = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": settings_dict.get("PASSWORD") or ""}
    command = ["pgbench", "-n", "-c", str(connections), "-j", "2", "-T", str(arguments.claim_seconds), "-f", script.name,
               "-h", settings_dict["HOST"] or "127.0.0.1", "-p", str(settings_dict["PORT"] or 5432),
               "-U", settings_dict["USER"] or "postgres", settings_dict["NAME"]]  # fmt: skip
    output = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    pgbench_rate = float(re.search(r"tps = ([\d.]+)", output).group(1))
    pgbench_claims = Target.objects.filter(campaign=campaign).exclude(leased_to=None).count()
    print(
        f"  pgbench SKIP LOCKED claim, {connections} clients: {pgbench_rate:,.0f} claims/s ({pgbench_claims:,} claimed)"
    )
    os.unlink(script.name)

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
    return {"pgbench": pgbench_rate, "quartier": rate, "duplicates": duplicates, "volunteers": processes * threads_each,
            "connections": connections, "leases": in_database, "claimed": len(claimed)}  # fmt: skip


def bench_pages(arguments: argparse.Namespace, environment: dict[str, str]) -> str:
    from django.conf import settings
    from django.core.cache import cache
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from bench import http, pages
    from quartier.fieldwork.models import FieldCampaign, Target, WalkList

    rng = random.Random(arguments.seed)
    viewer = pages.signed_in_viewer(rng)
    lists = list(
        WalkList.objects.filter(campaign__name="Bench canvass")
        .order_by("pk")
        .values_list("pk", flat=True)[:300]
    )
    WalkList.objects.filter(pk__in=lists).update(assigned_to=viewer, assigned_at=timezone.now())
    bank = FieldCampaign.objects.filter(name="Bench phone bank").order_by("-pk").first()
    leased = list(
        Target.objects.filter(campaign=bank, leased_to=None)
        .order_by("pk")
        .values_list("pk", flat=True)[:2000]
    )
    Target.objects.filter(pk__in=leased).update(
        leased_to=viewer, lease_expires_at=timezone.now() + timezone.timedelta(days=1)
    )
    hot = [
        pages.HotPage("canvass page", "signed in", [f"/fieldwork/lists/{pk}/" for pk in lists]),
        pages.HotPage("call page", "signed in", [f"/fieldwork/calls/{pk}/" for pk in leased]),
    ]
    http.require_wrk()
    call_command("collectstatic", interactive=False, verbosity=0)
    cache.clear()
    client = Client()
    client.force_login(viewer)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    query_counts = {page.label: pages.count_queries(page, viewer) for page in hot}
    server_dir = Path(environment["QUARTIER_VAR_DIR"])
    server_dir.mkdir(parents=True, exist_ok=True)
    floor_runs, results = http.measure(
        environment=environment, pages=hot, trivial=pages.trivial_page(), cookie=cookie, duration=arguments.duration,
        warm_up=3, connections=16, threads=1, log_path=server_dir / "gunicorn-fieldwork.log",
    )  # fmt: skip
    for result in results:
        result.queries = query_counts[result.label]
    return http.table(floor_runs, results, connections=16, duration=arguments.duration)


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    if arguments.database_url.rstrip("/").endswith("/quartier_bench"):
        raise SystemExit("Never on quartier_bench itself: make a copy (createdb -T quartier_bench …).")
    from bench.__main__ import benchmark_environment

    namespace = argparse.Namespace(database_url=arguments.database_url, redis_url=arguments.redis_url)
    environment = benchmark_environment(namespace)
    os.environ.update(environment)
    import django

    django.setup()
    from django.core.management import call_command

    from bench import load

    load.print_header()
    call_command("migrate", verbosity=0)
    rng = random.Random(arguments.seed)
    figures: dict[str, object] = {}
    if "import" not in arguments.skip:
        figures["import"] = bench_import(arguments.contacts, rng)
    if "cut" not in arguments.skip:
        figures["cut"] = bench_cut()
    if "claims" not in arguments.skip:
        figures["claims"] = bench_claims(arguments)
    if "pages" not in arguments.skip:
        if not arguments.redis_url:
            raise SystemExit("The page benchmark needs --redis-url (emptied first).")
        print(bench_pages(arguments, environment))
    print(figures)


if __name__ == "__main__":
    main()
