"""The threading evaluation on the labelled journeys meets its targets."""

from __future__ import annotations

from pathlib import Path

import pytest

from omnicase.ingest.evaluate import evaluate_threading

JOURNEYS = Path(__file__).resolve().parents[1] / "data" / "journeys"


@pytest.mark.slow
def test_threading_precision_and_recall_on_every_split() -> None:
    report = evaluate_threading(JOURNEYS)
    assert set(report.splits) == {"dev", "heldout"}
    total_journeys = sum(f.journeys for f in report.splits.values())
    assert total_journeys >= 40
    for split, fig in report.splits.items():
        print(f"{split}: precision={fig.precision:.4f} recall={fig.recall:.4f}")
        assert fig.precision >= 0.98, (split, report.mistakes)
        assert fig.recall >= 0.95, (split, report.mistakes)
