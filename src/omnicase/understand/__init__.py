"""Message understanding: language, contact reason, entities, follow-up, urgency, keywords.

Pure Python (no database, network or model files), called by the ingestion pipeline on
every message, so it is built for speed: precompiled regexes, one tokenisation shared by
all analysers, and lexicons compiled into tries at import.
"""

from omnicase.understand._text import fold
from omnicase.understand.analysis import MAX_CHARS, Analysis, analyse
from omnicase.understand.entities import (
    Amount,
    Entities,
    OrderMatcher,
    compile_order_patterns,
    extract_entities,
)
from omnicase.understand.language import LANGUAGES, detect_language
from omnicase.understand.reasons import DEFAULT_REASONS, classify_reason

__all__ = [
    "DEFAULT_REASONS",
    "LANGUAGES",
    "MAX_CHARS",
    "Amount",
    "Analysis",
    "Entities",
    "OrderMatcher",
    "analyse",
    "classify_reason",
    "compile_order_patterns",
    "detect_language",
    "extract_entities",
    "fold",
]
