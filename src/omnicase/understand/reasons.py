"""Contact-reason baseline: weighted FR/EN phrase cues, confidence from the winning margin.

A scikit-learn model is meant to replace this later behind the same ``classify_reason``
signature; until then a transparent lexicon (``_lexicon.REASON_PHRASES``) gives a usable,
explainable default with no training data.
"""

from __future__ import annotations

from typing import Final

from omnicase.understand._lexicon import REASONS
from omnicase.understand._phrases import scan
from omnicase.understand._text import prepare

DEFAULT_REASONS: Final[tuple[str, ...]] = REASONS

_OTHER: Final = "other"
#: Confidence returned when no cue at all was found.
_NO_EVIDENCE_CONFIDENCE: Final = 0.1
#: Total cue weight at which confidence is half-saturated.
_HALF_SATURATION: Final = 2.0


def reason_from(scores: list[float]) -> tuple[str, float]:
    """Pick the best-scoring reason; confidence grows with its weight and its lead."""
    top = max(scores)  # ties: the first in DEFAULT_REASONS order
    if top <= 0.0:
        return _OTHER, _NO_EVIDENCE_CONFIDENCE
    runner_up = sorted(scores)[-2]
    saturation = top / (top + _HALF_SATURATION)
    lead = (top - runner_up) / top
    return DEFAULT_REASONS[scores.index(top)], round(saturation * (0.4 + 0.6 * lead), 3)


def classify_reason(text: str) -> tuple[str, float]:
    """(reason, confidence 0..1) for ``text``; ``("other", low)`` when nothing matches."""
    scores, _ = scan(prepare(text).norm)
    return reason_from(scores)
