"""The spread analysis job (run by `tasks.analyse_spread`): how far word of mouth goes and whom to ask first.

Over the follow graph loaded as CSR arrays it computes, and stores in the `SpreadRun`:

1. impressions the seed's way (sharers x mean followers x shares per sharer) beside the unique reach of
   the sharers at one and two hops, counted by HyperLogLog (`hll`);
2. the independent-cascade model's probabilities, from the campaign's share -> conversion history
   (`queries.sharer_conversions`) or the weighted-cascade prior (`influence`);
3. the k people to ask first by IMM (`seeding`), and the expected spread of IMM's, the highest-degree
   and a random choice of k people by Monte-Carlo simulation.

Progress is written to the run's row between stages (a conditional UPDATE, never over a finished run).
"""

from __future__ import annotations

import logging
import time

import numpy as np
from django.conf import settings
from django.utils import timezone

from quartier.reach import hll, influence, queries, seeding
from quartier.reach.graph import FollowGraph
from quartier.reach.models import SpreadRun
from quartier.reach.snapshot import load_follow_graph

logger = logging.getLogger(__name__)
TOP_SHARERS = 10
STAGES = ("graph", "reach", "seeding", "simulation")  # the page names each (views/spread.py)


class _Progress:
    def __init__(self, run_id: int) -> None:
        self.run_id = run_id

    def __call__(self, stage: str, fraction: float) -> None:
        first, last = {"graph": (0, 10), "reach": (10, 35), "seeding": (35, 75), "simulation": (75, 99)}[
            stage
        ]
        percent = int(first + (last - first) * min(max(fraction, 0.0), 1.0))
        SpreadRun.objects.filter(pk=self.run_id, status=SpreadRun.Status.RUNNING).update(
            stage=stage, progress=percent
        )


def analyse_spread(run_id: int) -> None:
    """Compute run `run_id` if it is still queued (a retried task computes nothing twice)."""
    claimed = SpreadRun.objects.filter(pk=run_id, status=SpreadRun.Status.QUEUED).update(
        status=SpreadRun.Status.RUNNING, started_at=timezone.now(), stage="graph", progress=0
    )
    if not claimed:
        return
    run = SpreadRun.objects.get(pk=run_id)
    try:
        results = compute(
            run.seeds_wanted, memory_bytes=run.memory_mb * 1024 * 1024, progress=_Progress(run_id)
        )
    except Exception as error:
        logger.exception("spread analysis %s failed", run_id)
        SpreadRun.objects.filter(pk=run_id).update(
            status=SpreadRun.Status.FAILED, error=str(error)[:300], finished_at=timezone.now()
        )
        return
    SpreadRun.objects.filter(pk=run_id).update(
        status=SpreadRun.Status.DONE, progress=100, stage="", results=results, finished_at=timezone.now()
    )


def compute(k: int, *, memory_bytes: int, progress=None, seed: int = 0) -> dict:
    """Every figure of the spread page, as JSON-ready values (supporter ids, never names)."""
    progress = progress or (lambda stage, fraction: None)
    started = time.perf_counter()
    graph = load_follow_graph()
    results: dict = {
        "graph": {"people": graph.node_count, "follows": graph.edge_count,
                  "seconds": round(time.perf_counter() - started, 3)},
    }  # fmt: skip
    progress("graph", 1.0)
    if graph.edge_count == 0:
        return results
    sharer_ids, conversions = queries.sharer_conversions()
    sharer_nodes = graph.nodes_of(sharer_ids)
    results["reach"] = _reach(graph, sharer_ids, sharer_nodes, conversions, progress)
    model = influence.model_from_history(graph, sharer_nodes, conversions)
    results["model"] = {
        "kind": model.kind,
        "pooled_rate": model.pooled_rate,
        "sharers": int((sharer_nodes >= 0).sum()),
    }
    eligible = np.ones(graph.node_count, dtype=bool)
    unavailable = graph.nodes_of(queries.supporters_who_cannot_be_asked())
    eligible[unavailable[unavailable >= 0]] = False
    chosen = seeding.imm(
        graph, model, k,
        epsilon=settings.REACH_SEEDING_EPSILON_PERCENT / 100, seed=seed, memory_bytes=memory_bytes,
        eligible=eligible, progress=lambda fraction: progress("seeding", fraction),
    )  # fmt: skip
    followers = graph.follower_counts()
    results["seeding"] = {
        "seeds": graph.node_ids[chosen.seeds].tolist(),
        "followers": followers[chosen.seeds].tolist(),
        "estimated_spread": chosen.estimated_spread,
        "epsilon_requested": chosen.epsilon_requested,
        "epsilon": chosen.epsilon,
        "memory_capped": chosen.memory_capped,
        "guaranteed": chosen.guaranteed,
        "rr_sets": chosen.rr_sets,
    }
    results["strategies"] = _compare(graph, model, k, chosen.seeds, eligible, seed, progress)
    results["seconds"] = round(time.perf_counter() - started, 3)
    return results


def _reach(graph: FollowGraph, sharer_ids, sharer_nodes, conversions, progress) -> dict:
    """The seed's impressions beside the measured unique reach (sharers outside the graph reach only themselves)."""
    in_graph = sharer_nodes >= 0
    followers = graph.follower_counts()
    sharers = len(sharer_ids)
    mean_followers = float(followers[sharer_nodes[in_graph]].sum() / sharers) if sharers else 0.0
    shares_per_sharer = float(np.sum(conversions) / sharers) if sharers else 0.0
    reach = hll.unique_reach(
        graph, sharer_nodes[in_graph], precision=settings.REACH_HLL_PRECISION,
        progress=lambda fraction: progress("reach", fraction),
    )  # fmt: skip
    top = np.argsort(-reach.two_hops, kind="stable")[:TOP_SHARERS]
    outside = sharers - int(reach.sharer_nodes.size)  # each reaches at least themselves
    return {
        "sharers": sharers,
        "mean_followers": mean_followers,
        "shares_per_sharer": shares_per_sharer,
        "impressions": sharers * mean_followers * shares_per_sharer,
        "one_hop": reach.campaign_one_hop + outside,
        "two_hops": reach.campaign_two_hops + outside,
        "standard_error": reach.standard_error,
        "precision": reach.precision,
        "top": [
            [int(graph.node_ids[reach.sharer_nodes[i]]), float(reach.one_hop[i]), float(reach.two_hops[i])]
            for i in top
        ],
    }


def _compare(graph, model, k, imm_seeds, eligible, seed, progress) -> dict:
    runs = settings.REACH_SIMULATION_RUNS
    strategies = {
        "imm": imm_seeds,
        "degree": influence.highest_degree_seeds(graph, k, eligible),
        "random": influence.random_seeds(graph, k, seed=seed, eligible=eligible),
    }
    compared = {}
    for done, (name, seeds) in enumerate(strategies.items()):
        spread = influence.simulate_spread(graph, model, seeds, runs=runs, seed=seed + 1)
        compared[name] = {"mean": spread.mean, "standard_error": spread.standard_error, "runs": spread.runs}
        progress("simulation", (done + 1) / len(strategies))
    return compared
