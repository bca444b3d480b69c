"""`python -m bench.fieldwork`: walking and calling campaigns at scale, on a database of its own.

The one command (the lead's, on a quiet machine, with `quartier_bench` loaded and nobody connected to it):

    .venv/bin/python -m bench.fieldwork --redis-url redis://127.0.0.1:6379/10 --contacts 1000000

It (re)creates `--database-url` (default `postgresql://postgres@127.0.0.1:5432/quartier_bench_fieldwork`)
as a copy of `--copy-of` (default `quartier_bench`: `createdb -T quartier_bench …`, which never writes
to the original), or, when that database does not exist, as a fresh database migrated and loaded with
`--supporters` generated supporters (the volunteers). `--keep` reuses the database as it is instead.
It refuses to run on `quartier_bench` itself. Then:

1. Import: a synthetic contact file of `--contacts` rows (names, addresses, postal codes of the
   generator's places, phone numbers, tags, 2% listed twice, 1% with a bad phone number, a fifth with
   no coordinates, geocoded from the postal code) written as CSV, then imported by the same code as
   the import page's Celery task (`importing.run_import`). Target: 1,000,000 rows in 5 minutes.
2. Cutting: 1,000 walk lists of 50 doors from the whole universe. Target: 60 s. Then by area: a
   hexagon and a circle of `TURF_KM` around the busiest postal code, selected in SQL and cut.
3. Claims, against the raw reference in the same run: pgbench runs the single-statement
   `UPDATE … WHERE id = (SELECT … FOR UPDATE SKIP LOCKED LIMIT 1)` (the script is written to
   `bench/pgbench/claim.sql`) with `--connections` clients; then
   - over HTTP (the figure of issue 22): `--http-clients` volunteers at once post "Next contact" to
     the phone bank served by `quartier serve` (gunicorn, production settings), each claim by a fresh
     signed-in volunteer, and get the call page; claims/s, p50/p95 ms. Target: 70% of pgbench, p95 ≤ 100 ms;
   - in-process: `claim_next_call` in `--connections` threads across processes (no HTTP), for the
     share that the web stack takes. Zero duplicate claims in both.
4. Pages: the canvass page and the call page through gunicorn and wrk (`bench.http`), as a ratio to
   the bare floor. Target (signed in): 10% with p95 ≤ 100 ms.

It ends with one summary: claims/s against the raw claim, import rows/s, and the cut of 1,000 lists.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import re
import subprocess
import tempfile
import time
from pathlib import Path

from bench.fieldwork_claims import TARGET_CLAIM_P95_MS, TARGET_CLAIM_RATIO, bench_claims

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/quartier_bench_fieldwork"
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
        "--database-url",
        default=os.environ.get("BENCH_FIELDWORK_DATABASE_URL", DEFAULT_DATABASE_URL),
        help="the benchmark's own database, (re)created by this command (never quartier_bench)",
    )
    parser.add_argument(
        "--copy-of", default="quartier_bench", help="the database copied (createdb -T), if it exists"
    )
    parser.add_argument("--keep", action="store_true", help="reuse --database-url as it is")
    parser.add_argument(
        "--supporters", type=int, default=20_000, help="volunteers loaded in a fresh database"
    )
    parser.add_argument("--http-clients", type=int, default=16, help="volunteers claiming at once over HTTP")
    parser.add_argument("--redis-url", default=os.environ.get("BENCH_REDIS_URL", ""))
    parser.add_argument("--contacts", type=int, default=1_000_000, help="contacts the universe should hold")
    parser.add_argument("--volunteers", type=int, default=200, help="concurrent volunteers claiming calls")
    parser.add_argument("--connections", type=int, default=40, help="database connections they share")
    parser.add_argument("--claim-seconds", type=int, default=15)
    parser.add_argument("--duration", type=int, default=15, help="seconds wrk drives each page")
    parser.add_argument(
        "--skip", action="append", default=[], choices=("import", "cut", "claims", "http-claims", "pages")
    )
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
        result.queries = query_counts.get(result.label, result.queries)  # the trivial view has none counted
    return http.table(floor_runs, results, connections=16, duration=arguments.duration)


def _database_exists(base: list[str], name: str) -> bool:
    if not re.fullmatch(r"\w+", name):
        raise SystemExit(f"Not a database name this benchmark uses: {name!r}")
    found = subprocess.run(
        ["psql", *base, "postgres", "-tAc", f"SELECT 1 FROM pg_database WHERE datname = '{name}'"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return found.stdout.strip() == "1"


def prepare_database(arguments: argparse.Namespace) -> str:
    """(Re)create the benchmark's own database: a copy of `--copy-of` when it exists, else a fresh one.
    Returns how: "copy", "fresh" or "kept"."""
    from bench.donations import connection_arguments

    if not arguments.database_url.startswith("postgres"):
        raise SystemExit(
            "bench.fieldwork runs on PostgreSQL (COPY, SKIP LOCKED, pgbench): pass a postgresql:// URL."
        )
    base, name = connection_arguments(arguments.database_url)
    if name in {"quartier_bench", arguments.copy_of}:
        raise SystemExit(
            f"Never on {name} itself: the benchmark writes; it makes its own copy (--database-url)."
        )
    if arguments.keep and _database_exists(base, name):
        return "kept"
    subprocess.run(["dropdb", *base, "--if-exists", name], check=True)
    if _database_exists(base, arguments.copy_of):
        started = time.perf_counter()
        subprocess.run(["createdb", *base, "-T", arguments.copy_of, name], check=True)
        print(f"database: {name}, a copy of {arguments.copy_of} ({time.perf_counter() - started:.0f} s)")
        return "copy"
    subprocess.run(["createdb", *base, name], check=True)
    print(
        f"database: {name}, fresh ({arguments.copy_of} does not exist): {arguments.supporters:,} supporters to load"
    )
    return "fresh"


def summary(arguments: argparse.Namespace, figures: dict[str, dict]) -> str:
    """The figures the lead reports, one line each, with their targets."""
    lines = ["", "Summary (bench.fieldwork):"]
    claims = figures.get("claims") or {}
    if claims:
        raw = claims["pgbench"]
        if "http" in claims:
            web = claims["http"]
            lines.append(
                f"  claims over HTTP: {web['rate']:,.0f}/s vs raw {raw:,.0f}/s = {web['rate'] / raw:.0%} "
                f"(target {TARGET_CLAIM_RATIO:.0%}), p95 {web['p95']:.0f} ms (target ≤ {TARGET_CLAIM_P95_MS}), "
                f"{web['clients']} at once, {web['duplicates']} duplicates"
            )
        lines.append(
            f"  claims in process (claim_next_call): {claims['quartier']:,.0f}/s vs raw {raw:,.0f}/s = "
            f"{claims['quartier'] / raw:.0%}, {claims['duplicates']} duplicates"
        )
    imported = figures.get("import") or {}
    if imported:
        rate = imported["rows"] / imported["seconds"]
        lines.append(
            f"  import: {imported['rows']:,.0f} rows in {imported['seconds']:.0f} s = {rate:,.0f} rows/s "
            f"(target {1_000_000 / TARGET_IMPORT_SECONDS:,.0f})"
        )
    cut = figures.get("cut") or {}
    if cut:
        lines.append(
            f"  turf cut: {cut['lists']:,.0f} lists of 50 in {cut['seconds']:.1f} s from {cut['universe']:,.0f} "
            f"contacts (target ≤ {TARGET_CUT_SECONDS} s at 1,000,000); by polygon {cut.get('polygon_seconds', 0):.2f} s, "
            f"by radius {cut.get('radius_seconds', 0):.2f} s"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    how = prepare_database(arguments)
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
    if how == "fresh":
        load.load(supporters=arguments.supporters, groups=max(1, arguments.supporters * 35_000 // 2_000_000),
                  events=arguments.supporters // 10, batch_size=5000, seed=arguments.seed)  # fmt: skip
    rng = random.Random(arguments.seed)
    figures: dict[str, dict] = {}
    if "import" not in arguments.skip:
        figures["import"] = bench_import(arguments.contacts, rng)
    if "cut" not in arguments.skip:
        figures["cut"] = bench_cut()
    if "claims" not in arguments.skip:
        figures["claims"] = bench_claims(arguments, environment)
    if "pages" not in arguments.skip:
        if not arguments.redis_url:
            raise SystemExit("The page benchmark needs --redis-url (emptied first).")
        print(bench_pages(arguments, environment))
    print(summary(arguments, figures))


if __name__ == "__main__":
    main()
