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
