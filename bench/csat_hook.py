"""Cost of the survey-answer hook inside ingestion: the share of the batch transaction
spent in ``quality.csat.hook.on_ingested`` (one indexed lookup per batch).

.venv/bin/python bench/csat_hook.py 20000
"""

from __future__ import annotations

import json
import sys
import time
from typing import Any

from omnicase.benchmarks.ingest import run_ingest_bench
from omnicase.ingest import pipeline


def main(n: int) -> None:
    spent: list[float] = []
    real = pipeline.csat_answers

    def timed(*args: Any) -> int:
        t = time.perf_counter()
        try:
            return real(*args)
        finally:
            spent.append(time.perf_counter() - t)

    pipeline.csat_answers = timed
    result = run_ingest_bench(messages=n, workers=0)
    total = sum(spent)
    print(
        json.dumps(
            {
                "messages": n,
                "ingest_s": result.get("seconds") or result.get("elapsed_s"),
                "hook_s": round(total, 4),
                "hook_calls": len(spent),
                "hook_ms_per_batch": round(1000 * total / max(1, len(spent)), 3),
                "bench": {k: v for k, v in result.items() if not isinstance(v, dict | list)},
            }
        )
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 20_000)
