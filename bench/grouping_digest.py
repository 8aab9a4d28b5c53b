"""The case grouping decided on N generated messages, as a digest (A/B of a change that
must not change any decision).

PYTHONPATH=src .venv/bin/python bench/grouping_digest.py 10000 [database url] [out file]
Prints the number of cases and a digest of the grouping (which messages share a case,
whatever the ids); the out file gets one line per case, for a diff.
"""

from __future__ import annotations

import hashlib
import sys
import tempfile

from sqlalchemy import select

from omnicase.benchmarks.ingest import _fresh
from omnicase.demo.generator import demo_scale, generate
from omnicase.ingest.pipeline import ingest_stream
from omnicase.model import Message


def main(n: int, url: str | None, out: str | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = _fresh(url or f"sqlite:///{tmp}/grouping.db")
        stream = (g.message for g in generate(customers=demo_scale(n), messages=n, seed=7))
        for _ in ingest_stream(db, stream, batch_size=500, workers=0):
            pass
        groups: dict[int, list[str]] = {}
        with db.reading() as session:
            for case_id, channel, ext in session.execute(
                select(Message.case_id, Message.channel, Message.external_id)
            ):
                groups.setdefault(case_id, []).append(f"{channel}:{ext}")
        db.dispose()
    lines = sorted(" ".join(sorted(members)) for members in groups.values())
    digest = hashlib.sha256("\n".join(lines).encode()).hexdigest()[:16]
    print(f"messages {n} cases {len(lines)} grouping {digest}")
    if out:
        with open(out, "w") as f:
            f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(
        int(sys.argv[1]) if len(sys.argv) > 1 else 10000,
        sys.argv[2] if len(sys.argv) > 2 else None,
        sys.argv[3] if len(sys.argv) > 3 else None,
    )
