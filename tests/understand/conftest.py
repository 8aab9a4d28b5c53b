"""Fixtures of the understanding tests: a small corpus sampled from ``data/reasons`` so
that training in a test takes seconds, not the full corpus's half-minute."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from omnicase.understand.corpus import load_split

CORPUS = Path(__file__).resolve().parents[2] / "data" / "reasons"


def write_sample(target: Path, per_reason: dict[str, int]) -> Path:
    """``target/{train,heldout}/sample.jsonl`` with the first N rows of each reason."""
    for split, n in per_reason.items():
        taken: dict[str, int] = {}
        lines = []
        for row in load_split(CORPUS, split):
            if taken.get(row.reason, 0) < n:
                taken[row.reason] = taken.get(row.reason, 0) + 1
                lines.append(json.dumps({"text": row.text, "reason": row.reason}))
        (target / split).mkdir(parents=True, exist_ok=True)
        (target / split / "sample.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return target


@pytest.fixture(scope="session")
def mini_corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_sample(tmp_path_factory.mktemp("corpus"), {"train": 30, "heldout": 12})
