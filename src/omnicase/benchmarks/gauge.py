"""How fast this machine is right now, printed beside a benchmark's figures.

The machine is shared: the same code gave 1,426 and 391 messages/s on the same day with
no code change in between (docs/benchmarks.md, Ingestion). ``cpu_gauge_ms`` is the best
of three runs of a fixed pure-Python loop (one core, no I/O), so a figure can be read
against the speed the machine had when it was taken; ``load_average`` is the 1-minute
load at the start and at the end.
"""

from __future__ import annotations

import os
import time

_LOOP = 1_000_000


def _loop() -> float:
    started = time.perf_counter()
    total = 0
    for i in range(_LOOP):
        total += i * i % 7
    assert total > 0
    return (time.perf_counter() - started) * 1000


def cpu_gauge_ms() -> float:
    return round(min(_loop() for _ in range(3)), 1)


def load_average() -> float:
    try:
        return round(os.getloadavg()[0], 2)
    except OSError:  # not on every platform
        return -1.0
