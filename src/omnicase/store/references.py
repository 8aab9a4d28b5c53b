"""Human case references: ``AC-000123`` is case 123 of the brand whose prefix is ``AC``.

The number is the case's primary key, so references need no per-brand counter (and no lock
that every ingesting process would queue on).
"""

from __future__ import annotations

import re

REFERENCE_RE = re.compile(r"^\s*([A-Za-z]{1,8})-(\d{1,12})\s*$")


def format_reference(prefix: str, case_id: int) -> str:
    return f"{prefix}-{case_id:06d}"


def parse_reference(reference: str) -> tuple[str, int] | None:
    """``("AC", 123)`` for ``"AC-000123"``; None when it is not a reference."""
    match = REFERENCE_RE.match(reference)
    if match is None:
        return None
    return match.group(1).upper(), int(match.group(2))
