"""The first real periodic job: resolved cases close after the brand's autoclose_days."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from omnicase.ingest.pipeline import ingest_one
from omnicase.jobs import defer, get_spec
from omnicase.model import Case, Event, Organisation
from omnicase.model.base import utcnow
from omnicase.store.db import Database
from tests.factories import make_world, message
from tests.jobs.helpers import drain


def test_resolved_cases_close_after_the_brands_delay(db: Database) -> None:
    world = make_world(db)
    old = ingest_one(db, message(email="old@example.fr")).case_id
    recent = ingest_one(db, message(email="recent@example.fr")).case_id
    patient = ingest_one(db, message(brand="globex", email="p@example.co.uk")).case_id
    now = utcnow()
    with db.transaction() as s:
        # the default delay is the brand's reply window (30 days): a case that a reply can
        # still reopen is never closed under it
        for case_id, days in ((old, 40), (recent, 8), (patient, 40)):
            case = s.get(Case, case_id)
            assert case is not None
            case.status, case.resolved_at = "resolved", now - timedelta(days=days)
        globex = s.get(Organisation, world.ids["globex"])
        assert globex is not None
        globex.settings = {**globex.settings, "autoclose_days": 60}

    assert get_spec("cases.autoclose").cron == "7 * * * *"
    defer(db, "cases.autoclose", timestamp=int(now.timestamp()))
    drain(db, queues=["maintenance"])

    with db.reading() as s:
        status = {c.id: c.status for c in s.scalars(select(Case))}
        closed = s.scalars(
            select(Event).where(Event.kind == "case.updated", Event.case_id == old)
        ).all()
    assert status == {old: "closed", recent: "resolved", patient: "resolved"}
    assert [e.data["rule"] for e in closed] == ["autoclose"]
    assert closed[0].data["after_days"] == 30 and closed[0].actor == "system"
