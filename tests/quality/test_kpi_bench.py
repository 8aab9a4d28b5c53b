"""The KPI benchmark's generator (COPY with sequence ids on PostgreSQL, executemany on
SQLite) writes cases the KPI engine reads back whole, and the live "today" equals the
stored roll-up of the same day on that data."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from omnicase.benchmarks.kpis import LAST_DAY, _generate, _setup
from omnicase.model import Case, Customer, Message, User
from omnicase.quality.kpis.query import query
from omnicase.quality.kpis.rollup import rebuild
from omnicase.store.db import Database
from omnicase.store.scope import principal_for


def test_generated_cases_read_back_and_today_equals_its_roll_up(db: Database) -> None:
    brand_id, agents, teams, admin_id = _setup(db)
    messages = _generate(db, brand_id, agents, teams, cases=620, days=31, seed=3)
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 620
        assert s.scalar(select(func.count()).select_from(Customer)) == 620
        assert s.scalar(select(func.count()).select_from(Message)) == messages > 620
        orphans = (
            select(func.count()).select_from(Message).where(Message.case_id.not_in(select(Case.id)))
        )
        assert s.scalar(orphans) == 0
    # more rows after the generator: the ids it took from the sequences are not reused
    more = _generate(db, brand_id, agents, teams, cases=5, days=31, seed=4)
    assert more >= 5
    first = (LAST_DAY - timedelta(days=30)).date()
    with db.transaction() as s:
        rebuild(s.connection(), brand_id, first, LAST_DAY.date())
    day = LAST_DAY.date()
    with db.reading() as s:
        user = s.get(User, admin_id)
        assert user is not None
        who = principal_for(s, user)
        later = LAST_DAY + timedelta(days=3)  # the last day is stored
        stored = query(s, who, "acme", day, day, ["channel", "team"], now=later)
        live = query(
            s, who, "acme", day, day, ["channel", "team"], now=LAST_DAY + timedelta(hours=20)
        )
        month = query(s, who, "acme", first, day, [], now=later)
    assert stored["rows"] == live["rows"]
    assert sum(r["components"]["cases"] for r in stored["rows"]) > 0
    assert month["rows"][0]["components"]["cases"] == 625
