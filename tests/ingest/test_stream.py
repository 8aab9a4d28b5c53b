"""Bulk ingestion with preparation in worker processes decides exactly as in-process."""

from __future__ import annotations

import json
from typing import Any

import pytest
from sqlalchemy import select

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
