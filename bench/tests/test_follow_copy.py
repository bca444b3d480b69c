"""The follow-table benchmark's synthetic follows are what the table's constraints allow."""

from __future__ import annotations

import numpy as np

from bench.follow_copy import ROW, synthetic_follows


def test_synthetic_follows_are_distinct_in_range_and_never_of_oneself():
    follower, followed = synthetic_follows(20_000, 3000, np.random.default_rng(7))
    assert follower.size == followed.size == 20_000
    assert (follower != followed).all()
    assert follower.min() >= 1 and followed.min() >= 1 and max(follower.max(), followed.max()) <= 3000
    assert np.unique(follower * 10_000 + followed).size == 20_000
    # Power law on the followed side: the most followed tenth holds far more than a tenth of the follows.
    counts = np.sort(np.bincount(followed))[::-1]
    assert counts[:300].sum() > 0.3 * followed.size


def test_a_binary_copy_row_is_three_length_prefixed_bigints():
    assert ROW.itemsize == 2 + 3 * (4 + 8)
