"""``omnicase bench ingest`` at a small size: every generated message stored once, the
figures it prints present and consistent, and the machine's speed printed beside them."""

from __future__ import annotations

from omnicase.benchmarks.ingest import run_ingest_bench


def test_bench_ingest_prints_its_figures_and_the_machines_speed() -> None:
    out = run_ingest_bench(messages=600, batch_size=200, workers=0)
    assert out["created"] == 600 and out["duplicates"] == 0
    assert 0 < out["cases"] <= 600
    assert abs(out["messages_per_s"] * out["elapsed_s"] - 600) < 12  # both rounded
    assert 0 < out["p50_ms"] <= out["p99_ms"]
    assert out["cpu_gauge_ms"] > 0
    assert len(out["load_average"]) == 2
