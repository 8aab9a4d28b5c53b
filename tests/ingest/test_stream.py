"""Bulk ingestion with preparation in worker processes decides exactly as in-process."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select, text

from omnicase.ingest import statistics
from omnicase.ingest.pipeline import IngestStatus, ingest_stream
from omnicase.model import Message
from omnicase.store.db import Database
from omnicase.store.migrate import upgrade
from tests.factories import make_world, message


def raw_messages() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for i in range(40):
        m = message(
            email=f"s{i % 7}@example.fr",
            minutes=i * 7,
            external_id=f"<s{i}@x>",
            text=f"Bonjour, ma commande A-3{i % 5:04d} n'est pas arrivée",
        )
        out.append(json.loads(m.model_dump_json(by_alias=True)))
    bad = dict(out[0], external_id="bad-1")
    del bad["channel"]
    out.insert(10, bad)
    out.insert(20, dict(out[1], brand="nope", external_id="bad-2"))
    return out


def grouping(db: Database) -> list[tuple[str, int]]:
    with db.reading() as s:
        rows = s.execute(select(Message.external_id, Message.case_id).order_by(Message.id))
        first: dict[int, int] = {}
        return [(ext, first.setdefault(case, len(first))) for ext, case in rows]


@pytest.mark.slow
def test_workers_give_the_same_cases_as_in_process(db: Database, tmp_path: Any) -> None:
    make_world(db)
    results = list(ingest_stream(db, raw_messages(), batch_size=8, workers=1))
    assert len(results) == 42
    assert results[10].status is IngestStatus.invalid
    assert results[10].errors[0]["field"] == "channel"
    assert results[20].errors == [{"field": "brand", "reason": "no brand named 'nope'"}]
    assert sum(r.status is IngestStatus.created for r in results) == 40
    with_workers = grouping(db)
    other = Database(f"sqlite:///{tmp_path}/other.db")
    upgrade(other)
    make_world(other)
    list(ingest_stream(other, raw_messages(), batch_size=8, workers=0))
    assert grouping(other) == with_workers
    again = list(ingest_stream(db, raw_messages(), batch_size=8, workers=1))
    assert sum(r.status is IngestStatus.duplicate for r in again) == 40
    other.dispose()


def _analyses(db: Database) -> int:
    with db.engine.connect() as conn:
        count = conn.execute(
            text(
                "SELECT coalesce(sum(analyze_count), 0) FROM pg_stat_user_tables"
                " WHERE relname = 'customers' AND schemaname = current_schema()"
            )
        ).scalar()
        conn.rollback()
    return int(count or 0)


def test_a_bulk_load_refreshes_the_planner_statistics_as_it_grows(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL plans the batch's look-ups with statistics of the load so far (not of
    the empty tables); SQLite has nothing to refresh."""
    make_world(db)
    monkeypatch.setattr(statistics, "FIRST", 10)
    keeper = statistics.LoadStatistics(db)
    assert keeper.ingested(9) is False
    refreshed = keeper.ingested(1)
    assert refreshed is (db.dialect == "postgresql")
    if db.dialect != "postgresql":
        return
    assert keeper.ingested(9) is False  # the next refresh waits for the tables to double
    assert keeper.ingested(1) is True
    before = _analyses(db)
    list(ingest_stream(db, raw_messages(), batch_size=8, workers=0))
    assert _analyses(db) > before
