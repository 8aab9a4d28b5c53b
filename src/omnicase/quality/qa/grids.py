"""Scorecard grids and scoring (pure): criteria ``[{key, label, weight}]``, scores 0–100
per criterion (or 1–5, scaled), the weighted total."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

DEFAULT_CRITERIA: tuple[dict[str, Any], ...] = (
    {"key": "accuracy", "label": "Accuracy / exactitude", "weight": 30},
    {"key": "tone", "label": "Tone / ton", "weight": 20},
    {"key": "spelling", "label": "Spelling / orthographe", "weight": 15},
    {"key": "procedure", "label": "Procedure / procédure", "weight": 20},
    {"key": "personalisation", "label": "Personalisation", "weight": 15},
)
KEY = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_CRITERIA = 20
SCALES = ("100", "5")


class GridError(ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def check_criteria(criteria: Sequence[Mapping[str, Any]] | None) -> list[dict[str, Any]]:
    """Validated criteria (the default five when none are given)."""
    if not criteria:
        return [dict(c) for c in DEFAULT_CRITERIA]
    if len(criteria) > MAX_CRITERIA:
        raise GridError("criteria", f"at most {MAX_CRITERIA}")
    out: list[dict[str, Any]] = []
    seen: set[str] = set()
    for i, c in enumerate(criteria):
        key = str(c.get("key") or "")
        if not KEY.match(key):
            raise GridError(f"criteria[{i}].key", "lower-case letters, digits, _ (max 40)")
        if key in seen:
            raise GridError(f"criteria[{i}].key", f"{key!r} appears twice")
        seen.add(key)
        weight = c.get("weight", 1)
        if isinstance(weight, bool) or not isinstance(weight, int | float) or not 0 < weight <= 100:
            raise GridError(f"criteria[{i}].weight", "a number above 0, at most 100")
        label = str(c.get("label") or key).strip()[:200]
        out.append({"key": key, "label": label, "weight": float(weight)})
    return out


def normalise(value: Any, scale: str, field: str) -> float:
    """A score on the grid's 0–100 scale (1–5: 1 → 0, 3 → 50, 5 → 100)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise GridError(field, "a number")
    if scale == "5":
        if not 1 <= value <= 5:
            raise GridError(field, "from 1 to 5")
        return round((float(value) - 1) / 4 * 100, 2)
    if not 0 <= value <= 100:
        raise GridError(field, "from 0 to 100")
    return float(value)


def score(
    criteria: Sequence[Mapping[str, Any]], scores: Mapping[str, Any], scale: str = "100"
) -> tuple[dict[str, float], float]:
    """Each criterion's 0–100 score and the weighted total; every criterion must be
    scored and no other key given."""
    if scale not in SCALES:
        raise GridError("scale", "100 or 5")
    keys = [str(c["key"]) for c in criteria]
    unknown = sorted(set(scores) - set(keys))
    if unknown:
        raise GridError(f"scores.{unknown[0]}", "not a criterion of this grid")
    missing = [k for k in keys if k not in scores]
    if missing:
        raise GridError(f"scores.{missing[0]}", "missing")
    out = {k: normalise(scores[k], scale, f"scores.{k}") for k in keys}
    weights = {str(c["key"]): float(c["weight"]) for c in criteria}
    total = sum(out[k] * weights[k] for k in keys) / sum(weights.values())
    return out, round(total, 2)
