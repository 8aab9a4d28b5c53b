"""The threading evaluation on the labelled journeys.

Targets (foundation issue): pairwise precision ≥ 0.98 and recall ≥ 0.95. The ``dev`` split
is the one the threading rules are tuned on; ``heldout`` is never looked at message by
message (the CLI refuses to list or trace its mistakes). docs/benchmarks.md records both.

Dev (499 journeys since 2026-12-03, tuned on) reaches both targets: 0.984 / 0.966;
held-out does not: 0.936 / 0.894 (it stayed at 0.932 / 0.887 from 2026-12-02 16:55 until
the refer-back rules of round 8). The assertions below are
floors just under the measured levels, so that nothing regresses while the gap is worked
on; the targets are printed beside the figures.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from omnicase.ingest.evaluate import evaluate_threading

JOURNEYS = Path(__file__).resolve().parents[1] / "data" / "journeys"

TARGET = {"precision": 0.98, "recall": 0.95}
#: Measured on 2026-12-04 20:26 UTC (round 9, with batch 550–579 in dev: the dev split grew,
#: so its floor fell; docs/benchmarks.md); raise these as the gap closes.
FLOOR = {
    "dev": {"precision": 0.976, "recall": 0.954},
    "heldout": {"precision": 0.935, "recall": 0.893},
}


@pytest.mark.slow
def test_threading_precision_and_recall() -> None:
    report = evaluate_threading(JOURNEYS)
    assert set(report.splits) == {"dev", "heldout"}
    assert sum(f.journeys for f in report.splits.values()) >= 40
    for split, fig in report.splits.items():
        print(
            f"{split}: precision={fig.precision:.4f} recall={fig.recall:.4f} "
            f"(targets {TARGET['precision']} / {TARGET['recall']})"
        )
    for split, floor in FLOOR.items():
        fig = report.splits[split]
        assert fig.precision >= floor["precision"], (split, report.mistakes[:20])
        assert fig.recall >= floor["recall"], (split, report.mistakes[:20])


def test_held_out_journeys_cannot_be_traced() -> None:
    held = next((JOURNEYS / "heldout").glob("*.jsonl")).name.split("_")[0]
    with pytest.raises(ValueError, match="held-out"):
        evaluate_threading(JOURNEYS, trace=frozenset({held}))


def test_a_tuning_run_replays_the_dev_split_alone(tmp_path: Path) -> None:
    """``--split dev``: the author of a rule change never sees the held-out figures."""
    from typer.testing import CliRunner

    from omnicase.cli import app

    (tmp_path / "brands.json").write_text(
        (JOURNEYS / "brands.json").read_text(encoding="utf-8"), encoding="utf-8"
    )
    for split in ("dev", "heldout"):
        (tmp_path / split).mkdir()
        source = sorted((JOURNEYS / split).glob("*.jsonl"))[0]
        (tmp_path / split / source.name).write_text(
            source.read_text(encoding="utf-8"), encoding="utf-8"
        )
    result = CliRunner().invoke(app, ["eval", "threading", str(tmp_path), "--split", "dev"])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("dev ") and "heldout" not in result.stdout
    both = CliRunner().invoke(app, ["eval", "threading", str(tmp_path)])
    assert "heldout" in both.stdout
    missing = CliRunner().invoke(app, ["eval", "threading", str(tmp_path), "--split", "test"])
    assert missing.exit_code != 0 and "no journeys" in missing.output
