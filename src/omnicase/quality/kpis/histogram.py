"""Fixed log-spaced duration histograms: days add up, percentiles come from merged ones.

Bucket 0 holds durations under 1 s; bucket ``k >= 1`` holds ``[10^((k-1)/20), 10^(k/20))``
seconds (20 buckets a decade, ratio 1.122), up to ``10^8`` s (~3 years, 161 buckets). A
percentile is reported as the geometric middle of its bucket, so it is within a factor
``10^(1/40)`` = 1.059 of the true value: at most 5.9 % off (bucket 0 reports 0.5 s).
Stored sparse as ``{"bucket": count}`` (JSON keys are strings).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping

PER_DECADE = 20
MAX_BUCKET = 8 * PER_DECADE + 1
#: Largest relative error of a percentile read from a histogram.
RELATIVE_ERROR = 10 ** (1 / (2 * PER_DECADE)) - 1

Histogram = dict[int, int]


def bucket_of(seconds: float) -> int:
    if seconds < 1:
        return 0
    return min(MAX_BUCKET, math.floor(math.log10(seconds) * PER_DECADE) + 1)


def bucket_value(bucket: int) -> float:
    """The value a percentile falling in ``bucket`` reports (its geometric middle)."""
    if bucket == 0:
        return 0.5
    return float(10 ** ((bucket - 0.5) / PER_DECADE))


def add(hist: Histogram, seconds: float, n: int = 1) -> None:
    b = bucket_of(seconds)
    hist[b] = hist.get(b, 0) + n


def merge(into: Histogram, other: Mapping[int | str, int]) -> None:
    for key, n in other.items():
        b = int(key)
        into[b] = into.get(b, 0) + int(n)


def percentile(hist: Mapping[int, int], q: float) -> float | None:
    """Nearest rank: the value at rank ``ceil(q * n)`` (rank 1 at least); None if empty."""
    total = sum(hist.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(q * total))
    seen = 0
    for b in sorted(hist):
        seen += hist[b]
        if seen >= rank:
            return bucket_value(b)
    return bucket_value(max(hist))  # pragma: no cover - rank <= total


def exact_percentile(values: Iterable[float], q: float) -> float | None:
    """The same nearest-rank rule on raw values (tests and live checks)."""
    ordered = sorted(values)
    if not ordered:
        return None
    return ordered[max(1, math.ceil(q * len(ordered))) - 1]


def to_json(hist: Mapping[int, int]) -> dict[str, int]:
    return {str(b): n for b, n in sorted(hist.items()) if n}
