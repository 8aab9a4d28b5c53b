"""How long the supervisor dashboard's read takes on a busy floor: the routing
benchmark's set-up (500 agents, 20 queues, N open cases of one brand), then
``live_dashboard`` 7 times; prints the median and the worst.

    .venv/bin/python bench/dashboard.py 20000 [DATABASE_URL]
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from sqlalchemy import select

from omnicase.benchmarks.ingest import reset_schema
from omnicase.benchmarks.routing import NOW, _setup
from omnicase.model import User
from omnicase.services.dashboard import live_dashboard
from omnicase.store.db import Database
from omnicase.store.migrate import upgrade
from omnicase.store.scope import principal_for


def main(cases: int, url: str | None) -> str:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(url or f"sqlite:///{Path(tmp) / 'dashboard.db'}")
        if db.dialect == "postgresql":
            reset_schema(db)
        upgrade(db)
        brand = _setup(db, 500, 20, cases, random.Random(7))
        with db.reading() as s:
            user = s.scalars(select(User).where(User.organisation_id == brand)).first()
            assert user is not None
            who = principal_for(s, user)
        times = []
        for _ in range(7):
            with db.reading() as s:
                t0 = time.perf_counter()
                board = live_dashboard(s, who, NOW)
                times.append(time.perf_counter() - t0)
        times.sort()
        agents = sum(len(side.agents) for side in board.sides)
        return (
            f"{db.dialect}: {cases} open cases, {len(board.queues)} queues, {agents} agents: "
            f"median {times[3] * 1000:.0f} ms, max {times[-1] * 1000:.0f} ms"
        )


if __name__ == "__main__":
    print(main(int(sys.argv[1]), sys.argv[2] if len(sys.argv) > 2 else None))
