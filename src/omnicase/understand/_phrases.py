"""One pass over a message for every phrase lexicon (reasons and signals).

Reasons and signals share a single trie regex so a message is scanned once; each matched
phrase carries its effects (reason weights, signal bits). At one position the longest
phrase wins and scanning resumes after it, which is how "en plusieurs fois" (payment)
shadows "plusieurs fois" (repeat contact).
"""

from __future__ import annotations

from typing import Final

from omnicase.understand._lexicon import (
    ANGER,
    CHURN,
    FOLLOW_UP,
    LEGAL,
    NEGATIVE,
    NEUTRAL_PHRASES,
    REASON_PHRASES,
    REASONS,
    REPEAT,
    SIGNAL_PHRASES,
)
from omnicase.understand._text import normalise_phrase
from omnicase.understand._trie import compile_trie

#: Bit of each signal in the mask returned by ``scan``.
SIGNAL_BITS: Final[dict[str, int]] = {
    FOLLOW_UP: 1,
    ANGER: 2,
    CHURN: 4,
    LEGAL: 8,
    REPEAT: 16,
    NEGATIVE: 32,
}

REASON_INDEX: Final[dict[str, int]] = {name: i for i, name in enumerate(REASONS)}
N_REASONS: Final = len(REASONS)

_Effects = tuple[tuple[tuple[int, float], ...], int]


def _build() -> dict[str, tuple[bool, _Effects]]:
    """Normalised phrase -> (ends with a prefix word, merged effects)."""
    weights: dict[str, dict[int, float]] = {}
    bits: dict[str, int] = {}
    stars: dict[str, bool] = {}

    def add_key(phrase: str) -> str:
        key = normalise_phrase(phrase)
        words = key.rstrip("*")
        stars[words] = stars.get(words, False) or key.endswith("*")
        weights.setdefault(words, {})
        bits.setdefault(words, 0)
        return words

    for reason, weighted in REASON_PHRASES.items():
        idx = REASON_INDEX[reason]
        for phrase, weight in weighted:
            words = add_key(phrase)
            weights[words][idx] = max(weights[words].get(idx, 0.0), float(weight))
    for signal, phrases in SIGNAL_PHRASES.items():
        for phrase in phrases:
            bits[add_key(phrase)] |= SIGNAL_BITS[signal]
    for phrase in NEUTRAL_PHRASES:
        add_key(phrase)
    return {
        words: (stars[words], (tuple(sorted(weights[words].items())), bits[words]))
        for words in weights
    }


PHRASES: Final = _build()

_EFFECTS: Final[dict[str, _Effects]] = {words: effects for words, (_, effects) in PHRASES.items()}
_FINDALL: Final = compile_trie(w + "*" if star else w for w, (star, _) in PHRASES.items()).findall


def matched_phrases(norm: str) -> list[str]:
    """Lexicon phrases found in a ``Prepared.norm`` string, in order (for tests, debugging)."""
    return [hit[1:] for hit in _FINDALL(norm)]


def scan(norm: str) -> tuple[list[float], int]:
    """Score every reason and collect signal bits for a ``Prepared.norm`` string.

    A phrase counts once however often it is repeated, so one long rant about "colis" does
    not drown every other cue.
    """
    scores = [0.0] * N_REASONS
    mask = 0
    effects = _EFFECTS
    for hit in set(_FINDALL(norm)):
        reasons, bits = effects[hit[1:]]
        mask |= bits
        for idx, weight in reasons:
            scores[idx] += weight
    return scores, mask
