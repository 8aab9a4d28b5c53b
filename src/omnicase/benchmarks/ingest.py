"""``omnicase bench ingest``: the full pipeline on N generated cross-channel messages.

The batch path is :func:`omnicase.ingest.pipeline.ingest_stream`: validation and the
database-free preparation run in ``workers`` processes (default 1, so both cores work),
decisions and writes in this one. ``messages_per_s`` counts all of it; the time spent
generating the traffic is measured apart (``generator_s``) and left out. ``rss_*`` are
this process's (the workers hold no state that grows).
"""

from __future__ import annotations

import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psutil
from sqlalchemy import func, select, text

from omnicase.benchmarks.gauge import cpu_gauge_ms, load_average
from omnicase.demo.generator import DEMO_BRANDS, demo_scale, generate
from omnicase.demo.seed import create_brand
from omnicase.ingest.pipeline import IngestStatus, ingest, ingest_stream
from omnicase.ingest.schema import InboundMessage
from omnicase.model import Case
from omnicase.store.db import Database
from omnicase.store.migrate import upgrade


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    k = min(len(ordered) - 1, max(0, round(q * (len(ordered) - 1))))
    return ordered[k]


def reset_schema(db: Database) -> None:
    """PostgreSQL: drop and recreate the current schema, so tables, procrastinate's schema
    and the events triggers' functions all go (a benchmark database is disposable)."""
    with db.engine.begin() as conn:
        schema = conn.execute(text("SELECT current_schema()")).scalar_one()
        conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))


def _fresh(url: str) -> Database:
    db = Database(url)
    if db.dialect == "postgresql":
        reset_schema(db)
    upgrade(db)
    with db.transaction() as session:
        for spec in DEMO_BRANDS:
            create_brand(session, spec)
    return db


def run_ingest_bench(
    *,
    messages: int,
    batch_size: int = 500,
    url: str | None = None,
    seed: int = 7,
    progress: bool = False,
    workers: int = 1,
) -> dict[str, Any]:
    proc = psutil.Process()
    gauge, load_start = cpu_gauge_ms(), load_average()
    with tempfile.TemporaryDirectory() as tmp:
        db = _fresh(url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            rss_start = proc.memory_info().rss
            stream = generate(customers=demo_scale(messages), messages=messages, seed=seed)
            created = duplicates = 0
            generating = 0.0  # the generator is the benchmark's, not the product's: not timed

            def timed_generator() -> Iterator[dict[str, Any]]:
                nonlocal generating
                iterator = iter(stream)
                while True:
                    t = time.perf_counter()
                    item = next(iterator, None)
                    generating += time.perf_counter() - t
                    if item is None:
                        return
                    yield item.message

            started = time.perf_counter()
            for n, result in enumerate(
                ingest_stream(db, timed_generator(), batch_size=batch_size, workers=workers), 1
            ):
                if result.status is IngestStatus.created:
                    created += 1
                elif result.status is IngestStatus.duplicate:
                    duplicates += 1
                if progress and n % 10_000 == 0:
                    print(f"  {n:,} messages", flush=True)
            elapsed = time.perf_counter() - started - generating
            rss_end = proc.memory_info().rss
            # Latency of one message on its own (what an API call costs), after the load.
            single: list[float] = []
            extra = generate(customers=200, messages=300, seed=seed + 1)
            for i, item in enumerate(extra):
                msg = InboundMessage.model_validate(item.message)
                msg = msg.model_copy(update={"external_id": f"single-{i}-{msg.external_id}"})
                t = time.perf_counter()
                ingest(db, [msg])
                single.append((time.perf_counter() - t) * 1000)
            with db.reading() as session:
                cases = session.scalar(select(func.count()).select_from(Case))
            return {
                "benchmark": "ingest",
                "messages": messages,
                "created": created,
                "duplicates": duplicates,
                "batch_size": batch_size,
                "messages_per_s": round(messages / elapsed, 1),
                "elapsed_s": round(elapsed, 2),
                "generator_s": round(generating, 2),
                "p50_ms": round(_percentile(single, 0.5), 2),
                "p99_ms": round(_percentile(single, 0.99), 2),
                "workers": workers,
                "cases": cases,
                "database": db.dialect,
                "rss_mb": round(rss_end / 2**20, 1),
                "rss_growth_mb": round((rss_end - rss_start) / 2**20, 1),
                "cpu_gauge_ms": gauge,
                "load_average": [load_start, load_average()],
            }
        finally:
            db.dispose()
