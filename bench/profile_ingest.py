"""Profile the ingestion pipeline alone (messages generated and validated beforehand).

.venv/bin/py-spy record -f raw -o /tmp/ingest.txt -- .venv/bin/python bench/profile_ingest.py 30000
A second argument profiles another database (PostgreSQL: the database must exist; its
schema is reset).
"""

from __future__ import annotations

import sys
import tempfile
import time

from omnicase.benchmarks.ingest import _fresh
from omnicase.demo.generator import demo_scale, generate
from omnicase.ingest.pipeline import ingest
from omnicase.ingest.schema import InboundMessage


def main(n: int, url: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = _fresh(url or f"sqlite:///{tmp}/profile.db")
        t0 = time.perf_counter()
        msgs = [
            InboundMessage.model_validate(g.message)
            for g in generate(customers=demo_scale(n), messages=n, seed=3)
        ]
        t1 = time.perf_counter()
        for start in range(0, len(msgs), 500):
            ingest(db, msgs[start : start + 500])
        t2 = time.perf_counter()
        print(f"generate+validate {n / (t1 - t0):.0f}/s, ingest {n / (t2 - t1):.0f}/s")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 20000,
        sys.argv[2] if len(sys.argv) > 2 else None,
    )
