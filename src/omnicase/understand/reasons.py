"""Contact reasons: the trained model (``reason_model``), with the phrase lexicon beside it.

``classify_reason`` answers with the packaged model trained on ``data/reasons``; the
weighted FR/EN phrase lexicon (``_lexicon.REASON_PHRASES``) stays as the fallback for an
install without a model file, and as the explainable baseline the evaluation prints.
"""

from __future__ import annotations

from typing import Final

from omnicase.understand._lexicon import REASONS
from omnicase.understand._phrases import scan
from omnicase.understand._text import prepare
from omnicase.understand.reason_model import default_model

DEFAULT_REASONS: Final[tuple[str, ...]] = REASONS

_OTHER: Final = "other"
#: Confidence returned when no cue at all was found.
_NO_EVIDENCE_CONFIDENCE: Final = 0.1
#: Total cue weight at which confidence is half-saturated.
_HALF_SATURATION: Final = 2.0


def reason_from(scores: list[float]) -> tuple[str, float]:
    """The lexicon's pick: the best-scoring reason; confidence grows with its weight and
    its lead."""
    top = max(scores)  # ties: the first in DEFAULT_REASONS order
    if top <= 0.0:
        return _OTHER, _NO_EVIDENCE_CONFIDENCE
    runner_up = sorted(scores)[-2]
    saturation = top / (top + _HALF_SATURATION)
    lead = (top - runner_up) / top
    return DEFAULT_REASONS[scores.index(top)], round(saturation * (0.4 + 0.6 * lead), 3)


def lexicon_reason(text: str) -> tuple[str, float]:
    """(reason, confidence) from the phrase lexicon alone."""
    scores, _ = scan(prepare(text).norm)
    return reason_from(scores)


def classify_reason(text: str) -> tuple[str, float]:
    """(reason, confidence 0..1) for ``text`` from the packaged model (lexicon without one)."""
    model = default_model()
    if model is None:
        return lexicon_reason(text)
    prediction = model.predict(text)
    return prediction.reason, prediction.confidence
