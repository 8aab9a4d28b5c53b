"""An engagement ends by itself at the end of ``ends_on`` in the brand's timezone, and an
open stream of a provider user stops carrying the brand's events once it has ended."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, update

from omnicase.api.app import create_app
from omnicase.ingest.pipeline import ingest
from omnicase.model import Case, Engagement, User
from omnicase.store.db import Database
from omnicase.store.scope import case_filter, principal_for, visible_brand_ids
from tests.api.conftest import auth
from tests.api.sse import Background, Settle, Stream, serving
from tests.api.test_events_stream import streamed_events
from tests.factories import make_world, message

PATH = "/api/v1/events/stream"
PARIS = ZoneInfo("Europe/Paris")


def test_access_ends_at_the_brands_midnight_without_anyone_acting(db: Database) -> None:
    """acme is in Paris (UTC+1 in December): an engagement ending on 2026-12-02 still
    grants access at 23:59 Paris time (22:59 UTC) and no longer at 00:00:30 Paris time
    (23:00:30 UTC, still the 2nd in UTC)."""
    world = make_world(db, engagement_ends=date(2026, 12, 2))
    ingest(db, [message(brand="acme", channel="email", email="a@example.fr", text="A-10001")])
    before = datetime(2026, 12, 2, 23, 59, tzinfo=PARIS)
    after = datetime(2026, 12, 3, 0, 0, 30, tzinfo=PARIS)
    assert after.astimezone(UTC).date() == date(2026, 12, 2)  # UTC has not turned yet
    with db.reading() as s:
        agent = s.get(User, world.ids["callpro:agent"])
        assert agent is not None
        who = principal_for(s, agent)
        for moment, visible in ((before, 1), (after, 0)):
            now = moment.astimezone(UTC)
            cases = s.scalars(select(Case.id).where(case_filter(s, who, now=now))).all()
            assert len(cases) == visible, moment
            assert (world.ids["acme"] in visible_brand_ids(s, who, now=now)) == bool(visible)
        # and it starts at the brand's midnight too
        s.execute(update(Engagement).values(starts_on=date(2026, 12, 3), ends_on=None))
        start_eve = datetime(2026, 12, 2, 23, 59, tzinfo=PARIS).astimezone(UTC)
        start = datetime(2026, 12, 3, 0, 0, 30, tzinfo=PARIS).astimezone(UTC)
        assert s.scalars(select(Case.id).where(case_filter(s, who, now=start_eve))).all() == []
        assert len(s.scalars(select(Case.id).where(case_filter(s, who, now=start))).all()) == 1
        s.rollback()


def test_an_engagement_that_ended_yesterday_in_the_brands_timezone_gives_nothing(
    db: Database, client: TestClient
) -> None:
    today_paris = datetime.now(PARIS).date()
    world = make_world(db, engagement_ends=today_paris)
    ingest(db, [message(brand="acme", channel="email", email="a@example.fr", text="A-10001")])
    agent = auth(world.tokens["callpro:agent"])
    assert len(client.get("/api/v1/cases", headers=agent).json()["items"]) == 1  # last day
    with db.transaction() as s:
        s.execute(update(Engagement).values(ends_on=today_paris - timedelta(days=1)))
    assert client.get("/api/v1/cases", headers=agent).json()["items"] == []
    assert client.get("/api/v1/cases/1", headers=agent).status_code == 404


@pytest.fixture
def base(db: Database) -> Iterator[str]:
    app = create_app(db)
    app.state.live.heartbeat_seconds = 0.3
    with serving(app) as url:
        yield url


class Watch:
    """An ``until`` that lets the test look at the stream while it is open, and stops it
    once ``done`` is set and ``grace`` seconds have passed."""

    def __init__(self, grace: float = 1.5) -> None:
        self.stream: Stream | None = None
        self.done_at: float | None = None
        self.grace = grace

    def __call__(self, stream: Stream) -> bool:
        self.stream = stream
        return self.done_at is not None and time.monotonic() - self.done_at > self.grace

    def seen(self) -> set[int]:
        return set(self.stream.ids) if self.stream is not None else set()


def test_an_open_stream_stops_carrying_the_brand_once_the_engagement_ended(
    db: Database, base: str
) -> None:
    world = make_world(db)
    watch, brand_settled = Watch(), Settle()
    provider = Background(f"{base}{PATH}", world.tokens["callpro:agent"], seconds=90, until=watch)
    brand = Background(f"{base}{PATH}", world.tokens["acme:agent"], seconds=90, until=brand_settled)
    first = ingest(db, [message(brand="acme", channel="email", email="a@example.fr", text="A-1")])
    first_events = streamed_events(db, {first[0].case_id or 0})
    assert first_events
    deadline = time.monotonic() + 45
    while not set(first_events) <= watch.seen():
        assert time.monotonic() < deadline, (watch.stream, first_events)
        time.sleep(0.1)
    # the engagement is over (as if its last day had passed): the open stream re-checks
    with db.transaction() as s:
        s.execute(update(Engagement).values(ends_on=date.today() - timedelta(days=3)))
    second = ingest(db, [message(brand="acme", channel="email", email="b@example.fr", text="A-2")])
    second_events = streamed_events(db, {second[0].case_id or 0})
    brand_settled.expect(first_events + second_events)
    got_brand = brand.result()
    watch.done_at = time.monotonic()
    got_provider = provider.result()
    assert set(second_events) <= set(got_brand.ids)  # the events were there to be sent
    assert got_provider.comments >= 1  # the stream stayed open (heartbeats) ...
    assert not set(second_events) & set(got_provider.ids)  # ... but carried nothing more
