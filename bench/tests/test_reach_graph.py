"""The follow-graph benchmark runs end to end at a tiny scale and reports every stage."""

from __future__ import annotations

import numpy as np

from bench import reach_graph


def test_the_graph_benchmark_reports_every_stage(capsys):
    report = reach_graph.main(
        ["--nodes", "2000", "--follows", "8", "--k", "5", "--runs", "10", "--epsilon", "0.3"]
    )
    assert {
        "generate",
        "csr",
        "npz_save",
        "npz_load",
        "hll",
        "imm",
        "simulate IMM",
        "imm (calibrated)",
    } <= report.keys()
    assert all(figures["peak_mb"] >= 0 and figures["cpu_seconds"] >= 0 for figures in report.values())
    printed = capsys.readouterr().out
    assert "OPIM-C" in printed and "expected spread" in printed


def test_the_generator_draws_power_law_follows_without_loops():
    follower, followed = reach_graph.generate_follows(5_000, 10, 500, seed=1)
    assert (follower != followed).all()
    assert len(set(zip(follower.tolist(), followed.tolist(), strict=True))) == follower.size
    in_degree = np.bincount(followed)
    assert in_degree.max() > 20 * follower.size / 5_000  # a few people followed by very many


def test_the_community_generator_keeps_most_follows_inside_heavy_tailed_communities():
    nodes, communities = 20_000, 40
    follower, followed = reach_graph.generate_community_follows(nodes, 20, 500, communities, seed=3)
    assert (follower != followed).all() and follower.dtype == np.int32
    assert np.unique(follower.astype(np.int64) * (nodes + 1) + followed).size == follower.size
    assert 15 < follower.size / nodes < 20  # about the mean asked for, a few duplicates dropped
    # Same seed, same communities: regenerate the assignment as the generator does.
    rng = np.random.default_rng(3)
    sizes = reach_graph.community_sizes(nodes, communities, rng)
    community_of = np.repeat(np.arange(sizes.size), sizes)[rng.permutation(nodes)]
    inside = (community_of[follower - 1] == community_of[followed - 1]).mean()
    assert inside > 1 - reach_graph.MIXING  # plus the outside draws that land at home
    assert sizes.sum() == nodes and sizes.max() > 5 * np.median(sizes)


def test_zero_communities_keeps_the_independent_generator(capsys):
    reach_graph.main(["--nodes", "1000", "--follows", "5", "--k", "3", "--runs", "5", "--epsilon", "0.4",
                      "--communities", "0"])  # fmt: skip
    assert "no communities" in capsys.readouterr().out
