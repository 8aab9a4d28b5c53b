"""``omnicase eval replies DIR``: how well the new text of a reply is found.

``DIR/*.eml`` is the dev split (tuned on), ``DIR/heldout/*.eml`` the held-out one (never
tuned on: its mistakes are not listed). Each ``NAME.eml`` has its hand-written expected
new text in ``NAME.expected.txt``. Scored on exactly what ``to_inbound`` puts in
``text``: exact match after whitespace normalisation, and a softer bag-of-words F1 (a
signature line too many costs little, a lost paragraph a lot).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from omnicase.channels.email.parse import new_text, parse_email

__all__ = ["SplitFigures", "evaluate_replies", "token_f1"]

_WORD = re.compile(r"\w+")


@dataclass
class SplitFigures:
    messages: int = 0
    exact: int = 0
    f1_sum: float = 0.0
    mistakes: list[str] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        return self.exact / self.messages if self.messages else 0.0

    @property
    def f1(self) -> float:
        return self.f1_sum / self.messages if self.messages else 0.0


def _normalise(text: str) -> str:
    return " ".join(text.split())


def token_f1(predicted: str, expected: str) -> float:
    """Bag-of-words F1 between two texts (1.0 when both are empty)."""
    p = Counter(_WORD.findall(predicted.casefold()))
    e = Counter(_WORD.findall(expected.casefold()))
    if not p and not e:
        return 1.0
    common = sum((p & e).values())
    if not common:
        return 0.0
    precision, recall = common / sum(p.values()), common / sum(e.values())
    return 2 * precision * recall / (precision + recall)


def _score(paths: list[Path], figures: SplitFigures) -> None:
    for path in paths:
        expected = path.with_name(f"{path.stem}.expected.txt").read_text(encoding="utf-8")
        parsed = parse_email(path.read_bytes(), brand="eval")
        predicted = new_text(parsed)
        figures.messages += 1
        figures.f1_sum += token_f1(predicted, expected)
        if _normalise(predicted) == _normalise(expected):
            figures.exact += 1
        else:
            figures.mistakes.append(
                f"--- {path.name}\nexpected: {_normalise(expected)[:300]}\n"
                f"got:      {_normalise(predicted)[:300]}"
            )


def evaluate_replies(directory: Path) -> dict[str, SplitFigures]:
    """Figures per split: ``dev`` (DIR/*.eml) and ``heldout`` (DIR/heldout/*.eml)."""
    splits: dict[str, SplitFigures] = {}
    for name, paths in (
        ("dev", sorted(directory.glob("*.eml"))),
        ("heldout", sorted((directory / "heldout").glob("*.eml"))),
    ):
        if paths:
            _score(paths, splits.setdefault(name, SplitFigures()))
    return splits
