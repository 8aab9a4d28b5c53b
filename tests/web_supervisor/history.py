"""A brand history for planner tests: inbound emails and chats on weekday office hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from omnicase.ingest.pipeline import ingest
from omnicase.ingest.schema import InboundMessage
from omnicase.store.db import Database
from tests.factories import message


def seed_history(db: Database, today: date, weeks: int = 8, per_hour: int = 1) -> int:
    """``per_hour`` emails and chats every office hour (9-17 UTC) of each day of the last
    ``weeks`` weeks, lighter at weekends; returns how many were ingested."""
    batch: list[InboundMessage] = []
    n = 0
    for d in range(7 * weeks, 0, -1):
        day = today - timedelta(days=d)
        hours = range(9, 17) if day.weekday() < 5 else range(10, 13)
        for h in hours:
            for k in range(per_hour):
                at = datetime(day.year, day.month, day.day, h, 10 * k, tzinfo=UTC)
                n += 1
                batch.append(
                    message(at=at, email=f"p{n}@example.fr", text="Où en est ma commande ?")
                )
                n += 1
                batch.append(
                    message(at=at, channel="chat", chat=f"visitor{n}", text="bonjour, livraison ?")
                )
    ingest(db, batch)
    return n
