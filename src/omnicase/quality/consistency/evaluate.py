"""``omnicase eval consistency DIR``: the detector on labelled answer pairs.

Each line of ``DIR/{dev,heldout}/pairs.jsonl`` is an earlier answer (or a macro) ``a``,
a draft ``b``, the label (consistent / contradiction) and the kind of the contradiction.
A pair is predicted a contradiction when the detector finds at least one; precision and
recall are over pairs, and per kind (a predicted kind is right when it is the labelled
one).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from omnicase.quality.consistency.compare import Said, find_contradictions
from omnicase.quality.consistency.facts import extract_facts, macro_facts

KINDS = ("amount", "delay", "date", "decision", "policy")


@dataclass
class Figures:
    pairs: int = 0
    positives: int = 0
    tp: int = 0
    fp: int = 0
    fn: int = 0
    kind_tp: Counter[str] = field(default_factory=Counter)
    kind_fp: Counter[str] = field(default_factory=Counter)
    kind_fn: Counter[str] = field(default_factory=Counter)
    mistakes: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    def per_kind(self, kind: str) -> tuple[float, float, int]:
        tp, fp, fn = self.kind_tp[kind], self.kind_fp[kind], self.kind_fn[kind]
        p = tp / (tp + fp) if tp + fp else 1.0
        r = tp / (tp + fn) if tp + fn else 1.0
        return p, r, tp + fn


def predict(pair: dict[str, Any]) -> list[Any]:
    """The detector's findings for one labelled pair."""
    draft = pair["b"]
    facts = extract_facts(draft["text"], datetime.fromisoformat(draft["sent_at"]))
    earlier = pair["a"]
    if "macro" in earlier:
        macro = earlier["macro"]
        said = Said(macro_id=0, macro_title=macro["title"])
        return find_contradictions(
            facts, macros=[(said, macro_facts(macro["body"], macro["facts"]))]
        )
    other = extract_facts(earlier["text"], datetime.fromisoformat(earlier["sent_at"]))
    return find_contradictions(facts, answers=[(Said(channel=earlier["channel"]), other)])


def evaluate_file(path: Path) -> Figures:
    fig = Figures()
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        pair = json.loads(line)
        fig.pairs += 1
        findings = predict(pair)
        predicted = {f.kind for f in findings}
        positive = pair["label"] == "contradiction"
        fig.positives += positive
        if positive and findings:
            fig.tp += 1
        elif findings:
            fig.fp += 1
        elif positive:
            fig.fn += 1
        truth = {pair["kind"]} if positive else set()
        for kind in KINDS:
            if kind in truth and kind in predicted:
                fig.kind_tp[kind] += 1
            elif kind in predicted:
                fig.kind_fp[kind] += 1
            elif kind in truth:
                fig.kind_fn[kind] += 1
        if bool(findings) != positive or (positive and pair["kind"] not in predicted):
            got = "; ".join(f"{f.kind}/{f.slot}: {f.value} vs {f.other_value}" for f in findings)
            fig.mistakes.append(f"{pair['id']} {pair['label']} {pair.get('note', '')} -> [{got}]")
    return fig


def evaluate_consistency(directory: Path) -> dict[str, Figures]:
    """Figures per split found under ``directory`` (dev first)."""
    out = {}
    for split in ("dev", "heldout"):
        path = directory / split / "pairs.jsonl"
        if path.exists():
            out[split] = evaluate_file(path)
    return out
