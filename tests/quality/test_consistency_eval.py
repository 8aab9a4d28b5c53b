"""The labelled evaluation: the targets on dev, and on held-out the level measured when
the detector was first run on it (docs/benchmarks.md); the CLI prints both."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from omnicase.cli import app
from omnicase.quality.consistency.evaluate import evaluate_consistency

DATA = Path(__file__).resolve().parents[2] / "data" / "consistency"


def test_the_labelled_sets_are_large_enough_and_bilingual() -> None:
    for split, least in (("dev", 300), ("heldout", 150)):
        pairs = [json.loads(line) for line in (DATA / split / "pairs.jsonl").open(encoding="utf-8")]
        assert len(pairs) >= least
        assert {p["lang"] for p in pairs} == {"fr", "en"}
        assert {p["kind"] for p in pairs if p["label"] == "contradiction"} == {
            "amount", "delay", "date", "decision", "policy"
        }  # fmt: skip
        assert sum(p["label"] == "consistent" for p in pairs) >= least // 3


def test_the_detector_meets_its_targets() -> None:
    splits = evaluate_consistency(DATA)
    dev, heldout = splits["dev"], splits["heldout"]
    assert dev.precision >= 0.9 and dev.recall >= 0.8
    assert heldout.precision >= 0.90 and heldout.recall >= 0.88


def test_the_cli_prints_both_splits() -> None:
    out = CliRunner().invoke(app, ["eval", "consistency", str(DATA)])
    assert out.exit_code == 0, out.output
    assert "dev      pairs=" in out.output and "heldout  pairs=" in out.output
    assert "decision" in out.output
