"""The cascade benchmark's generator draws a forest with the viral night it promises."""

from __future__ import annotations

import numpy as np

from bench import cascades as bench_cascades
from quartier.reach import cascades


def test_the_generator_draws_a_forest_with_a_tenfold_night():
    parent, joined_day, credited = bench_cascades.forest(20_000, seed=1)

    assert (parent < np.arange(parent.shape[0])).all()  # every parent before its child: no cycle
    summary = cascades.summarise(parent, joined_day, credited)
    assert summary["people"] == 20_000 and 0 < summary["cascades"] < 20_000
    assert max(g for g in summary["growth"] if g is not None) >= 9.5


def test_the_full_recompute_reports_every_step():
    timings = bench_cascades.time_full_recompute(*bench_cascades.forest(5_000, seed=2))

    assert {"roots and depths", "subtree sizes", "structural virality"} <= set(timings)
