"""Cost of one rate-limit check: the in-process bucket and the shared database counter.

python bench/ratelimit_overhead.py [DATABASE_URL] [N]  →  one JSON line per limiter.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time

from omnicase.api.ratelimit import DatabaseLimiter, MemoryLimiter
from omnicase.store.db import Database
from omnicase.store.migrate import upgrade


def per_hit_us(hit: object, n: int) -> float:
    started = time.perf_counter()
    for i in range(n):
        hit(f"token:{i % 50}", 10**6)  # type: ignore[operator]
    return (time.perf_counter() - started) / n * 1e6


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else f"sqlite:///{tempfile.mkdtemp()}/rl.db"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    db = Database(url)
    upgrade(db)
    for name, limiter in (("memory", MemoryLimiter()), ("database", DatabaseLimiter(db))):
        us = per_hit_us(limiter.hit, n)
        figure = {"limiter": name, "database": db.dialect, "hits": n, "us_per_hit": round(us, 1)}
        print(json.dumps(figure))


if __name__ == "__main__":
    main()
