"""Whom to ask first: influence maximization under the independent-cascade model, by OPIM-C's
sampling (Tang, Tang, Xiao & Yuan, SIGMOD 2018) on reverse-reachable (RR) sets (`reach.rr_sets`).

The expected spread of a seed set S is n times the probability that S meets a random RR set. Two
independent collections of RR sets grow together, doubling from θ0 up to θ_max:

1. greedy max coverage on the first chooses S and bounds from above what any k people could cover;
2. S's coverage of the second (sets that played no part in choosing S) bounds its spread from below;
3. once lower / upper ≥ 1 - 1/e - ε, S is within (1 - 1/e - ε) of the optimum with probability
   1 - δ (δ = n^-ell); at θ_max (drawn as if the optimum were only k) the guarantee holds regardless;
4. proven is not yet good: a few thousand sets prove the guarantee on 2M people, but greedy's later
   picks are then noise (2-3 % less spread than highest degree on the benchmark's graphs). The sets
   keep doubling while the new choice covers measurably more of the second collection than the
   previous one (`REFINE_GAIN`, twice the noise) or greedy's last pick rests on fewer than
   `MIN_LAST_GAIN` sets, within θ_max and the memory cap; the last proven choice wins.

IMM (Tang, Shi & Xiao 2015), used before, drew the sets its worst-case bound asks for (550,000 on
2M people under the weighted-cascade prior, twice: Chen's correction); the same guarantee is proven
here with a small fraction of them, since the bounds are measured on the instance.

Memory: `memory_bytes` is the job's budget, the graph and the model it is given included. Before each
doubling the sets' bytes are predicted from their mean size so far (`rr_sets.*_BYTES_*`); when the next
collection would not fit, the largest that fits is drawn once more and the search stops there. The
result's ε is then the accuracy actually proven, 1 - 1/e - lower / upper (at most 1 - 1/e: no
guarantee), and `memory_capped` says so.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from quartier.reach import rr_sets
from quartier.reach.graph import FollowGraph
from quartier.reach.influence import CascadeModel
from quartier.reach.rr_sets import Coverage, RRSets, greedy_max_coverage

APPROXIMATION = 1 - 1 / math.e
NODE_BYTES = 48  # per person, besides the graph: the model's two weights, row bounds, greedy's gains
PILOT_SETS = 16  # drawn first in each collection, for the mean size of a set
# Once proven, the sets keep doubling while the new choice covers measurably more of the second
# collection than the previous one: more than this fraction, and more than twice the noise.
REFINE_GAIN = 0.005
# ... and while greedy's last pick rests on fewer sets than this (its gain measured within ~10 %).
MIN_LAST_GAIN = 100

Progress = Callable[[float], None]


@dataclass(frozen=True)
class SeedingResult:
    seeds: np.ndarray  # node indexes, in the order greedy chose them
    estimated_spread: float  # n * fraction of the second collection the seeds cover (unbiased)
    epsilon_requested: float
    epsilon: float  # the accuracy actually guaranteed (larger when the memory cap bit)
    ell: float
    rr_sets: int  # in both collections
    rr_entries: int
    memory_capped: bool

    @property
    def guaranteed(self) -> bool:
        """False when memory ran out before anything was proven (ε reached 1 - 1/e)."""
        return self.epsilon < APPROXIMATION - 1e-9


def log_binomial(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def theta_max(n: int, k: int, epsilon: float, delta: float) -> float:
    """Sets per collection enough for the guarantee whatever the optimum (≥ k) is (OPIM-C, eq. 11)."""
    log_term = math.log(6 / delta)
    root = APPROXIMATION * math.sqrt(log_term) + math.sqrt(APPROXIMATION * (log_binomial(n, k) + log_term))
    return 2 * n * root**2 / (epsilon**2 * k)


def spread_bounds(
    covered_second: int, upper_first: float, sets: int, n: int, log_term: float
) -> tuple[float, float]:
    """A lower bound of the seeds' spread and an upper bound of the optimum, each failing with
    probability exp(-log_term) (martingale bounds of OPIM-C, Lemmas 4.2 and 4.3)."""
    lower = (math.sqrt(covered_second + 2 * log_term / 9) - math.sqrt(log_term / 2)) ** 2 - log_term / 18
    upper = (math.sqrt(upper_first + log_term / 2) + math.sqrt(log_term / 2)) ** 2
    return max(lower, 0.0) * n / sets, upper * n / sets


def _improves(new: np.ndarray, previous: np.ndarray) -> bool:
    """Whether the sets covered by `new` and not `previous` outnumber the reverse by more than
    `REFINE_GAIN` of the coverage and two standard errors of the paired difference."""
    gained, lost = int((new & ~previous).sum()), int((previous & ~new).sum())
    difference = gained - lost
    return difference > REFINE_GAIN * max(1, int(new.sum())) and difference > 2 * math.sqrt(gained + lost)


def imm(
    graph: FollowGraph,
    model: CascadeModel,
    k: int,
    *,
    epsilon: float = 0.1,
    ell: float = 1.0,
    seed: int = 0,
    memory_bytes: int = 1024**3,
    eligible: np.ndarray | None = None,
    progress: Progress | None = None,
) -> SeedingResult:
    """The k people to ask first, within (1 - 1/e - ε) of the best (ε raised if memory runs short).

    (Named after the algorithm it replaced; the sampling is OPIM-C's, see the module's docstring.)
    """
    n = graph.node_count
    candidates = n if eligible is None else int(eligible.sum())
    k = min(k, candidates)
    if n < 2 or k <= 0:
        seeds = np.flatnonzero(eligible)[:k] if eligible is not None else np.arange(min(n, k))
        return SeedingResult(seeds, float(seeds.size), epsilon, epsilon, ell, 0, 0, False)
    delta = float(n) ** -ell
    most = theta_max(candidates, k, epsilon, delta)
    theta = max(1, math.ceil(most * epsilon**2 * k / candidates))
    rounds = max(1, math.ceil(math.log2(most / theta)) + 1)  # the last one draws θ_max
    log_term = math.log(3 * rounds / delta)
    budget = memory_bytes - graph.nbytes - NODE_BYTES * n
    # One BFS batch takes at most a quarter of the budget.
    batch = int(budget // (4 * rr_sets.BFS_BYTES_PER_ENTRY))
    batch = min(rr_sets.BATCH_ENTRIES, max(rr_sets.MIN_BATCH_ENTRIES, batch))
    rng = np.random.default_rng(seed)
    bound = rr_sets.reverse_bound(graph, model)
    first, second = RRSets(graph, model, rng, batch, bound), RRSets(graph, model, rng, batch, bound)

    def affordable() -> int:
        """The most sets per collection whose members, index and BFS fit in the budget."""
        size = (first.entries + second.entries) / max(1, first.count + second.count)
        per_set = 2 * rr_sets.BYTES_PER_SET
        selecting = size * (2 * rr_sets.STORED_BYTES_PER_ENTRY + rr_sets.INDEX_BYTES_PER_ENTRY) + per_set
        drawing = size * 2 * rr_sets.STORED_BYTES_PER_ENTRY + per_set
        drawing_budget = budget - batch * rr_sets.BFS_BYTES_PER_ENTRY
        return int(max(1, min(budget / selecting, drawing_budget / drawing)))

    for collection in (first, second):
        collection.extend_to(min(theta, PILOT_SETS))
    capped = False
    if affordable() < theta:
        theta, capped = affordable(), True
    proven: tuple[Coverage, float] | None = None  # the latest choice proven within 1 - 1/e - ε
    for round_number in range(1, rounds + 1):
        first.extend_to(theta)
        second.extend_to(theta)
        chosen = greedy_max_coverage(*first.flat(), n, k, eligible)
        covered = second.covered_sets(chosen.seeds)
        lower, upper = spread_bounds(int(covered.sum()), chosen.upper_bound, theta, n, log_term)
        ratio = lower / upper if upper > 0 else 0.0
        if progress:
            progress(round_number / rounds)
        if ratio >= APPROXIMATION - epsilon or theta >= most:
            improving = proven is not None and _improves(covered, second.covered_sets(proven[0].seeds))
            refining = proven is not None
            proven = (chosen, ratio)
            if refining and not improving and chosen.last_gain >= MIN_LAST_GAIN:
                break  # twice the sets no longer change the choice measurably
        if round_number == rounds or (capped and proven is None):
            break
        wanted = 2 * theta
        if affordable() < wanted:
            if proven is not None:
                break  # proven already: no partial collection just to refine
            wanted, capped = max(theta, affordable()), True
            if wanted <= theta:
                break
        theta = wanted
    requested = epsilon
    if proven is not None:
        chosen, ratio = proven
        capped = False  # proven: the cap, if it cut the search, did not weaken the guarantee
    else:
        epsilon = min(APPROXIMATION, APPROXIMATION - ratio)
    if progress:
        progress(1.0)
    return SeedingResult(
        seeds=chosen.seeds,
        estimated_spread=n * second.covered(chosen.seeds) / second.count,
        epsilon_requested=requested,
        epsilon=epsilon,
        ell=ell,
        rr_sets=first.count + second.count,
        rr_entries=first.entries + second.entries,
        memory_capped=capped,
    )
