"""``omnicase bench sla``: what the SLA clocks cost per case, and what the periodic check
costs with N open cases.

N open cases of one brand (a channel mix like the demo's, arrivals spread over the last
two days) are written directly, then their clocks are started through
:func:`omnicase.sla.track.on_ingested` in batches of 500, as the pipeline does
(``clock_start_us`` per case), and half of them are answered the same way
(``clock_reply_us``). Then :func:`omnicase.sla.check.do_check` runs at "now": every case
whose at-risk or due time has passed moves, with its events and escalations
(``check_s``, ``check_moved``), and runs once more with nothing due (``check_idle_ms``:
the indexed look-up alone, which is what a check costs most of the time).
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, func, insert, select

from omnicase.benchmarks.ingest import reset_schema
from omnicase.model import Case, Customer, Event, SlaPolicy
from omnicase.services.orgs import do_create_org, do_create_user
from omnicase.sla.check import do_check
from omnicase.sla.track import on_ingested
from omnicase.store.db import Database
from omnicase.store.migrate import upgrade

#: Wednesday 4 November 2026, noon in Paris.
NOW = datetime.fromisoformat("2026-11-04T11:00:00+00:00")
CHANNELS = (
    ["email"] * 35
    + ["chat"] * 15
    + ["phone"] * 15
    + ["webform"] * 10
    + ["messenger", "instagram", "whatsapp", "x", "sms"] * 5
)
BATCH = 500


def _setup(db: Database, cases: int, seed: int) -> list[tuple[int, str, datetime]]:
    rng = random.Random(seed)
    with db.transaction() as session:
        brand = do_create_org(
            session,
            slug="acme",
            name="Acme",
            kind="brand",
            case_prefix="AC",
            timezone="Europe/Paris",
        )
        do_create_user(session, brand, email="sup@acme.test", name="Sup", role="supervisor")
        session.add(
            SlaPolicy(
                brand_id=brand.id,
                name="email",
                channel="email",
                priority=-1,
                first_response_seconds=8 * 3600,
                next_response_seconds=8 * 3600,
                resolution_seconds=40 * 3600,
                business_hours=True,
                at_risk_percent=80,
                escalations=[
                    {"on": "at_risk", "action": "notify"},
                    {"on": "breached", "action": "raise_priority"},
                ],
            )
        )
        brand_id = brand.id
    customers = cast(Table, Customer.__table__)
    table = cast(Table, Case.__table__)
    out: list[tuple[int, str, datetime]] = []
    with db.write_engine.begin() as conn:
        for start in range(0, cases, 2000):
            n = min(2000, cases - start)
            ids = (
                conn.execute(
                    insert(customers).returning(customers.c.id),
                    [{"brand_id": brand_id} for _ in range(n)],
                )
                .scalars()
                .all()
            )
            rows = []
            for cid in ids:
                channel = rng.choice(CHANNELS)
                arrival = NOW - timedelta(seconds=rng.uniform(0, 48 * 3600))
                rows.append(
                    {
                        "brand_id": brand_id,
                        "customer_id": cid,
                        "status": "open",
                        "channel": channel,
                        "priority": 0,
                        "message_count": 1,
                        "order_numbers": [],
                        "keywords": [],
                        "first_inbound_at": arrival,
                        "last_inbound_at": arrival,
                        "last_message_at": arrival,
                    }
                )
            case_ids = conn.execute(insert(table).returning(table.c.id), rows).scalars().all()
            out.extend(
                (case_id, row["channel"], row["first_inbound_at"])
                for case_id, row in zip(case_ids, rows, strict=True)
            )
    return out


def _feed(db: Database, rows: list[dict[str, Any]]) -> float:
    started = time.perf_counter()
    for start in range(0, len(rows), BATCH):
        with db.write_engine.connect() as conn, conn.begin():
            on_ingested(conn, rows[start : start + BATCH], NOW)
    return time.perf_counter() - started


def run_sla_bench(*, cases: int, url: str | None = None, seed: int = 7) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            if db.dialect == "postgresql":
                reset_schema(db)
            upgrade(db)
            made = _setup(db, cases, seed)
            inbound = [
                {
                    "case_id": cid,
                    "direction": "inbound",
                    "received_at": at,
                    "channel": ch,
                    "meta": {},
                }
                for cid, ch, at in made
            ]
            start_s = _feed(db, inbound)
            rng = random.Random(seed + 1)
            replies = [
                {
                    "case_id": cid,
                    "direction": "outbound",
                    "received_at": min(NOW, at + timedelta(seconds=rng.uniform(10, 4 * 3600))),
                    "channel": ch,
                    "meta": {},
                }
                for cid, ch, at in made[::2]
            ]
            reply_s = _feed(db, replies)
            with db.reading() as session:
                due = session.scalar(
                    select(func.count()).select_from(Case).where(Case.sla_next_check_at <= NOW)
                )
            t = time.perf_counter()
            result = do_check(db, NOW)
            check_s = time.perf_counter() - t
            t = time.perf_counter()
            idle = do_check(db, NOW)
            idle_s = time.perf_counter() - t
            with db.reading() as session:
                events = session.scalar(
                    select(func.count()).select_from(Event).where(Event.kind.startswith("sla."))
                )
            return {
                "benchmark": "sla",
                "cases": cases,
                "database": db.dialect,
                "clock_start_us": round(start_s / len(inbound) * 1e6, 1),
                "clock_reply_us": round(reply_s / max(1, len(replies)) * 1e6, 1),
                "due_at_check": due,
                "check_moved": result.cases,
                "check_at_risk": result.at_risk,
                "check_breached": result.breached,
                "check_notifications": result.notifications,
                "check_s": round(check_s, 3),
                "check_per_case_us": round(check_s / max(1, result.cases) * 1e6, 1),
                "check_idle_ms": round(idle_s * 1000, 2),
                "idle_moved": idle.cases,
                "sla_events": events,
            }
        finally:
            db.dispose()
