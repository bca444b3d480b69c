"""`python -m bench.cascades`: the cascade metrics over a synthetic referral forest, and one
incremental update.

    python -m bench.cascades --nodes 10000000                      # the issue's scale (10M referral events)
    python -m bench.cascades --nodes 100000 --database-url postgresql://postgres@127.0.0.1/quartier_bench_cascades

1. Draws a referral forest of `--nodes` nodes as arrays (`forest`): a third of the nodes are roots
   (people nobody brought), the others are brought either by a recent newcomer (person-to-person
   chains, deep) or by anyone before them (broadcast-like, shallow); a year of joining days with a
   viral night on which the total grows tenfold; a few conversions per node.
2. Times the full recompute in numpy (`quartier.reach.cascades.summarise`: roots, depths, subtree
   sizes, K per generation and cohort, structural virality, adoption and growth, top sharers), step by
   step, against the issue's reference: about 5 s at 10 million nodes on a 2-core machine, 10 s target.
3. With `--database-url` (a database of its own: it migrates and writes to it), times one new
   conversion at the bottom of a `--chain-depth` deep cascade through `record_conversion`: the
   ancestors' counters move with one UPDATE (target: milliseconds).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np

from quartier.reach import cascades

ISSUE_REFERENCE_SECONDS = 5.0  # numpy over a 10M-node forest (issue 23)
TARGET_SECONDS = 10.0


def forest(nodes: int, seed: int = 2008) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(parent, joined_day, credited) for a synthetic referral forest; every parent comes before its
    child, so the arrays are a forest whatever the draw."""
    rng = np.random.default_rng(seed)
    index = np.arange(nodes, dtype=np.int64)
    chain_parent = index - rng.geometric(0.02, nodes)  # a recent newcomer: person to person
    broadcast_parent = (rng.random(nodes) * index).astype(np.int64)  # anyone before: a broadcast
    parent = np.where(rng.random(nodes) < 0.6, chain_parent, broadcast_parent)
    parent[rng.random(nodes) < 0.33] = -1
    parent[parent < 0] = -1
    parent[0] = -1
    # A year of joining, with a viral night: the 9% before day 200 become 90% by the end of it.
    before = int(nodes * 0.09)
    night = int(nodes * 0.81)
    joined_day = np.empty(nodes, dtype=np.int64)
    joined_day[:before] = np.sort(rng.integers(0, 200, before))
    joined_day[before : before + night] = 200
    joined_day[before + night :] = np.sort(rng.integers(201, 365, nodes - before - night))
    credited = rng.poisson(0.4, nodes).astype(np.int64)
    return parent, joined_day, credited


def time_full_recompute(parent: np.ndarray, joined_day: np.ndarray, credited: np.ndarray) -> dict[str, float]:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    root, depth = cascades.roots_and_depths(parent)
    timings["roots and depths"] = time.perf_counter() - started
    step = time.perf_counter()
    sizes = cascades.subtree_sums(parent, depth, np.ones(parent.shape[0], dtype=np.int64))
    timings["subtree sizes"] = time.perf_counter() - step
    step = time.perf_counter()
    built = cascades.Forest(parent=parent, root=root, depth=depth, subtree_size=sizes)
    cascades.structural_virality(built)
    timings["structural virality"] = time.perf_counter() - step
    step = time.perf_counter()
    summary = cascades.summarise(parent, joined_day, credited)
    timings["every metric (summarise, from scratch)"] = time.perf_counter() - step
    timings["cascades"] = summary["cascades"]
    timings["largest cascade"] = summary["largest"][0]["size"] if summary["largest"] else 0
    timings["biggest daily growth"] = max(g for g in summary["growth"] if g is not None)
    return timings


def time_incremental_update(database_url: str, chain_depth: int, repeats: int = 20) -> list[float]:
    """Milliseconds for each of `repeats` new sign-ups at the bottom of a `chain_depth` deep cascade."""
    os.environ["DATABASE_URL"] = database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "quartier.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.utils import timezone

    from quartier.reach.actions.attribution import record_conversion
    from quartier.reach.models import CascadeNode

    call_command("migrate", verbosity=0)
    now = timezone.now()
    bottom = CascadeNode.objects.create(joined_at=now)
    CascadeNode.objects.filter(pk=bottom.pk).update(root=bottom)
    bottom.refresh_from_db()
    ancestors = [bottom.pk]
    for _generation in range(chain_depth):
        bottom = CascadeNode.objects.create(
            parent=bottom, root_id=ancestors[0], generation=len(ancestors), deepest_generation=len(ancestors),
            path="/".join(map(str, ancestors)), joined_at=now,
        )  # fmt: skip
        ancestors.append(bottom.pk)
    sharer_path = bottom
    milliseconds = []
    run = time.time_ns()
    for number in range(repeats):
        started = time.perf_counter()
        # A sign-up credited to the deepest person: one row, a new node, then its ancestors' counters.
        _record_under(record_conversion, sharer_path, f"bench:{run}:{number}")
        milliseconds.append((time.perf_counter() - started) * 1000)
    return milliseconds


def _record_under(record_conversion, node, source_key: str) -> None:
    """`record_conversion` credits a supporter; the benchmark's nodes have none, so it gives the
    deepest node a supporter of its own once."""
    from quartier.accounts.models import Supporter

    if node.supporter_id is None:
        node.supporter = Supporter.objects.create(
            email=f"bench-cascade-{node.pk}@example.org", handle=f"bc{node.pk}"
        )
        node.save(update_fields=["supporter"])
    record_conversion(kind="signup", source_key=source_key, converter=None, credited_to=node.supporter)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--nodes", type=int, default=10_000_000, help="nodes of the referral forest")
    parser.add_argument("--seed", type=int, default=2008)
    parser.add_argument("--database-url", default="", help="a database of its own for the incremental update")
    parser.add_argument("--chain-depth", type=int, default=40, help="generations above the new conversion")
    arguments = parser.parse_args(argv)

    started = time.perf_counter()
    parent, joined_day, credited = forest(arguments.nodes, arguments.seed)
    print(f"forest of {arguments.nodes:,} nodes drawn in {time.perf_counter() - started:.2f} s")
    timings = time_full_recompute(parent, joined_day, credited)
    for name, value in timings.items():
        unit = " s" if name not in {"cascades", "largest cascade", "biggest daily growth"} else ""
        print(f"  {name}: {value:,.3f}{unit}" if unit else f"  {name}: {value:,}")
    total = timings["every metric (summarise, from scratch)"]
    scale = arguments.nodes / 10_000_000
    print(
        f"full recompute: {total:.2f} s for {arguments.nodes:,} nodes; the issue's reference is about "
        f"{ISSUE_REFERENCE_SECONDS * scale:.2f} s at this scale (5 s at 10M, linear), target {TARGET_SECONDS:.0f} s at 10M"
    )
    if arguments.database_url:
        milliseconds = time_incremental_update(arguments.database_url, arguments.chain_depth)
        print(
            f"one new conversion {arguments.chain_depth} generations down: median {statistics.median(milliseconds):.1f} ms, "
            f"max {max(milliseconds):.1f} ms over {len(milliseconds)}"
        )


if __name__ == "__main__":
    main()
