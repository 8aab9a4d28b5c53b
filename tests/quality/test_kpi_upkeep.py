"""The roll-ups kept incrementally (events → dirty days → recompute) and extra sources."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import Connection, select

from omnicase.jobs.registry import JOB_MODULES, REGISTRY
from omnicase.model import Event, KpiDaily, KpiDirtyDay, Message
from omnicase.quality.kpis import dirty
from omnicase.quality.kpis.definitions import EXTRA_SOURCES, ExtraSource, register_extra_source
from omnicase.quality.kpis.query import query
from omnicase.quality.kpis.rollup import rebuild
from omnicase.store.db import Database
from tests.quality.kpi_data import Data, build, t
from tests.quality.test_kpis import NOW, who

D9, D10, D11, D12, D13 = (date(2026, 11, d) for d in (9, 10, 11, 12, 13))


def totals(db: Database, data: Data, start: date, end: date) -> Mapping[str, float]:
    with db.reading() as s:
        out = query(s, who(db, data.world.ids["acme:admin"]), "acme", start, end, [], now=NOW)
    row: dict[str, float] = dict(out["rows"][0]["components"]) | out["rows"][0]["kpis"]
    return row


def test_job_recomputes_only_the_days_events_touched(db: Database) -> None:
    assert "omnicase.quality.kpis.dirty" in JOB_MODULES
    assert REGISTRY[dirty.JOB].name == dirty.JOB
    data = build(db)
    with db.transaction() as s:
        # events on 9-12 Nov (messages, the merge, the reopening)
        assert dirty.collect(s.connection(), datetime.now(UTC)) == 4
        assert dirty.refresh(s.connection()) == 4
        assert dirty.pending(s.connection()) == 0
    assert totals(db, data, D10, D12)["cases"] == 11
    assert totals(db, data, D11, D11)["answered"] == 2
    with db.reading() as s:
        before = {
            r.day: r.computed_at
            for r in s.scalars(select(KpiDaily).where(KpiDaily.grain == "total"))
        }
    with db.transaction() as s:
        assert dirty.collect(s.connection(), datetime.now(UTC)) == 0  # nothing new
        # an agent finally answers C9 (first contact 11 Nov) on 13 Nov
        m = Message(
            brand_id=data.brand_id,
            case_id=data.cases["C9"],
            customer_id=1,
            channel="sms",
            direction="outbound",
            external_id="late",
            author_user_id=data.agent_a,
            received_at=t(13, 9),
            link_rule="reply",
        )
        s.add(m)
        s.flush()
        s.add(Event(brand_id=data.brand_id, kind="message.sent", case_id=m.case_id, at=t(13, 9)))
    with db.transaction() as s:
        assert dirty.collect(s.connection(), datetime.now(UTC)) == 2  # 13 Nov and 11 Nov
        assert set(s.execute(select(KpiDirtyDay.day)).scalars()) == {D11, D13}
        assert dirty.refresh(s.connection()) == 2
    assert totals(db, data, D11, D11)["answered"] == 3  # C6, C8 and now C9
    with db.reading() as s:
        after = {
            r.day: r.computed_at
            for r in s.scalars(select(KpiDaily).where(KpiDaily.grain == "total"))
        }
    assert after[D10] == before[D10] and after[D12] == before[D12]  # untouched
    assert after[D11] > before[D11] and D13 in after


@pytest.fixture
def csat_source(db: Database) -> Iterator[Data]:
    data = build(db)

    def fetch(
        conn: Connection, brand_id: int, start: datetime, end: datetime
    ) -> Iterable[tuple[int, Mapping[str, float]]]:
        if start <= t(10, 12) < end:  # two surveys sent on 10 Nov, C1 answered 4/5
            yield data.cases["C1"], {"csat_surveys_sent": 1, "csat_responses": 1, "csat_sum": 4}
            yield data.cases["C3"], {"csat_surveys_sent": 1}

    register_extra_source(ExtraSource("csat_test", ("csat_surveys_sent",), fetch))
    yield data
    EXTRA_SOURCES.pop("csat_test")


def test_extra_sources_plug_in(db: Database, csat_source: Data) -> None:
    data = csat_source
    with db.transaction() as s:
        rebuild(s.connection(), data.brand_id, D9, D12, chunk_days=2)
    k = totals(db, data, D10, D12)
    assert k["csat_average"] == 4.0 and k["csat_response_rate"] == 0.5
    assert "qa_score" not in k  # no source for it: absent, not zero
    with db.reading() as s:
        out = query(s, who(db, data.world.ids["acme:admin"]), "acme", D10, D10, ["team"], now=NOW)
    [paris] = [r for r in out["rows"] if r["team_id"] == data.internal_team]
    assert paris["kpis"]["csat_average"] == 4.0


def test_histogram_bucket_error() -> None:
    from omnicase.quality.kpis import histogram as h

    for v in (0.2, 1.0, 45, 1815, 86400, 3e7):
        got = h.percentile({h.bucket_of(v): 1}, 0.5)
        assert got is not None
        assert v < 1 or abs(got - v) <= v * h.RELATIVE_ERROR + 1e-9
    assert h.percentile({}, 0.5) is None
    assert timedelta(seconds=h.bucket_value(h.MAX_BUCKET)) > timedelta(days=365)


def test_pipeline_messages_reach_the_kpis(db: Database) -> None:
    """Real ingestion (an email, then our answer given outside omnicase), then the job."""
    from omnicase.ingest.pipeline import ingest_one
    from tests.factories import make_world, message

    world = make_world(db)
    # Friday 6 Nov 2026 16:30 UTC = 17:30 Paris; answered Monday 9 Nov 08:30 UTC (09:30)
    first = ingest_one(
        db, message(channel="email", at=t(6, 16, 30), email="j@example.fr", external_id="<k1>")
    )
    ingest_one(
        db,
        message(
            channel="email",
            at=t(9, 8, 30),
            direction="outbound",
            in_reply_to="<k1>",
            external_id="<k2>",
            text="Bonjour, votre colis part aujourd'hui.",
            email="j@example.fr",
        ),
    )
    with db.transaction() as s:
        dirty.collect(s.connection(), datetime.now(UTC))
        dirty.refresh(s.connection())
    with db.reading() as s:
        out = query(
            s,
            who(db, world.ids["acme:admin"]),
            "acme",
            date(2026, 11, 6),
            date(2026, 11, 6),
            [],
            now=NOW,
        )
    c = out["rows"][0]["components"]
    assert first.case_id and c["cases"] == 1 and c["answered"] == 1
    # calendar: Fri 16:30 → Mon 08:30 = 64 h; business: Fri 17:30-18:00 + Mon 09:00-09:30
    assert c["fr_sum"] == 64 * 3600 and c["fr_bsum"] == 3600 and c["answered_in_objective"] == 1
