"""Whom to ask first: IMM (Tang, Shi & Xiao, SIGMOD 2015) under the independent-cascade model.

The expected spread of a seed set S is n times the probability that S meets a random reverse-reachable
(RR) set: the people who would have converted a uniformly drawn person in a random live-edge world.
IMM draws just enough RR sets for greedy maximum coverage to be within (1 - 1/e - ε) of the optimum
with probability 1 - n^-ell:

1. sampling: lower-bound the optimum by doubling guesses x = n/2, n/4, …, drawing λ'/x sets for each,
   until the greedy cover of the drawn sets proves OPT ≥ x;
2. θ = λ*/LB fresh sets (fresh, after Chen 2018's correction: reusing phase 1's sets breaks the
   guarantee), then greedy max coverage picks the k seeds.

RR sets are drawn in batches with `influence.live_edge_reach` over the `following` arrays (the
reversed influence graph). Memory: each RR set entry costs about `BYTES_PER_ENTRY`; when the θ the
guarantee needs would hold more than `memory_bytes`, ε is raised until it fits (ε ∝ 1/sqrt(θ)), and
the result says so: the guarantee is then the weaker one actually met.

Greedy max coverage keeps every node's exact marginal gain and, once a seed is chosen, subtracts the
sets it newly covers from the gains of their members only (each set is subtracted once): the lazy
part is that nobody else's gain is recomputed (docs/decisions.md).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from quartier.reach.graph import FollowGraph
from quartier.reach.influence import CascadeModel, live_edge_reach, reverse_probability, row_bounds

BYTES_PER_ENTRY = 24  # node (int32), set id (int64), its place in the node index (int64), with slack
BYTES_PER_SET = 16
MAX_EPSILON = 0.5
BATCH_ENTRIES = 2_000_000  # RR-set entries drawn per batch (memory of one BFS)

Progress = Callable[[float], None]


class _RRSets:
    """RR sets drawn so far: their members concatenated, and each set's length."""

    def __init__(self, graph: FollowGraph, model: CascadeModel, rng: np.random.Generator) -> None:
        self.graph, self.rng = graph, rng
        self.probability = reverse_probability(model)
        self.bound = row_bounds(graph.following_indptr, graph.following, model.target, model.source)
        self.members: list[np.ndarray] = []
        self.lengths: list[np.ndarray] = []
        self.count = 0
        self.entries = 0
        self.drawn_sets = 0
        self.drawn_entries = 0  # over every collection of this run, for the mean size

    @property
    def mean_size(self) -> float:
        return self.drawn_entries / self.drawn_sets if self.drawn_sets else 1.0

    def extend_to(self, target: int) -> None:
        while self.count < target:
            batch = int(min(target - self.count, max(1, BATCH_ENTRIES // max(1.0, self.mean_size))))
            roots = self.rng.integers(0, self.graph.node_count, size=batch)
            groups, nodes = live_edge_reach(
                self.graph.following_indptr, self.graph.following, self.probability,
                np.arange(batch), roots, self.graph.node_count, self.rng, self.bound,
            )  # fmt: skip
            self.members.append(nodes.astype(np.int32))
            self.lengths.append(np.bincount(groups, minlength=batch))
            self.count += batch
            self.entries += nodes.size
            self.drawn_sets += batch
            self.drawn_entries += nodes.size

    def clear(self) -> None:
        self.members, self.lengths, self.count, self.entries = [], [], 0, 0

    def select(self, k: int, eligible: np.ndarray | None) -> tuple[np.ndarray, float]:
        """Greedy max coverage: the k seeds and the fraction of the sets they cover."""
        return greedy_max_coverage(
            np.concatenate(self.members), np.concatenate(self.lengths), self.graph.node_count, k, eligible
        )


def greedy_max_coverage(
    members: np.ndarray, lengths: np.ndarray, node_count: int, k: int, eligible: np.ndarray | None = None
) -> tuple[np.ndarray, float]:
    """(1 - 1/e)-approximate maximum coverage of sets given as concatenated `members` and `lengths`."""
    set_count = lengths.size
    if set_count == 0 or k <= 0:
        return np.zeros(0, dtype=np.int64), 0.0
    set_of_entry = np.repeat(np.arange(set_count, dtype=np.int64), lengths)
    set_start = np.concatenate([[0], np.cumsum(lengths)])
    by_node = np.argsort(members)  # any order within a node
    node_start = np.concatenate([[0], np.cumsum(np.bincount(members, minlength=node_count))])
    gains = np.bincount(members, minlength=node_count).astype(np.int64)
    if eligible is not None:
        gains[~eligible] = -1
    covered = np.zeros(set_count, dtype=bool)
    seeds: list[int] = []
    for _ in range(min(k, node_count)):
        best = int(np.argmax(gains))
        if gains[best] < 0:
            break  # nobody eligible is left
        seeds.append(best)
        sets = set_of_entry[by_node[node_start[best] : node_start[best + 1]]]
        fresh = sets[~covered[sets]]
        covered[fresh] = True
        if fresh.size:
            starts, sizes = set_start[fresh], lengths[fresh]
            offsets = np.repeat(starts - np.cumsum(sizes) + sizes, sizes) + np.arange(int(sizes.sum()))
            gains -= np.bincount(members[offsets], minlength=node_count)
        gains[best] = -1  # chosen (its own count just fell to 0 anyway)
        if eligible is not None:
            gains[~eligible] = -1
    return np.asarray(seeds, dtype=np.int64), float(covered.mean())


@dataclass(frozen=True)
class SeedingResult:
    seeds: np.ndarray  # node indexes, in the order greedy chose them
    estimated_spread: float  # n * covered fraction of the final RR sets
    epsilon_requested: float
    epsilon: float  # the accuracy actually guaranteed (larger when the memory cap bit)
    ell: float
    rr_sets: int
    rr_entries: int
    memory_capped: bool


def log_binomial(n: int, k: int) -> float:
    return math.lgamma(n + 1) - math.lgamma(k + 1) - math.lgamma(n - k + 1)


def lambda_prime(n: int, k: int, epsilon_prime: float, ell: float) -> float:
    """Phase 1's number of sets per guess, times the guess (Tang et al. 2015, eq. 9)."""
    log_log = math.log(math.log2(n)) if n > 2 else 0.0
    return (
        (2 + 2 * epsilon_prime / 3)
        * (log_binomial(n, k) + ell * math.log(n) + log_log)
        * n
        / epsilon_prime**2
    )


def lambda_star(n: int, k: int, epsilon: float, ell: float) -> float:
    """Phase 2's number of sets times the optimum's lower bound (Tang et al. 2015, eq. 6)."""
    alpha = math.sqrt(ell * math.log(n) + math.log(2))
    beta = math.sqrt((1 - 1 / math.e) * (log_binomial(n, k) + ell * math.log(n) + math.log(2)))
    return 2 * n * ((1 - 1 / math.e) * alpha + beta) ** 2 / epsilon**2


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
    """The k people to ask first, with IMM's (1 - 1/e - ε) guarantee (ε raised if memory runs short)."""
    n = graph.node_count
    candidates = n if eligible is None else int(eligible.sum())
    k = min(k, candidates)
    if n < 2 or k <= 0:
        seeds = np.flatnonzero(eligible)[:k] if eligible is not None else np.arange(min(n, k))
        return SeedingResult(seeds, float(seeds.size), epsilon, epsilon, ell, 0, 0, False)
    ell = ell * (1 + math.log(2) / math.log(n))  # so that both phases together fail with ≤ n^-ell
    rng = np.random.default_rng(seed)
    sets = _RRSets(graph, model, rng)
    requested, capped = epsilon, False

    def affordable(theta: float) -> bool:
        return theta * (sets.mean_size * BYTES_PER_ENTRY + BYTES_PER_SET) <= memory_bytes

    def fit(theta_of: Callable[[float], float]) -> None:
        nonlocal epsilon, capped
        while not affordable(theta_of(epsilon)) and epsilon < MAX_EPSILON:
            epsilon = min(MAX_EPSILON, epsilon * 1.25)
            capped = True

    # Phase 1: a lower bound of the optimum (doubling guesses).
    lower_bound = 1.0
    rounds = max(1, int(math.log2(n)) - 1)
    for i in range(1, rounds + 1):
        guess = n / 2**i
        sets.extend_to(min(16, int(lambda_prime(n, k, math.sqrt(2) * epsilon, ell) / guess) + 1))
        fit(lambda eps, guess=guess: lambda_prime(n, k, math.sqrt(2) * eps, ell) / guess)
        theta_i = math.ceil(lambda_prime(n, k, math.sqrt(2) * epsilon, ell) / guess)
        if not affordable(theta_i):
            break  # even the largest ε cannot afford this guess: keep the bound found so far
        sets.extend_to(theta_i)
        if progress:
            progress(0.5 * i / rounds)
        _seeds, fraction = sets.select(k, eligible)
        if n * fraction >= (1 + math.sqrt(2) * epsilon) * guess:
            lower_bound = n * fraction / (1 + math.sqrt(2) * epsilon)
            break
    # Phase 2: fresh sets, as many as the guarantee needs (or as the memory cap allows).
    fit(lambda eps: lambda_star(n, k, eps, ell) / lower_bound)
    theta = math.ceil(lambda_star(n, k, epsilon, ell) / lower_bound)
    if not affordable(theta):
        theta = max(1, int(memory_bytes / (sets.mean_size * BYTES_PER_ENTRY + BYTES_PER_SET)))
        epsilon, capped = _epsilon_for(n, k, theta * lower_bound, ell), True
    sets.clear()
    sets.extend_to(theta)
    if progress:
        progress(0.9)
    seeds, fraction = sets.select(k, eligible)
    if progress:
        progress(1.0)
    return SeedingResult(
        seeds=seeds,
        estimated_spread=n * fraction,
        epsilon_requested=requested,
        epsilon=epsilon,
        ell=ell,
        rr_sets=sets.count,
        rr_entries=sets.entries,
        memory_capped=capped,
    )


def _epsilon_for(n: int, k: int, lambda_value: float, ell: float) -> float:
    """The ε that `lambda_star` would ask `lambda_value` for (it scales as 1/ε²)."""
    return math.sqrt(lambda_star(n, k, 1.0, ell) / max(lambda_value, 1.0))
