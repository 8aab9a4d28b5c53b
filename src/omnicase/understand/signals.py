"""Follow-up detection and urgency signals (anger, churn, legal threat, repeat contact).

Follow-ups matter to case matching (a chase belongs to an existing case, never a new one);
signals raise urgency so that an angry third contact or a lawyer threat is seen first.
"""

from __future__ import annotations

import re
from typing import Final

from omnicase.understand._lexicon import ANGER, CHURN, LEGAL, NEGATIVE, REPEAT
from omnicase.understand._phrases import SIGNAL_BITS
from omnicase.understand._text import Prepared, count_upper, words

FOLLOW_UP_BIT: Final = SIGNAL_BITS["follow_up"]
#: Signals in the order ``Analysis.signals`` lists them.
SIGNAL_ORDER: Final = (ANGER, CHURN, LEGAL, REPEAT, NEGATIVE)
_ORDERED_BITS: Final = tuple((SIGNAL_BITS[name], name) for name in SIGNAL_ORDER)
_ANGER_BIT: Final = SIGNAL_BITS[ANGER]

#: A short message made only of these words and a "?" is a chase: "Alors ?", "Up", "Hello ?".
_CHASE_WORDS: Final = frozenset(
    words(
        "alors et donc up ping re hello bonjour allo so well hi hey news nouvelles svp please"
        " relance rebonjour ou en est on"
    )
)
_CHASE_ALONE: Final = frozenset(("up", "ping", "relance", "news", "nouvelles"))

#: Runs of >= 3 capital letters; many of them is caps-lock shouting, a few are acronyms.
_CAPS_RUN: Final = re.compile(r"[A-ZÀ-ÖØ-Þ]{3,}")
_SHOUT_RUNS: Final = 3
_SHOUT_LETTERS: Final = 15


def _bare_chase(prepared: Prepared) -> bool:
    tokens = prepared.tokens
    if not tokens:
        return "?" in prepared.text
    if len(tokens) > 4 or not _CHASE_WORDS.issuperset(tokens):
        return False
    return "?" in prepared.text or not _CHASE_ALONE.isdisjoint(tokens)


def _shouting(text: str) -> bool:
    if count_upper(text) < _SHOUT_LETTERS:  # byte-level count: cheap gate for the regex
        return False
    runs = _CAPS_RUN.findall(text)
    return len(runs) >= _SHOUT_RUNS and sum(map(len, runs)) >= _SHOUT_LETTERS


def signals_from(prepared: Prepared, mask: int) -> tuple[bool, int, tuple[str, ...]]:
    """(follow_up, urgency, signals) from the phrase-scan bit mask and the raw text.

    Urgency is 1 with any signal, 2 with a legal threat or two signals or more.
    """
    follow_up = bool(mask & FOLLOW_UP_BIT) or (len(prepared.tokens) <= 4 and _bare_chase(prepared))
    text = prepared.text
    if not mask & _ANGER_BIT and ("!!!" in text or _shouting(text)):
        mask |= _ANGER_BIT
    signals = tuple(name for bit, name in _ORDERED_BITS if mask & bit)
    if not signals:
        return follow_up, 0, ()
    urgency = 2 if LEGAL in signals or len(signals) >= 2 else 1
    return follow_up, urgency, signals


def signals_of(text: str) -> tuple[str, ...]:
    """The urgency signals of one raw text (what ``analyse`` reports), for evaluations."""
    from omnicase.understand._phrases import scan
    from omnicase.understand._text import prepare

    prepared = prepare(text)
    return signals_from(prepared, scan(prepared.norm)[1])[2]
