"""Reading back what the SLA clocks wrote."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from omnicase.model import Case, Event, User
from omnicase.store.db import Database
from omnicase.store.scope import Principal, principal_for

PARIS = ZoneInfo("Europe/Paris")


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def case(db: Database, case_id: int) -> Case:
    with db.reading() as s:
        row = s.get(Case, case_id)
        assert row is not None
        return row


def sla_events(db: Database, case_id: int | None = None) -> list[tuple[int | None, str, Any]]:
    """(case, kind, clock or action) of every sla.* and SLA-rule event, in order."""
    with db.reading() as s:
        stmt = select(Event).where(
            Event.kind.startswith("sla.") | (Event.data["rule"].as_string() == "sla_escalation")
        )
        if case_id is not None:
            stmt = stmt.where(Event.case_id == case_id)
        rows = s.scalars(stmt.order_by(Event.id)).all()
        return [(e.case_id, e.kind, e.data.get("action") or e.data.get("clock")) for e in rows]


def who(db: Database, user_id: int) -> Principal:
    with db.reading() as s:
        user = s.get(User, user_id)
        assert user is not None
        return principal_for(s, user)
