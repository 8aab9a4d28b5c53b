"""The threading evaluation on the labelled journeys.

Targets: pairwise precision ≥ 0.98 and recall ≥ 0.95. The ``dev`` split is the one the
threading weights are tuned on; ``heldout`` is never looked at message by message (the
CLI refuses to list or trace its mistakes). docs/benchmarks.md records both. The held-out
split does not reach the targets yet: its assertion is a floor at today's measured level,
so that nothing regresses while the gap is worked on.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from omnicase.ingest.evaluate import evaluate_threading

JOURNEYS = Path(__file__).resolve().parents[1] / "data" / "journeys"

#: Measured on 2026-12-01 (docs/benchmarks.md) on the 47 held-out journeys, 30 of them
#: by an author whose journeys nothing was ever tuned on; raise these as the gap closes.
HELDOUT_FLOOR = {"precision": 0.90, "recall": 0.85}


@pytest.mark.slow
def test_threading_precision_and_recall() -> None:
    report = evaluate_threading(JOURNEYS)
    assert set(report.splits) == {"dev", "heldout"}
    assert sum(f.journeys for f in report.splits.values()) >= 40
    for split, fig in report.splits.items():
        print(f"{split}: precision={fig.precision:.4f} recall={fig.recall:.4f}")
    dev = report.splits["dev"]
    assert dev.precision >= 0.98, report.mistakes
    assert dev.recall >= 0.95, report.mistakes
    held = report.splits["heldout"]
    assert held.precision >= HELDOUT_FLOOR["precision"]
    assert held.recall >= HELDOUT_FLOOR["recall"]


def test_held_out_journeys_cannot_be_traced() -> None:
    held = next((JOURNEYS / "heldout").glob("*.jsonl")).name.split("_")[0]
    with pytest.raises(ValueError, match="held-out"):
        evaluate_threading(JOURNEYS, trace=frozenset({held}))
