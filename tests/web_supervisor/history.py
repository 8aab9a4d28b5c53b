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


def seed_realistic_history(db: Database, today: date, weeks: int = 9, seed: int = 3) -> int:
    """A contact centre's weeks for screenshots: phone, chat and email with a morning and
    an afternoon peak, busier Mondays, quiet Sundays, Poisson noise (seeded)."""
    import numpy as np

    rng = np.random.default_rng(seed)
    per_day = {"phone": 34.0, "chat": 26.0, "email": 22.0}
    weekday = (1.3, 1.1, 1.0, 1.0, 0.95, 0.55, 0.25)
    hours = np.arange(7, 20, 0.5)
    shape = np.exp(-((hours - 10.5) ** 2) / 3) + 0.8 * np.exp(-((hours - 15) ** 2) / 4)
    shape /= shape.sum()
    batch: list[InboundMessage] = []
    n = 0
    for d in range(7 * weeks, 0, -1):
        day = today - timedelta(days=d)
        for channel, volume in per_day.items():
            counts = rng.poisson(volume * weekday[day.weekday()] * shape)
            for h, k in zip(hours, counts, strict=True):
                for j in range(int(k)):
                    at = datetime(day.year, day.month, day.day, int(h), int(h % 1 * 60), tzinfo=UTC)
                    at += timedelta(minutes=j * 29 / max(int(k), 1))
                    n += 1
                    party = (
                        {"phone": f"+3361{n:07d}"}
                        if channel == "phone"
                        else {"chat": f"visitor{n}"}
                        if channel == "chat"
                        else {"email": f"p{n}@example.fr"}
                    )
                    batch.append(
                        message(at=at, channel=channel, text="Où en est ma commande ?", **party)
                    )
    ingest(db, batch)
    return n
