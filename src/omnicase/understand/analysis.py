"""``analyse()``: everything the ingestion pipeline needs to know about one message.

The text is folded and tokenised once; the reason model reads those tokens, one trie-regex
pass feeds the signals (and the lexicon's reason, kept beside the model's); the extractors
only run when a cheap gate (a digit, "@", a currency sign, a time unit) says they can find
something.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from omnicase.understand._phrases import scan
from omnicase.understand._text import prepare
from omnicase.understand.entities import Entities, OrderMatcher, extract_from
from omnicase.understand.keywords import keywords_from
from omnicase.understand.language import detect_from
from omnicase.understand.reason_model import default_model
from omnicase.understand.reasons import reason_from
from omnicase.understand.signals import signals_from
from omnicase.understand.taxonomy import Reasoner, Verdict

#: Only the head of a huge message is analysed: a pasted log or a 40-message quoted
#: thread must not stall ingestion, and what the customer asks is at the top.
MAX_CHARS: Final = 20_000


@dataclass(frozen=True, slots=True)
class Analysis:
    """What one message says, as far as routing, case matching and reporting care."""

    language: str | None
    """ISO 639-1 code, or ``None`` when unsure."""
    reason: str
    """One of ``DEFAULT_REASONS`` (or the brand's labels with a ``Reasoner``)."""
    reason_confidence: float
    """0..1 (the model's calibrated probability)."""
    entities: Entities
    follow_up: bool
    """The text chases an earlier request ("des nouvelles ?", "any update", "I already
    wrote"), so it belongs to an existing case."""
    urgency: int
    """0 normal, 1 high, 2 urgent."""
    signals: tuple[str, ...]
    """Why urgency was raised: "anger", "churn_threat", "legal_threat", "repeat_contact",
    "negative"."""
    keywords: frozenset[str]
    """Folded, stemmed content words for similarity between one customer's messages."""
    triage: bool = False
    """The model's confidence is below its threshold: a person should decide the reason."""
    lexicon_reason: tuple[str, float] = ("other", 0.1)
    """The phrase lexicon's (reason, confidence): the baseline, and an explanation."""


def analyse(
    text: str,
    orders: OrderMatcher | None = None,
    reasoner: Reasoner | None = None,
    *,
    verdict: Verdict | None = None,
) -> Analysis:
    """Analyse one message (pure, no I/O); ``orders`` from ``compile_order_patterns``,
    ``reasoner`` the brand's model and taxonomy (default: the packaged model);
    ``verdict`` the reason already decided for it in a batch (``Reasoner.decide_many``)."""
    prepared = prepare(text[:MAX_CHARS])
    scores, mask = scan(prepared.norm)
    lexicon = reason_from(scores)
    reason, confidence, triage = lexicon[0], lexicon[1], False
    if not prepared.tokens:
        pass  # no words: nothing for a model to read ("?", a missed call): "other"
    elif verdict is not None:
        reason, confidence, triage = verdict.reason, verdict.confidence, verdict.triage
    elif reasoner is not None:
        verdict = reasoner.decide(prepared.tokens)
        reason, confidence, triage = verdict.reason, verdict.confidence, verdict.triage
    elif (model := default_model()) is not None:
        prediction = model.predict_tokens(prepared.tokens)
        reason, confidence = prediction.reason, prediction.confidence
        triage = confidence < model.threshold
    follow_up, urgency, signals = signals_from(prepared, mask)
    return Analysis(
        language=detect_from(prepared.unique, prepared.lowered),
        reason=reason,
        reason_confidence=confidence,
        entities=extract_from(prepared, orders),
        follow_up=follow_up,
        urgency=urgency,
        signals=signals,
        keywords=keywords_from(prepared.unique),
        triage=triage,
        lexicon_reason=lexicon,
    )


def analyse_many(
    texts: Sequence[str], orders: OrderMatcher | None = None, reasoner: Reasoner | None = None
) -> list[Analysis]:
    """``analyse`` for many messages, the reason model run once over the whole batch."""
    prepared = [prepare(t[:MAX_CHARS]) for t in texts]
    model = reasoner.model if reasoner is not None else default_model()
    proba = model.probabilities_tokens([p.tokens for p in prepared]) if model else None
    out = []
    for i, p in enumerate(prepared):
        scores, mask = scan(p.norm)
        lexicon = reason_from(scores)
        reason, confidence, triage = lexicon[0], lexicon[1], False
        if model is not None and proba is not None and p.tokens:
            best = int(proba[i].argmax())
            reason, confidence = model.labels[best], round(float(proba[i, best]), 4)
            triage = confidence < model.threshold
            if reasoner is not None:
                reason = reasoner.taxonomy.to_brand(reason)
        follow_up, urgency, signals = signals_from(p, mask)
        out.append(
            Analysis(
                language=detect_from(p.unique, p.lowered),
                reason=reason,
                reason_confidence=confidence,
                entities=extract_from(p, orders),
                follow_up=follow_up,
                urgency=urgency,
                signals=signals,
                keywords=keywords_from(p.unique),
                triage=triage,
                lexicon_reason=lexicon,
            )
        )
    return out
