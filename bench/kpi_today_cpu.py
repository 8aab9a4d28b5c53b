"""CPU time of the live "today" KPI read, on a database left by `omnicase bench kpis`
(or the same generator): wall time on a shared machine is mostly waiting for a core.

    .venv/bin/python bench/kpi_today_cpu.py URL
"""

from __future__ import annotations

import sys
import time
from datetime import timedelta

import holidays  # noqa: F401  (imported once per process in a server, not per read)
from sqlalchemy import select

from omnicase.benchmarks.kpis import LAST_DAY
from omnicase.model import User
from omnicase.quality.kpis.query import query
from omnicase.store.db import Database
from omnicase.store.scope import principal_for


def main(url: str) -> None:
    db = Database(url)
    now = LAST_DAY + timedelta(hours=20)
    with db.reading() as s:
        user = s.scalar(select(User).where(User.email == "admin@bench.test"))
        assert user is not None
        who = principal_for(s, user)
        for _ in range(3):
            wall, cpu = time.perf_counter(), time.process_time()
            query(s, who, "acme", now.date(), now.date(), [], now=now)
            print(
                f"today wall {time.perf_counter() - wall:.3f} s, "
                f"cpu {time.process_time() - cpu:.3f} s"
            )


if __name__ == "__main__":
    main(sys.argv[1])
