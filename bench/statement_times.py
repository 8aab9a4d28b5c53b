"""Where the database time of batch ingestion goes, statement by statement (client side).

.venv/bin/python bench/statement_times.py 20000 postgresql://postgres@127.0.0.1:5432/bench
Times every cursor execution of the ingestion (wall time, round trip included) and prints
the statements by total time, with their count: what EXPLAIN ANALYZE should look at.
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from collections import Counter
from typing import Any

from sqlalchemy import event, text

from omnicase.benchmarks.ingest import _fresh
from omnicase.demo.generator import demo_scale, generate
from omnicase.ingest.pipeline import ingest
from omnicase.ingest.schema import InboundMessage

_NUMBERED = re.compile(r"%\(\w+?\)s|\$\d+|\?|\b\d+\b")
_CAST = re.compile(r"::[A-Z][A-Z ]*[A-Z]")
_LIST = re.compile(r"\((?:\?, )+\?\)")


def _shape(statement: str) -> str:
    """The statement without its parameters, IN lists collapsed."""
    text = _CAST.sub("", _NUMBERED.sub("?", " ".join(statement.split())))
    return _LIST.sub("(?...)", text)


def _caller() -> str:
    """The innermost omnicase function that issued the statement."""
    frame = sys._getframe(2)
    while frame is not None:
        name = frame.f_code.co_filename
        if "/omnicase/" in name and "/store/" not in name:
            return f"{name.rpartition('/omnicase/')[2]}:{frame.f_code.co_name}"
        frame = frame.f_back
    return "?"


def main(n: int, url: str | None, analyze: bool = False) -> None:
    totals: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    with tempfile.TemporaryDirectory() as tmp:
        db = _fresh(url or f"sqlite:///{tmp}/profile.db")
        msgs = [
            InboundMessage.model_validate(g.message)
            for g in generate(customers=demo_scale(n), messages=n, seed=3)
        ]

        @event.listens_for(db.write_engine, "before_cursor_execute")
        def _start(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            conn.info["t"] = time.perf_counter()

        @event.listens_for(db.write_engine, "after_cursor_execute")
        def _stop(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
            key = f"[{_caller()}] {_shape(statement)}"
            totals[key] += time.perf_counter() - conn.info.pop("t")
            counts[key] += 1

        t0 = time.perf_counter()
        for start in range(0, len(msgs), 500):
            ingest(db, msgs[start : start + 500])
            if analyze and start == 2000 and db.dialect == "postgresql":
                with db.engine.begin() as conn:  # statistics, as autovacuum would gather
                    conn.execute(text("ANALYZE"))
        elapsed = time.perf_counter() - t0
        db.dispose()
    in_db = sum(totals.values())
    print(f"ingest {n / elapsed:.0f}/s, {elapsed:.1f} s, {in_db:.1f} s in statements")
    for key, total in totals.most_common(25):
        print(f"{total:7.2f} s {100 * total / elapsed:5.1f}% {counts[key]:7d}x  {key[:230]}")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 20000,
        sys.argv[2] if len(sys.argv) > 2 else None,
        "--analyze" in sys.argv,
    )
