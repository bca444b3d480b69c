"""`python -m bench.follow_copy`: the follow graph read out of PostgreSQL, against the raw COPY it wraps.

    python -m bench.follow_copy --edges 100000000 \
        --database-url postgresql://postgres@127.0.0.1:5432/quartier_bench_graph

Issue 23 asks for the follow graph "held as compressed arrays (CSR), loaded in ≤ 10 s" at ~100M
follows. `bench.reach_graph` measures the CSR build from arrays already in memory; this measures the
rest of the way, on a real `social_follow` table:

1. **Fill** `social_follow` up to `--edges` synthetic follows among `--nodes` supporter ids (binary
   COPY in; foreign-key triggers off for the load only, since the benchmark has no supporters table to
   match; later runs find it filled). Power-law followed side (`rank = n·u³`), no repeats, no loops.
2. **Raw reference** (the pipeline's raw PostgreSQL equivalent): the same `COPY (SELECT follower_id,
   followed_id …) TO STDOUT (FORMAT BINARY)`, read and thrown away by psycopg in this process.
3. **Quartier, cold**: `reach.graph.read_edges` (the COPY decoded into numpy by `social.queries.graph`),
   then `graph_from_edges` (CSR); the result is stored as the snapshot `load_follow_graph` keeps.
4. **Quartier, caught up**: `--added` follows (90 % among existing supporters, 10 % from new ones with
   ids above every other) are copied into a staging table and inserted (`ON CONFLICT DO NOTHING`), and
   `--removed` random follows and every follow of one supporter (an account erased) are deleted, the
   table's trigger writing their tombstones as for production's deletes; then `load_follow_graph` reads only those changes, applies them to the
   snapshot and stores it. Then again with no change (the snapshot read, and the last 100,000 follow
   and tombstone ids read again for late commits).

Each step prints wall time and the process's peak resident size; the ratio of the read to the raw COPY
is the figure to compare between machines. Run it alone (`bench.quiet` checks the load first). Every
run adds its follows to the table: a later run reads them too.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import resource
import tempfile
import time

import numpy as np

POSTGRES_EPOCH_US = 946_684_800 * 1_000_000  # 2000-01-01 in Unix microseconds
COPY_SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
ROW = np.dtype(
    [("fields", ">i2"), ("l1", ">i4"), ("follower", ">i8"), ("l2", ">i4"), ("followed", ">i8"),
     ("l3", ">i4"), ("created", ">i8")]
)  # fmt: skip
FILL_CHUNK = 5_000_000


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.follow_copy", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--edges", type=int, default=10_000_000, help="follows (the issue's scale: 100,000,000)"
    )
    parser.add_argument("--nodes", type=int, default=2_000_000, help="supporter ids the follows run between")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_GRAPH_DATABASE_URL", ""))
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--added", type=int, default=10_000, help="follows added before the caught-up load")
    parser.add_argument("--removed", type=int, default=1_000, help="follows deleted before it")
    parser.add_argument(
        "--check", action="store_true", help="compare the caught-up graph with one built from every follow"
    )
    return parser.parse_args(argv)


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def synthetic_follows(count: int, nodes: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """`count` distinct follows (ids from 1): followers uniform, the followed power-law."""
    keys = np.zeros(0, dtype=np.int64)
    while keys.size < count:
        missing = int((count - keys.size) * 1.05) + 1000
        follower = rng.integers(1, nodes + 1, size=missing, dtype=np.int64)
        followed = np.minimum((nodes * rng.random(missing) ** 3).astype(np.int64) + 1, nodes)
        fresh = (follower * (nodes + 1) + followed)[follower != followed]
        keys = np.unique(np.concatenate([keys, fresh]))
    keys = rng.permutation(keys)[:count]
    return keys // (nodes + 1), keys % (nodes + 1)


def copy_in(connection, follower: np.ndarray, followed: np.ndarray, table: str) -> None:
    rows = np.empty(follower.size, dtype=ROW)
    rows["fields"], rows["l1"], rows["l2"], rows["l3"] = 3, 8, 8, 8
    rows["follower"], rows["followed"] = follower, followed
    rows["created"] = int(time.time() * 1_000_000) - POSTGRES_EPOCH_US
    payload = COPY_SIGNATURE + rows.tobytes() + b"\xff\xff"
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")  # no supporters to match, for the load only
        with cursor.copy(
            f"COPY {table} (follower_id, followed_id, created_at) FROM STDIN (FORMAT BINARY)"
        ) as copy:
            for start in range(0, len(payload), 1 << 24):
                copy.write(payload[start : start + (1 << 24)])
        cursor.execute("SET session_replication_role = DEFAULT")


def fill(edges: int, nodes: int, seed: int) -> None:
    from django.db import connection

    from quartier.social.models import Follow

    table = Follow._meta.db_table
    present = Follow.objects.count()
    if present >= edges:
        print(f"fill: skipped, {table} already holds {present:,} follows")
        return
    if present:
        raise SystemExit(
            f"{table} holds {present:,} follows, fewer than asked: drop the database and run again"
        )
    started = time.perf_counter()
    follower, followed = synthetic_follows(edges, nodes, np.random.default_rng(seed))
    print(f"fill: {edges:,} follows drawn in {time.perf_counter() - started:.1f} s", flush=True)
    connection.ensure_connection()
    restore = _drop_secondary_indexes(table)  # built once after the load: far faster than row by row
    for start in range(0, edges, FILL_CHUNK):
        copy_in(
            connection.connection,
            follower[start : start + FILL_CHUNK],
            followed[start : start + FILL_CHUNK],
            table,
        )
        print(f"  {min(start + FILL_CHUNK, edges):,} / {edges:,} follows copied in", flush=True)
    with connection.cursor() as cursor:
        for statement in restore:
            cursor.execute(statement)
        cursor.execute(f"VACUUM ANALYZE {table}")
    print(f"fill: done in {time.perf_counter() - started:.1f} s", flush=True)


def _drop_secondary_indexes(table: str) -> list[str]:
    """Drop the table's unique constraints and indexes other than its primary key; return the
    statements that make them again."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass "
            "AND contype = 'u'",
            [table],
        )
        constraints = cursor.fetchall()
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
            "(SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass)",
            [table, table],
        )
        indexes = cursor.fetchall()
        for name, _definition in constraints:
            cursor.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
        for name, _definition in indexes:
            cursor.execute(f'DROP INDEX "{name}"')
    return [definition for _name, definition in indexes] + [
        f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for name, definition in constraints
    ]


def change_follows(added: int, removed: int, nodes: int, seed: int) -> tuple[int, int]:
    """Add about `added` follows, delete `removed` random ones and every follow of one supporter (their
    tombstones written by the table's trigger); return how many were added and deleted. Each run draws
    other changes (seeded by the table's last id); its newcomers' ids come after every other."""
    from django.db import connection

    from quartier.social.models import Follow

    table = Follow._meta.db_table
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT max(id), max(follower_id), max(followed_id) FROM {table}")
        last, *largest = (value or 0 for value in cursor.fetchone())
        rng = np.random.default_rng([seed, last])
        newcomers = added // 10
        follower = np.concatenate(
            [rng.integers(1, nodes + 1, size=added - newcomers), max(largest) + 1 + np.arange(newcomers)]
        ).astype(np.int64)
        followed = rng.integers(1, nodes + 1, size=added, dtype=np.int64)
        keep = follower != followed
        cursor.execute(
            "CREATE TEMPORARY TABLE bench_new_follows (follower_id bigint, followed_id bigint, created_at timestamptz)"
        )
        copy_in(connection.connection, follower[keep], followed[keep], "bench_new_follows")
        cursor.execute("SET session_replication_role = replica")  # no supporters to match
        cursor.execute(
            f"INSERT INTO {table} (follower_id, followed_id, created_at) SELECT follower_id, followed_id, "
            "created_at FROM bench_new_follows ON CONFLICT DO NOTHING"
        )
        inserted = cursor.rowcount
        cursor.execute("SET session_replication_role = DEFAULT")  # the trigger fires for the DELETE
        cursor.execute("DROP TABLE bench_new_follows")
        ids = rng.permutation(np.unique(rng.integers(1, last + 1, size=2 * removed)))[:removed]
        cursor.execute(f"DELETE FROM {table} WHERE id = ANY(%s)", [list(map(int, ids))])
        deleted = cursor.rowcount
        # One account erased: its supporter leaves the graph, and every node after them moves down one.
        erased = int(rng.integers(1, nodes + 1))
        cursor.execute(f"DELETE FROM {table} WHERE follower_id = %s OR followed_id = %s", [erased] * 2)
        deleted += cursor.rowcount
    return inserted, deleted


def raw_copy() -> tuple[float, int]:
    from django.db import connection

    from quartier.social.models import Follow

    connection.ensure_connection()
    total = 0
    started = time.perf_counter()
    sql = f"COPY (SELECT follower_id, followed_id FROM {Follow._meta.db_table}) TO STDOUT (FORMAT BINARY)"
    with connection.connection.cursor() as cursor, cursor.copy(sql) as copy:
        for block in copy:
            total += len(block)
    return time.perf_counter() - started, total


def main(argv: list[str] | None = None) -> None:
    arguments = parse_arguments(argv)
    if not arguments.database_url.startswith("postgres"):
        raise SystemExit("--database-url must name a PostgreSQL database (the COPY is what is measured)")
    with tempfile.TemporaryDirectory(prefix="quartier-follow-copy-") as private:
        os.environ |= {"DATABASE_URL": arguments.database_url, "PRIVATE_STORAGE_ROOT": private}
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quartier.settings")
        import django

        django.setup()
        from django.core.management import call_command

        from bench import load
        from bench.quiet import check_from_environment
        from quartier.reach import graph, snapshot

        call_command("migrate", verbosity=0)
        fill(arguments.edges, arguments.nodes, arguments.seed)
        print(f"date: {load.now_line()}; machine: {load.machine_description()}")
        quiet = check_from_environment()
        print("quiet" if quiet else "NOT QUIET: every figure below is noise", flush=True)
        raw_seconds, raw_bytes = raw_copy()
        print(
            f"- raw binary COPY out, read and thrown away: {raw_seconds:.1f} s, {raw_bytes / 2**20:,.0f} MiB"
        )
        started = time.perf_counter()
        edges = graph.read_edges()
        read = time.perf_counter() - started
        print(f"- read_edges (COPY decoded into numpy): {read:.1f} s, {edges[0].size:,} edges, "
              f"ratio to the raw COPY {read / raw_seconds:.2f}; peak RSS {peak_mb():,.0f} MB")  # fmt: skip
        started = time.perf_counter()
        built = graph.graph_from_edges(*edges)
        build = time.perf_counter() - started
        del edges
        print(f"- CSR build: {build:.1f} s ({built.nbytes / 2**20:,.0f} MiB of arrays); "
              f"cold load in all {read + build:.1f} s (target ≤ 10 s); peak RSS {peak_mb():,.0f} MB")  # fmt: skip
        started = time.perf_counter()
        with snapshot.one_view():
            start = snapshot.snapshot_start()  # the follows are the ones just read: nothing writes to them
        path = snapshot.snapshot_path()
        snapshot.store_snapshot(dataclasses.replace(start, graph=built), path)
        stored = time.perf_counter() - started
        del built, start
        print(f"- snapshot stored: {stored:.1f} s, {path.stat().st_size / 2**20:,.0f} MiB", flush=True)
        started = time.perf_counter()
        added, deleted = change_follows(arguments.added, arguments.removed, arguments.nodes, arguments.seed)
        print(f"- changes: {added:,} follows added, {deleted:,} deleted (tombstones by the trigger) "
              f"in {time.perf_counter() - started:.1f} s", flush=True)  # fmt: skip
        started = time.perf_counter()
        caught_up = snapshot.load_follow_graph(use_cache=True)
        incremental = time.perf_counter() - started
        print(f"- caught-up load (`load_follow_graph`: snapshot + changes, stored again): {incremental:.1f} s "
              f"(target ≤ 10 s), {caught_up.edge_count:,} edges; peak RSS {peak_mb():,.0f} MB")  # fmt: skip
        if arguments.check:
            whole = graph.graph_from_edges(*graph.read_edges())
            same = all(
                np.array_equal(caught_up.arrays()[name], array) for name, array in whole.arrays().items()
            )
            print(f"  the same arrays as a graph built from every follow: {same}", flush=True)
            del whole
        del caught_up
        started = time.perf_counter()
        unchanged = snapshot.load_follow_graph(use_cache=True)
        warm = time.perf_counter() - started
        print(f"- load with no change since (the snapshot read, late ids checked): {warm:.1f} s; "
              f"{unchanged.edge_count:,} edges")  # fmt: skip


if __name__ == "__main__":
    main()
