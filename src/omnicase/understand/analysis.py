"""``analyse()``: everything the ingestion pipeline needs to know about one message.

The text is folded and tokenised once, and one trie-regex pass feeds both the reason
scores and the signals; the extractors only run when a cheap gate (a digit, "@", a
currency sign, a time unit) says they can find something.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from omnicase.understand._phrases import scan
from omnicase.understand._text import prepare
from omnicase.understand.entities import Entities, OrderMatcher, extract_from
from omnicase.understand.keywords import keywords_from
from omnicase.understand.language import detect_from
from omnicase.understand.reasons import reason_from
from omnicase.understand.signals import signals_from

#: Only the head of a huge message is analysed: a pasted log or a 40-message quoted
#: thread must not stall ingestion, and what the customer asks is at the top.
MAX_CHARS: Final = 20_000


@dataclass(frozen=True, slots=True)
class Analysis:
    """What one message says, as far as routing, case matching and reporting care."""

    language: str | None
    """ISO 639-1 code, or ``None`` when unsure."""
    reason: str
    """One of ``DEFAULT_REASONS``; "other" when unsure."""
    reason_confidence: float
    """0..1."""
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


def analyse(text: str, orders: OrderMatcher | None = None) -> Analysis:
    """Analyse one message (pure, no I/O); ``orders`` from ``compile_order_patterns``."""
    prepared = prepare(text[:MAX_CHARS])
    scores, mask = scan(prepared.norm)
    reason, confidence = reason_from(scores)
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
    )
