"""`python -m bench.integrity_job`: the periodic job's near-duplicate step on PostgreSQL, at a million posts.

    python -m bench.integrity_job --posts 1000000 --new 50000 \\
        --database-url postgresql://postgres@127.0.0.1:5432/quartier_bench_integrity

`bench.integrity` times the detectors on arrays in memory; this times what production runs
(`quartier/integrity/actions/near_duplicates.py`), on a real `integrity_contentsignature` table:

1. **Fill** the table with the signatures of `--posts` texts written over the last six days (the
   texts drawn as in `bench.integrity`, authors among 2M ids; binary COPY in, foreign-key triggers
   off for the load only, since the benchmark has no supporters table), marked as checked by an
   earlier run. Later runs find it filled.
2. **Raw reference**: the same rows read by a binary COPY (ids, authors, signatures), thrown away.
3. **A worker's cold start**: the index of the window rebuilt from those rows (`TextIndex`: band keys
   and signatures), with the memory it takes (the process's peak resident size measured from a reset
   just before, minus what it held before).
4. **Streaming**: `--new` more signatures stored (one in fifty a light copy of an earlier text by
   another author), then one run of `check_new_texts`: read in micro-batches, checked against the held
   index, links stored. Then runs of a single new post each (a run's fixed cost included).
5. **Findings**: the week's links grouped (`near_duplicate_findings`).

Run it alone: `bench.quiet` waits for a 1-minute load under 1.0 first.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np

from bench import quiet
from bench.exchange import setup_django
from bench.integrity import bulk_texts

POSTGRES_EPOCH_US = 946_684_800 * 1_000_000
COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
FILL_CHUNK = 100_000
SINGLE_RUNS = 200
COPY_EVERY = 50
SOURCES = 2000


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.integrity_job", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--posts", type=int, default=100_000, help="signatures in the window (the issue: 1M)")
    parser.add_argument("--new", type=int, default=20_000, help="new posts checked by one run")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_INTEGRITY_DATABASE_URL", ""))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--allow-noisy", action="store_true")
    return parser.parse_args(argv)


def rss_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def reset_peak() -> None:
    """Reset the process's peak resident size to what it holds now (Linux: clear_refs 5)."""
    Path("/proc/self/clear_refs").write_text("5")


def signature_rows(texts: list[str], first_id: int, authors: np.ndarray, created_us: np.ndarray) -> bytes:
    """The binary COPY rows (kind, object_id, author_id, created_at, signature) of `texts`, the long enough."""
    from quartier.integrity.detection import minhash

    signatures, long_enough = minhash.signatures(texts)
    keep = np.flatnonzero(long_enough)
    row = np.dtype(
        [("fields", ">i2"), ("l1", ">i4"), ("kind", "S4"), ("l2", ">i4"), ("object_id", ">i8"),
         ("l3", ">i4"), ("author", ">i8"), ("l4", ">i4"), ("created", ">i8"), ("l5", ">i4"),
         ("signature", "V256")]
    )  # fmt: skip
    rows = np.empty(keep.size, dtype=row)
    rows["fields"], rows["l1"], rows["l2"], rows["l3"], rows["l4"], rows["l5"] = 5, 4, 8, 8, 8, 256
    rows["kind"] = b"post"
    rows["object_id"] = first_id + keep
    rows["author"] = authors[keep]
    rows["created"] = created_us[keep] - POSTGRES_EPOCH_US
    rows["signature"] = np.ascontiguousarray(signatures[keep].astype("<u4")).view("V256").ravel()
    return rows.tobytes()


def copy_in(payload: bytes) -> None:
    from django.db import connection

    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no supporters to match, for the load only
        sql = (
            "COPY integrity_contentsignature (kind, object_id, author_id, created_at, signature) "
            "FROM STDIN (FORMAT BINARY)"
        )
        with cursor.copy(sql) as copy:
            copy.write(COPY_SIGNATURE + payload + b"\xff\xff")
        cursor.execute("SET session_replication_role = DEFAULT")


def sources(seed: int) -> list[str]:
    """The texts the new posts copy: the first of the fill."""
    return bulk_texts(SOURCES, np.random.default_rng(seed + 1))


def draw(
    count: int,
    first_id: int,
    rng: np.random.Generator,
    *,
    copies_of: list[str] | None = None,
    first: list[str] = (),
) -> bytes:
    texts = bulk_texts(count, rng)
    texts[: len(first)] = first
    if copies_of:  # one in COPY_EVERY: an earlier text, lightly edited, by someone else
        for position in range(0, count, COPY_EVERY):
            words = copies_of[int(rng.integers(len(copies_of)))].split()
            words[int(rng.integers(len(words)))] = "vraiment"
            texts[position] = " ".join(words).upper()
    now_us = int(time.time() * 1_000_000)
    created = now_us - rng.integers(60_000_000, 6 * 86_400_000_000, size=count) if not copies_of else None
    created = created if created is not None else np.full(count, now_us, dtype=np.int64)
    return signature_rows(texts, first_id, rng.integers(1, 2_000_001, size=count), created)


def fill(posts: int, rng: np.random.Generator, seed: int) -> None:
    from django.db import connection

    from quartier.integrity.models import ContentSignature, NearDuplicateLink, NearDuplicateProgress

    present = ContentSignature.objects.count()
    if present >= posts * 0.97:  # the texts too short to sign are left out
        print(f"fill: skipped, {present:,} signatures already stored")
    else:
        ContentSignature.objects.all().delete()
        started = time.perf_counter()
        for first in range(0, posts, FILL_CHUNK):
            copy_in(
                draw(min(FILL_CHUNK, posts - first), first + 1, rng, first=sources(seed) if not first else [])
            )
            print(f"  {min(first + FILL_CHUNK, posts):,} / {posts:,} texts signed and copied in", flush=True)
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE integrity_contentsignature")
        print(f"fill: done in {time.perf_counter() - started:.1f} s", flush=True)
    # Every stored signature counts as checked by an earlier run; what this run adds is new.
    ContentSignature.objects.filter(object_id__gt=posts).delete()  # a previous run's new posts
    NearDuplicateLink.objects.all().delete()
    last = ContentSignature.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    NearDuplicateProgress.objects.update_or_create(pk=1, defaults={"checked_through": last})


def raw_copy() -> float:
    from django.db import connection

    sql = "COPY (SELECT id, author_id, signature FROM integrity_contentsignature ORDER BY id) TO STDOUT (FORMAT BINARY)"
    started = time.perf_counter()
    with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
        for _block in copy:
            pass
    return time.perf_counter() - started


def main(argv: list[str] | None = None) -> None:
    args = parse_arguments(argv)
    if not args.database_url.startswith("postgres"):
        raise SystemExit("--database-url must name a PostgreSQL database")
    with tempfile.TemporaryDirectory() as folder:
        setup_django(args.database_url, Path(folder))
        from quartier.integrity.actions import near_duplicates as job
        from quartier.integrity.models import ContentSignature, NearDuplicateLink, NearDuplicateProgress

        fill(args.posts, np.random.default_rng(args.seed), args.seed)
        # The new posts' own stream: the fill's, started again, would draw the same words in a shifted
        # order (texts overlapping the stored ones far more than real posts do).
        rng = np.random.default_rng(args.seed + 2)
        calm = quiet.wait_until_quiet(max_wait=900, say=print, allow_noisy=args.allow_noisy)
        held = ContentSignature.objects.count()
        print(f"\nNear-duplicate job on PostgreSQL: {held:,} signatures in the window "
              f"(load {os.getloadavg()[0]:.2f}{'' if calm else ', NOT QUIET'})")  # fmt: skip
        raw = raw_copy()
        print(f"- raw reference, binary COPY of their ids, authors and signatures: {raw:.1f} s")

        job.forget_held_index()
        before = rss_mb("VmRSS")
        reset_peak()
        started = time.perf_counter()
        index = job._index_for(NearDuplicateProgress.objects.get())
        rebuilt = time.perf_counter() - started
        own_peak = rss_mb("VmHWM") - before
        print(f"- a worker's cold start, index rebuilt from the rows: {rebuilt:.1f} s "
              f"({held / rebuilt:,.0f} texts/s, {rebuilt / raw:.2f}× the raw COPY); own peak {own_peak:,.0f} MB, "
              f"index {index.index.nbytes / 2**20:,.0f} MiB ({index.index.nbytes / held:.0f} bytes a text); "
              f"target: 1M posts in <= 3 min, <= 1 GB")  # fmt: skip

        copied = sources(args.seed)
        copy_in(draw(args.new, 10**9, rng, copies_of=copied))
        started = time.perf_counter()
        checked = job.check_new_texts()
        streamed = time.perf_counter() - started
        links = NearDuplicateLink.objects.count()
        print(f"- one run checking {checked:,} new posts (read, checked, {links:,} links stored): {streamed:.1f} s, "
              f"{checked / streamed:,.0f} posts/s, {1000 * streamed / checked:.3f} ms a post "
              f"(target >= 10,000/s, <= 1 ms amortised)")  # fmt: skip

        single = []
        for number in range(SINGLE_RUNS):
            copy_in(draw(1, 2 * 10**9 + number, rng, copies_of=copied))
            started = time.perf_counter()
            job.check_new_texts()
            single.append(time.perf_counter() - started)
        print(f"- a run with one new post, every query of the run included: median "
              f"{1000 * statistics.median(single):.1f} ms, p95 {1000 * np.percentile(single, 95):.1f} ms "
              f"({SINGLE_RUNS} runs)")  # fmt: skip

        started = time.perf_counter()
        findings = job.near_duplicate_findings()
        print(
            f"- the week's links grouped: {len(findings):,} groups in {time.perf_counter() - started:.2f} s"
        )
        print(f"  process peak RSS {rss_mb('VmHWM'):,.0f} MB since the reset")
        ContentSignature.objects.filter(object_id__gt=args.posts).delete()


if __name__ == "__main__":
    main()
