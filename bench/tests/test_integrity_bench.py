"""The integrity benchmark's timings run end to end at a small scale and report both streaming figures."""

from __future__ import annotations

from bench import integrity as bench_integrity


def test_the_timings_stream_in_batches_and_one_at_a_time(capsys):
    bench_integrity.timings(graph_nodes=500, graph_edges=2_000, posts=3_000, day_actions=2_000, seed=1)

    out = capsys.readouterr().out
    assert f"near-duplicate streaming in batches of {bench_integrity.STREAM_BATCH}" in out
    assert "one at a time (batch size 1), into the full index" in out
    assert "bytes per post" in out and "full rebuild of 3000 posts" in out
