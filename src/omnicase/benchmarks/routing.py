"""``omnicase bench routing``: push-assignment decisions over a realistic snapshot.

Set-up (not timed): one brand with ``queues`` queues (rules on channel, reason, language),
a provider team engaged on email with a backlog and a share overflow rule, ``agents``
online agents with varied skills (a tenth are the provider's), ``open_cases`` open cases
(a tenth of the agents' capacity already taken, the rest waiting), then ``decisions`` new
cases. Timed: routing those new cases through :func:`omnicase.routing.route_cases` in
transactions of ``batch_size`` (as the ingestion pipeline does per batch), and then one
case per transaction (an API arrival). ``decisions_per_s`` = cases routed / time of the
batched runs, commits included; ``decision_p99_ms`` = the 99th percentile over every
decision of its latency: its own decision in memory (queue, overflow, agent) plus an equal
share of its batch's reads, writes and commit (batch time minus the decisions' own
times, divided by the batch's cases); ``batch_p99_ms`` = the 99th percentile of a
batch's whole time (what the last case of a batch waits at worst); ``single_p50_ms``/
``single_p99_ms`` = routing one case in its own transaction (an API arrival);
``cpu_decisions_per_s`` = cases routed per second of this process's CPU (the database
server's CPU is not in it on PostgreSQL): on a loaded machine it says what the code
costs, independent of how much CPU the scheduler gave it.
"""

from __future__ import annotations

import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, func, insert, select, text

from omnicase.benchmarks.ingest import _percentile, reset_schema
from omnicase.model import AgentProfile, Case, Customer, Presence, RoutingQueue, User
from omnicase.routing.router import route_cases
from omnicase.services.orgs import (
    do_create_engagement,
    do_create_org,
    do_create_team,
)
from omnicase.store.db import Database
from omnicase.store.migrate import upgrade
from omnicase.understand._lexicon import REASONS

CHANNELS = ("email", "chat", "phone", "messenger", "whatsapp", "webform", "sms", "instagram")
LANGS = ("fr", "en", "de", "es")
NOW = datetime(2026, 11, 3, 10, 0, tzinfo=UTC)


def _table(model: Any) -> Table:
    return cast(Table, model.__table__)


def _setup(db: Database, agents: int, queues: int, open_cases: int, rng: random.Random) -> int:
    from omnicase.model import OverflowRule

    with db.transaction() as s:
        brand = do_create_org(s, slug="bench", name="Bench", kind="brand", case_prefix="BN")
        provider = do_create_org(s, slug="benchpro", name="BenchPro", kind="provider")
        team = do_create_team(s, provider, "overflow")
        engagement = do_create_engagement(
            s,
            team=team,
            brand=brand,
            channels=["email"],
            overflow_only=True,
            starts_on=date(2020, 1, 1),
        )
        brand_id, provider_id, team_id = brand.id, provider.id, team.id
        for i in range(queues):
            rule: dict[str, Any] = {"reasons": [REASONS[i % len(REASONS)]]}
            if i % 2:
                rule["channels"] = [CHANNELS[i % len(CHANNELS)]]
            if i % 3 == 0:
                rule["languages"] = [LANGS[i % len(LANGS)]]
            s.add(
                RoutingQueue(
                    brand_id=brand_id,
                    key=f"q{i:02d}",
                    name=f"Queue {i}",
                    position=i,
                    is_default=False,
                    min_level=i % 3,
                    rules=[rule],
                    created_at=NOW,
                )
            )
        s.add(
            RoutingQueue(
                brand_id=brand_id,
                key="general",
                name="General",
                position=999,
                is_default=True,
                min_level=0,
                rules=[],
                created_at=NOW,
            )
        )
        s.add(
            OverflowRule(
                brand_id=brand_id,
                position=1,
                kind="backlog_over",
                params={"queues": [], "channels": ["email"], "reasons": [], "cases": 2000},
                engagement_id=engagement.id,
                active=True,
                created_at=NOW,
            )
        )
        s.add(
            OverflowRule(
                brand_id=brand_id,
                position=2,
                kind="share",
                params={"queues": [], "channels": ["email"], "reasons": [], "percent": 20},
                engagement_id=engagement.id,
                active=True,
                created_at=NOW,
            )
        )
    users = []
    profiles = []
    for i in range(agents):
        provider_agent = i % 10 == 9
        users.append(
            {
                "id": i + 1,
                "organisation_id": provider_id if provider_agent else brand_id,
                "team_id": team_id if provider_agent else None,
                "email": f"a{i}@bench.test",
                "name": f"agent {i}",
                "role": "agent",
                "password_hash": None,
                "active": True,
                "created_at": NOW,
            }
        )
        skills: dict[str, list[Any]] = {"languages": rng.sample(LANGS, rng.randint(1, 3))}
        if i % 4 == 0:
            skills["channels"] = rng.sample(CHANNELS, 4)
        profiles.append(
            {
                "user_id": i + 1,
                "skills": skills,
                "level": rng.randint(0, 3),
                "capacity": {},
                "presence": Presence.online,
                "presence_since": NOW - timedelta(hours=1),
                "last_assigned_at": NOW - timedelta(minutes=rng.randint(0, 600)),
            }
        )
    customers: list[dict[str, Any]] = [
        {"id": i + 1, "brand_id": brand_id, "name": None, "tags": [], "created_at": NOW}
        for i in range(max(1000, open_cases // 3))
    ]
    with db.transaction() as s:
        conn = s.connection()
        conn.execute(insert(_table(User)), users)
        conn.execute(insert(_table(AgentProfile)), profiles)
        conn.execute(insert(_table(Customer)), customers)
        rows = []
        budget = agents * 14 // 10  # a tenth of the capacity taken already
        for i in range(open_cases):
            assigned = i < budget
            rows.append(
                _case_row(
                    i + 1,
                    brand_id,
                    rng,
                    len(customers),
                    queues,
                    assignee=rng.randint(1, agents) if assigned else None,
                )
            )
        for part in range(0, len(rows), 5000):
            conn.execute(insert(_table(Case)), rows[part : part + 5000])
    return brand_id


def _case_row(
    case_id: int,
    brand_id: int,
    rng: random.Random,
    customers: int,
    queues: int,
    assignee: int | None = None,
    queued: bool = True,
) -> dict[str, Any]:
    at = NOW - timedelta(minutes=rng.randint(0, 5000))
    return {
        "id": case_id,
        "brand_id": brand_id,
        "customer_id": rng.randint(1, customers),
        "status": "open",
        "channel": rng.choice(CHANNELS),
        "subject": None,
        "reason": rng.choice(REASONS),
        "reason_confidence": None,
        "language": rng.choice(LANGS),
        "priority": rng.choice((0, 0, 0, 1, 2)),
        "queue": f"q{rng.randrange(queues):02d}" if queued else None,
        "team_id": None,
        "assignee_id": assignee,
        "order_numbers": [],
        "keywords": [],
        "message_count": 1,
        "first_inbound_at": at,
        "first_response_at": None,
        "last_inbound_at": at,
        "last_message_at": at,
        "resolved_at": None,
        "closed_at": None,
        "merged_into_id": None,
        "created_at": at,
        "updated_at": at,
    }


def run_routing_bench(
    *,
    agents: int,
    queues: int,
    open_cases: int,
    decisions: int,
    batch_size: int = 100,
    url: str | None = None,
    seed: int = 7,
    singles: int = 300,
) -> dict[str, Any]:
    rng = random.Random(seed)
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            if db.dialect == "postgresql":
                reset_schema(db)
            upgrade(db)
            brand_id = _setup(db, agents, queues, open_cases, rng)
            customers = max(1000, open_cases // 3)
            first = open_cases + 1
            new_rows = [
                _case_row(first + i, brand_id, rng, customers, queues, queued=False)
                for i in range(decisions + singles)
            ]
            with db.transaction() as s:
                for part in range(0, len(new_rows), 5000):
                    s.connection().execute(insert(_table(Case)), new_rows[part : part + 5000])
            if db.dialect == "postgresql":  # what autovacuum does to a live database
                with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as c:
                    c.execute(text("VACUUM ANALYZE"))
            batch_times: list[float] = []
            per_decision: list[float] = []
            assigned = 0
            cpu = time.process_time()
            started = time.perf_counter()
            ids = [r["id"] for r in new_rows[:decisions]]
            for part in range(0, len(ids), batch_size):
                decide: list[float] = []
                t = time.perf_counter()
                with db.write_engine.connect() as conn, conn.begin():
                    out = route_cases(conn, ids[part : part + batch_size], NOW, timings=decide)
                took = (time.perf_counter() - t) * 1000
                batch_times.append(took)
                # a decision's latency: its own decision in memory plus an equal share of
                # what the batch does once (reads, writes, commit)
                shared = (took - sum(decide)) / max(1, len(decide))
                per_decision.extend(d + shared for d in decide)
                assigned += len(out.assigned)
            elapsed = time.perf_counter() - started
            cpu = time.process_time() - cpu
            single: list[float] = []
            for row in new_rows[decisions:]:
                t = time.perf_counter()
                with db.write_engine.connect() as conn, conn.begin():
                    route_cases(conn, [row["id"]], NOW)
                single.append((time.perf_counter() - t) * 1000)
            with db.reading() as s:
                still_open = s.scalar(select(func.count()).select_from(Case))
            return {
                "benchmark": "routing",
                "agents": agents,
                "queues": queues,
                "open_cases": open_cases,
                "decisions": decisions,
                "batch_size": batch_size,
                "assigned": assigned,
                "decisions_per_s": round(decisions / elapsed, 1),
                "batch_p50_ms": round(_percentile(batch_times, 0.5), 2),
                "batch_p99_ms": round(_percentile(batch_times, 0.99), 2),
                "per_decision_ms": round(elapsed * 1000 / decisions, 3),
                "decision_p50_ms": round(_percentile(per_decision, 0.5), 3),
                "decision_p99_ms": round(_percentile(per_decision, 0.99), 3),
                "cpu_decisions_per_s": round(decisions / cpu, 1) if cpu > 0 else None,
                "single_p50_ms": round(_percentile(single, 0.5), 2),
                "single_p99_ms": round(_percentile(single, 0.99), 2),
                "cases": still_open,
                "database": db.dialect,
            }
        finally:
            db.dispose()
