"""``omnicase bench web``: server-side render time of the inbox with N cases in the
database and of a case view with M messages, through the whole app (TestClient: routing,
session cookie, access rule, queries, Jinja2), logged in as a brand agent.

N cases of one brand (one inbound message each, a channel mix, arrivals over the last
two days) and one case with M messages across channels are written directly; the figures
are the median and p95 of R requests after one warm-up request each. On PostgreSQL the
tables are ANALYZEd after the bulk load (as autovacuum would do on a live database).
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Table, insert, text

from omnicase.benchmarks.ingest import reset_schema
from omnicase.model import Case, Customer, Identity, Message
from omnicase.services.orgs import do_create_org, do_create_user
from omnicase.store.db import Database
from omnicase.store.migrate import upgrade

CHANNELS = ["email"] * 5 + ["chat", "phone", "webform", "whatsapp", "messenger", "sms"]
REASONS = ["order", "delivery", "return", "refund", "availability", "payment", "other"]
PASSWORD = "bench-password-123"
NOW = datetime.now(UTC)


def _setup(db: Database, cases: int, messages: int, seed: int) -> int:
    """Returns the id of the long case."""
    rng = random.Random(seed)
    with db.transaction() as session:
        brand = do_create_org(
            session, slug="acme", name="Acme", kind="brand", case_prefix="AC", language="fr"
        )
        do_create_user(
            session, brand, email="agent@acme.test", name="Agent", role="agent", password=PASSWORD
        )
        brand_id = brand.id
    customers = cast(Table, Customer.__table__)
    identities = cast(Table, Identity.__table__)
    case_table = cast(Table, Case.__table__)
    message_table = cast(Table, Message.__table__)
    with db.write_engine.begin() as conn:
        for start in range(0, cases, 2000):
            n = min(2000, cases - start)
            ids = (
                conn.execute(
                    insert(customers).returning(customers.c.id),
                    [{"brand_id": brand_id, "name": f"Client {start + i}"} for i in range(n)],
                )
                .scalars()
                .all()
            )
            conn.execute(
                insert(identities),
                [
                    {
                        "brand_id": brand_id,
                        "customer_id": cid,
                        "kind": "email",
                        "value": f"client{cid}@example.fr",
                        "rule": "channel_identity",
                        "score": 1.0,
                    }
                    for cid in ids
                ],
            )
            rows = []
            for cid in ids:
                at = NOW - timedelta(seconds=rng.uniform(0, 48 * 3600))
                rows.append(
                    {
                        "brand_id": brand_id,
                        "customer_id": cid,
                        "status": rng.choice(["new", "open", "open", "pending", "resolved"]),
                        "channel": rng.choice(CHANNELS),
                        "subject": f"Commande A-{rng.randint(10000, 99999)}",
                        "reason": rng.choice(REASONS),
                        "priority": 0,
                        "message_count": 1,
                        "order_numbers": [],
                        "keywords": [],
                        "first_inbound_at": at,
                        "last_inbound_at": at,
                        "last_message_at": at,
                        "sla_state": rng.choice(["ok", "ok", "at_risk", "breached"]),
                        "first_response_due_at": at + timedelta(hours=8),
                    }
                )
            case_ids = (
                conn.execute(insert(case_table).returning(case_table.c.id), rows).scalars().all()
            )
            conn.execute(
                insert(message_table),
                [
                    {
                        "brand_id": brand_id,
                        "case_id": case_id,
                        "customer_id": row["customer_id"],
                        "channel": row["channel"],
                        "direction": "inbound",
                        "external_id": f"<b{case_id}@bench>",
                        "text": "Bonjour, ma commande n'est toujours pas arrivée, "
                        "pouvez-vous vérifier où elle en est ? Merci.",
                        "attachments": [],
                        "meta": {},
                        "entities": {},
                        "references": [],
                        "received_at": row["first_inbound_at"],
                        "created_at": row["first_inbound_at"],
                        "link_rule": "new_case",
                        "link_score": 1.0,
                        "link_detail": {},
                        "delivery_status": "received",
                    }
                    for case_id, row in zip(case_ids, rows, strict=True)
                ],
            )
        long_case = conn.execute(
            insert(case_table).returning(case_table.c.id),
            [
                {
                    "brand_id": brand_id,
                    "customer_id": 1,
                    "status": "open",
                    "channel": "email",
                    "subject": "Un long dossier",
                    "reason": "delivery",
                    "priority": 1,
                    "message_count": messages,
                    "order_numbers": ["A-10492"],
                    "keywords": [],
                    "first_inbound_at": NOW - timedelta(days=20),
                    "last_message_at": NOW,
                }
            ],
        ).scalar_one()
        start_at = NOW - timedelta(days=20)
        conn.execute(
            insert(message_table),
            [
                {
                    "brand_id": brand_id,
                    "case_id": long_case,
                    "customer_id": 1,
                    "channel": CHANNELS[i % len(CHANNELS)],
                    "direction": "inbound" if i % 2 == 0 else "outbound",
                    "external_id": f"<long{i}@bench>",
                    "text": f"Message {i} : " + "le colis est toujours en transit. " * 6,
                    "attachments": [],
                    "meta": {},
                    "entities": {"order_numbers": ["A-10492"]},
                    "references": [],
                    "received_at": start_at + timedelta(minutes=40 * i),
                    "created_at": start_at + timedelta(minutes=40 * i),
                    "link_rule": "in_reply_to" if i else "new_case",
                    "link_score": 1.0,
                    "link_detail": {"terms": {"thread": 1.0}},
                    "delivery_status": "received" if i % 2 == 0 else "sent",
                }
                for i in range(messages)
            ],
        )
    return int(long_case)


def _times(client: Any, url: str, repeats: int) -> tuple[float, float]:
    r = client.get(url)
    assert r.status_code == 200, (url, r.status_code)
    samples = []
    for _ in range(repeats):
        t = time.perf_counter()
        r = client.get(url)
        samples.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return round(statistics.median(samples), 1), round(p95, 1)


def run_web_bench(
    *, cases: int, messages: int, repeats: int = 20, url: str | None = None, seed: int = 7
) -> dict[str, Any]:
    from fastapi.testclient import TestClient

    from omnicase.api.app import create_app

    with tempfile.TemporaryDirectory() as tmp:
        db = Database(url or f"sqlite:///{Path(tmp) / 'bench.db'}")
        try:
            if db.dialect == "postgresql":
                reset_schema(db)
            upgrade(db)
            t = time.perf_counter()
            long_case = _setup(db, cases, messages, seed)
            if db.dialect == "postgresql":
                # a bulk load leaves the planner without statistics until autovacuum
                # gets to it; a live database has them
                with db.engine.connect() as conn:
                    conn.execute(text("ANALYZE"))
                    conn.commit()
            setup_s = time.perf_counter() - t
            with TestClient(create_app(db), follow_redirects=False) as client:
                form = client.get("/login").text
                token = form.split('name="csrf_token" value="')[1].split('"')[0]
                r = client.post(
                    "/login",
                    data={"email": "agent@acme.test", "password": PASSWORD, "csrf_token": token},
                )
                assert r.status_code == 303, r.text
                inbox = _times(client, "/inbox", repeats)
                inbox_filtered = _times(
                    client, "/inbox?status=open&channel=email&sla=breached", repeats
                )
                search_email = _times(client, "/inbox?q=client4242@example.fr", repeats)
                case_view = _times(client, f"/cases/AC-{long_case:06d}", repeats)
            return {
                "benchmark": "web",
                "database": db.dialect,
                "cases": cases + 1,
                "case_messages": messages,
                "setup_s": round(setup_s, 1),
                "inbox_ms_median": inbox[0],
                "inbox_ms_p95": inbox[1],
                "inbox_filtered_ms_median": inbox_filtered[0],
                "inbox_filtered_ms_p95": inbox_filtered[1],
                "search_email_ms_median": search_email[0],
                "case_view_ms_median": case_view[0],
                "case_view_ms_p95": case_view[1],
                "target_ms": 300,
                "repeats": repeats,
            }
        finally:
            db.dispose()
