"""``omnicase bench kpis``: roll-ups of N cases, then a day's KPIs and a 30-day trend.

One brand, a provider team and 30 agents; N cases spread evenly over ``days`` days
ending on :data:`LAST_DAY`, each with a first contact, mostly an answer (some late, some
on another channel) and sometimes a second contact and its answer. Base rows are written
directly with executemany (customers, cases, messages), then ``rebuild`` computes every
day; then the timed reads: one stored day broken down by channel and team, today (the
last day: computed live from the base tables) and a 30-day trend.
"""

from __future__ import annotations

import json
import random
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import JSON, Connection, Table, insert, select, text

from omnicase.benchmarks.ingest import reset_schema
from omnicase.model import Case, Customer, Message, User
from omnicase.quality.kpis.query import query, trend
from omnicase.quality.kpis.rollup import rebuild
from omnicase.services.orgs import (
    do_create_engagement,
    do_create_org,
    do_create_team,
    do_create_user,
)
from omnicase.store.db import Database
from omnicase.store.migrate import upgrade
from omnicase.store.scope import principal_for

LAST_DAY = datetime(2026, 11, 30, tzinfo=UTC)
CHANNELS = (
    ["email"] * 35
    + ["chat"] * 15
    + ["phone"] * 15
    + ["webform"] * 10
    + ["messenger", "instagram", "whatsapp", "x", "sms"] * 5
)
REASONS = (
    "order",
    "delivery",
    "availability",
    "return",
    "refund",
    "promotion",
    "payment",
    "account",
    "product",
    "other",
)
QUEUES = {"email": "general", "webform": "general", "chat": "live", "phone": "live"}
CHUNK = 5000


def _setup(db: Database) -> tuple[int, list[int], list[int], int]:
    with db.transaction() as s:
        brand = do_create_org(s, slug="acme", name="Acme", kind="brand", case_prefix="AC")
        provider = do_create_org(s, slug="callpro", name="CallPro", kind="provider")
        internal = do_create_team(s, brand, "Paris")
        outside = do_create_team(s, provider, "Lille")
        do_create_engagement(
            s, team=outside, brand=brand, starts_on=LAST_DAY.date() - timedelta(days=3650)
        )
        agents = [
            do_create_user(
                s,
                brand if i < 20 else provider,
                email=f"a{i}@bench.test",
                name=f"agent {i}",
                role="agent",
                team=internal if i < 20 else outside,
            ).id
            for i in range(30)
        ]
        admin = do_create_user(s, brand, email="admin@bench.test", name="admin", role="admin")
        return brand.id, agents, [internal.id, outside.id], admin.id


def _bulk(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> None:
    """Insert ``rows`` (same keys each): COPY on PostgreSQL (an executemany of JSON columns
    costs ~4x more there), executemany elsewhere."""
    if not rows:
        return
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), rows)
        return
    names = list(rows[0])
    as_json = {n for n in names if isinstance(table.c[n].type, JSON)}
    columns = ", ".join(f'"{n}"' for n in names)
    raw = conn.connection.driver_connection
    assert raw is not None
    with raw.cursor() as cur, cur.copy(f"COPY {table.name} ({columns}) FROM STDIN") as copy:
        for r in rows:
            copy.write_row([json.dumps(r[n]) if n in as_json else r[n] for n in names])


def _insert_ids(conn: Connection, table: Table, rows: list[dict[str, Any]]) -> list[int]:
    """Insert ``rows``, return their ids in order: on PostgreSQL ids taken from the table's
    sequence then one COPY (an INSERT .. RETURNING of thousands of rows spends its time in
    the driver parsing placeholders), else INSERT .. RETURNING."""
    if conn.dialect.name != "postgresql":
        return list(conn.execute(insert(table).returning(table.c.id), rows).scalars().all())
    ids = list(
        conn.execute(
            text("SELECT nextval(:seq) FROM generate_series(1, :n)"),
            {"seq": f"{table.name}_id_seq", "n": len(rows)},
        ).scalars()
    )
    _bulk(conn, table, [{"id": i, **r} for i, r in zip(ids, rows, strict=True)])
    return ids


def _generate(
    db: Database,
    brand_id: int,
    agents: list[int],
    teams: list[int],
    cases: int,
    days: int,
    seed: int,
) -> int:
    rng = random.Random(seed)
    start = LAST_DAY - timedelta(days=days - 1) - timedelta(hours=1)  # local midnight (UTC+1)
    span = days * 86400
    customers = cast(Table, Customer.__table__)
    case_t = cast(Table, Case.__table__)
    msg_t = cast(Table, Message.__table__)
    n_messages = 0
    with db.write_engine.begin() as conn:
        for first in range(0, cases, CHUNK):
            n = min(CHUNK, cases - first)
            cids = _insert_ids(
                conn, customers, [{"brand_id": brand_id, "created_at": start} for _ in range(n)]
            )
            plans: list[dict[str, Any]] = []
            rows: list[dict[str, Any]] = []
            for i, cid in enumerate(cids):
                at = start + timedelta(seconds=span * (first + i) / cases + rng.uniform(0, 60))
                channel = rng.choice(CHANNELS)
                agent = rng.choice(agents)
                answered = rng.random() < 0.93
                answer = at + timedelta(seconds=rng.lognormvariate(7, 1.5)) if answered else None
                # cases older than two weeks are all resolved (a real backlog is recent)
                recent = at > LAST_DAY - timedelta(days=14)
                done = (answer or at + timedelta(days=2)) + timedelta(
                    seconds=rng.lognormvariate(9, 1)
                )
                resolved = done if not recent or rng.random() < 0.8 else None
                rows.append(
                    {
                        "brand_id": brand_id,
                        "customer_id": cid,
                        "status": "resolved" if resolved else "open",
                        "channel": channel,
                        "reason": rng.choice(REASONS),
                        "queue": QUEUES.get(channel, "social"),
                        "team_id": teams[0] if agent in agents[:20] else teams[1],
                        "priority": 0,
                        "message_count": 2,
                        "order_numbers": [],
                        "keywords": [],
                        "first_inbound_at": at,
                        "last_inbound_at": at,
                        "last_message_at": at,
                        "first_response_at": answer,
                        "resolved_at": resolved,
                        "created_at": at,
                        "updated_at": resolved or at,
                    }
                )
                plans.append(
                    {
                        "at": at,
                        "channel": channel,
                        "agent": agent,
                        "answer": answer,
                        "cid": cid,
                        "again": rng.random() < 0.2,
                    }
                )
            ids = _insert_ids(conn, case_t, rows)
            msgs: list[dict[str, Any]] = []
            for case_id, p in zip(ids, plans, strict=True):
                base = {
                    "brand_id": brand_id,
                    "created_at": p["at"],
                    "case_id": case_id,
                    "customer_id": p["cid"],
                    "references": [],
                    "attachments": [],
                    "meta": {},
                    "entities": {},
                    "link_rule": "bench",
                    "link_score": 1.0,
                    "link_detail": {},
                    "delivery_status": "received",
                    "conversation_id": None,
                    "author_user_id": None,
                }
                msgs.append(
                    {
                        **base,
                        "channel": p["channel"],
                        "direction": "inbound",
                        "external_id": f"i{case_id}",
                        "received_at": p["at"],
                    }
                )
                if p["answer"] is not None:
                    msgs.append(
                        {
                            **base,
                            "channel": p["channel"],
                            "direction": "outbound",
                            "external_id": f"o{case_id}",
                            "received_at": p["answer"],
                            "author_user_id": p["agent"],
                        }
                    )
                    if p["again"]:
                        again = p["answer"] + timedelta(hours=2)
                        msgs.append(
                            {
                                **base,
                                "channel": rng.choice(CHANNELS),
                                "direction": "inbound",
                                "external_id": f"j{case_id}",
                                "received_at": again,
                            }
                        )
            _bulk(conn, msg_t, msgs)
            n_messages += len(msgs)
    return n_messages


def run_kpis_bench(
    *, cases: int, days: int = 365, url: str | None = None, seed: int = 7
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            if db.dialect == "postgresql":
                reset_schema(db)
            upgrade(db)
            brand_id, agents, teams, admin_id = _setup(db)
            t0 = time.perf_counter()
            messages = _generate(db, brand_id, agents, teams, cases, days, seed)
            generate_s = time.perf_counter() - t0
            if db.dialect == "postgresql":  # as autovacuum would have, on a real database
                with db.write_engine.begin() as conn:
                    conn.execute(text("ANALYZE"))
            first_day = (LAST_DAY - timedelta(days=days - 1)).date()
            t0 = time.perf_counter()
            with db.transaction() as s:
                rows = rebuild(s.connection(), brand_id, first_day, LAST_DAY.date())
            rebuild_s = time.perf_counter() - t0
            now = LAST_DAY + timedelta(hours=20)  # "today" is the last day: live
            day = LAST_DAY.date() - timedelta(days=1)
            with db.reading() as s:
                user = s.scalar(select(User).where(User.id == admin_id))
                assert user is not None
                who = principal_for(s, user)
                t0 = time.perf_counter()
                one = query(s, who, "acme", day, day, ["channel", "team"], now=now)
                day_s = time.perf_counter() - t0
                t0 = time.perf_counter()
                live = query(s, who, "acme", now.date(), now.date(), [], now=now)
                today_s = time.perf_counter() - t0
                t0 = time.perf_counter()
                month = trend(s, who, "acme", 30, now=now)
                trend_s = time.perf_counter() - t0
                t0 = time.perf_counter()
                query(
                    s,
                    who,
                    "acme",
                    day - timedelta(days=29),
                    day,
                    ["channel", "team", "reason"],
                    now=now,
                )
                month_by_s = time.perf_counter() - t0
            return {
                "benchmark": "kpis",
                "database": db.dialect,
                "cases": cases,
                "days": days,
                "messages": messages,
                "generate_s": round(generate_s, 1),
                "rebuild_s": round(rebuild_s, 1),
                "kpi_rows": rows,
                "rebuild_cases_per_s": round(cases / rebuild_s),
                "day_by_channel_team_s": round(day_s, 3),
                "day_rows": len(one["rows"]),
                "today_live_s": round(today_s, 3),
                "today_cases": live["rows"][0]["components"]["cases"] if live["rows"] else 0,
                "trend_30_days_s": round(trend_s, 3),
                "trend_rows": len(month["rows"]),
                "month_by_channel_team_reason_s": round(month_by_s, 3),
            }
        finally:
            db.dispose()
