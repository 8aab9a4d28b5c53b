"""GET /api/v1/events/stream against a real server: scope, payload, resume, heartbeats."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from sqlalchemy import event, select, update

from omnicase.api.app import create_app
from omnicase.ingest.pipeline import ingest
from omnicase.model import Case, Engagement, Event
from omnicase.services.cases import record_event
from omnicase.store.db import Database
from tests.api.sse import Background, Settle, Stream, read_stream, serving
from tests.api.test_access_matrix import expected, seed_cases
from tests.factories import World, make_world, message

PATH = "/api/v1/events/stream"
STREAMED = ("case.", "message.", "sla.")


@pytest.fixture
def base(db: Database) -> Iterator[str]:
    app = create_app(db)
    app.state.live.heartbeat_seconds = 0.3
    with serving(app) as url:
        yield url


def streamed_events(db: Database, cases: set[int]) -> list[int]:
    """The ids a user who sees ``cases`` must receive, from the table itself."""
    with db.reading() as s:
        rows = s.execute(select(Event.id, Event.kind, Event.case_id).order_by(Event.id)).all()
    return [i for i, kind, case in rows if kind.startswith(STREAMED) and case in cases]


def assert_ids_only(stream: Stream) -> None:
    for _, kind, data in stream.events:
        assert set(data) == {
            "id",
            "kind",
            "brand",
            "case_id",
            "case",
            "message_id",
            "channel",
            "at",
        }
        assert data["kind"] == kind
    for secret in ("@", "example", "Commande", "Order", "0611111111", "+33"):
        assert secret not in stream.raw


WHO = ["acme:agent", "acme:viewer", "globex:admin", "callpro:agent", "callpro:admin"]
WHO += ["callpro:unengaged"]


@pytest.mark.parametrize("who", WHO)
def test_live_stream_carries_exactly_the_users_cases(db: Database, base: str, who: str) -> None:
    world = make_world(db)
    settle = Settle()
    reader = Background(f"{base}{PATH}", world.tokens[who], seconds=20, until=settle)
    cases = seed_cases(db)
    want = streamed_events(db, expected(who, cases))
    settle.expect(want)
    got = reader.result()
    assert got.status == 200 and got.headers["content-type"].startswith("text/event-stream")
    assert got.ids == want
    if who != "callpro:unengaged":
        assert want, "the check would be empty"
    assert_ids_only(got)
    assert got.comments >= 1  # heartbeats while idle


def test_provider_never_sees_another_brand_or_an_unengaged_queue(db: Database, base: str) -> None:
    world = make_world(db, provider_channels=["email"])
    settled = Settle(), Settle()
    provider, brand = (
        Background(f"{base}{PATH}", world.tokens[who], seconds=20, until=until)
        for who, until in zip(("callpro:agent", "acme:agent"), settled, strict=True)
    )
    msgs = [
        message(brand="acme", channel="email", email="a@example.fr", text="Commande A-10001"),
        message(brand="acme", channel="chat", chat="v-9", text="Commande A-10009 ?"),
        message(brand="globex", channel="email", email="g@example.co.uk", text="Order GX100001"),
    ]
    email, chat, other = (r.case_id for r in ingest(db, msgs))
    assert email and chat and other
    settled[0].expect(streamed_events(db, {email}))
    settled[1].expect(streamed_events(db, {email, chat}))
    seen_by_provider = {d["case_id"] for _, _, d in provider.result().events}
    seen_by_brand = {d["case_id"] for _, _, d in brand.result().events}
    assert seen_by_provider == {email}
    assert seen_by_brand == {email, chat}
    assert other not in seen_by_brand


def test_last_event_id_resumes_without_loss_or_repeat(db: Database, base: str) -> None:
    world = make_world(db)
    token = world.tokens["acme:agent"]
    ingest(db, [message(email="one@example.fr", text="Commande A-20001")])
    settle = Settle(grace=0.3)
    settle.expect(streamed_events(db, _acme_cases(db, world)))
    first = read_stream(f"{base}{PATH}", token, last_event_id=0, seconds=20, until=settle)
    assert first.events
    resume_at = first.ids[-1]
    # while disconnected: more traffic, some of it another brand's
    ingest(
        db,
        [
            message(email="two@example.fr", text="Commande A-20002"),
            message(brand="globex", email="x@example.co.uk", text="Order GX200001"),
            message(email="three@example.fr", text="Commande A-20003"),
        ],
    )
    acme = streamed_events(db, _acme_cases(db, world))
    settle = Settle(grace=0.3)
    settle.expect([i for i in acme if i > resume_at])
    again = read_stream(f"{base}{PATH}", token, last_event_id=resume_at, seconds=20, until=settle)
    assert first.ids + again.ids == acme
    assert min(again.ids) > resume_at


def _acme_cases(db: Database, world: World) -> set[int]:
    with db.reading() as s:
        rows = s.execute(select(Event.case_id).where(Event.brand_id == world.ids["acme"]))
        return {c for (c,) in rows if c is not None}


def test_stream_needs_a_valid_token(db: Database, base: str) -> None:
    make_world(db)
    assert read_stream(f"{base}{PATH}", "oc_nope", seconds=1).status == 401


def test_an_idle_stream_only_polls(db: Database, base: str) -> None:
    """Its own reads never wake it: an idle stream reads about once per poll interval."""
    world = make_world(db)
    reads: list[int] = []

    def count(*_: object) -> None:
        reads.append(1)

    event.listen(db.engine, "commit", count)
    try:
        read_stream(f"{base}{PATH}", world.tokens["acme:agent"], seconds=2.0)
    finally:
        event.remove(db.engine, "commit", count)
    # Self-waking would read hundreds of times in 2 s. The backstop poll is 5 s on
    # PostgreSQL but 0.2 s while another transaction anywhere in the cluster holds the
    # event horizon (other tests running beside this one), 0.5 s on SQLite.
    assert 1 <= len(reads) <= 30


@pytest.mark.parametrize("db", ["postgresql"], indirect=True)
def test_an_event_committed_late_under_a_lower_id_is_not_skipped(db: Database, base: str) -> None:
    """T1 draws id n and stays open; T2 draws n+1 and commits. The stream must not pass
    n+1 before n is final, or n would be lost for good."""
    world = make_world(db)
    (result,) = ingest(db, [message(text="Commande A-40001")])
    case_id, brand_id = result.case_id, world.ids["acme"]
    assert case_id is not None
    settle = Settle(grace=0.3)
    stream = Background(f"{base}{PATH}", world.tokens["acme:agent"], seconds=20, until=settle)
    with db.write_sessions() as slow:
        record_event(slow, "case.updated", brand_id=brand_id, case_id=case_id)
        slow.flush()  # id n drawn, not committed
        with db.transaction() as fast:
            record_event(fast, "case.updated", brand_id=brand_id, case_id=case_id)
        time.sleep(1.0)  # the stream is woken by the fast commit, and must wait
        slow.commit()
    late = streamed_events(db, {case_id})[-2:]
    settle.expect(late)
    got = stream.result()
    assert got.ids == late


def test_a_queue_engagement_streams_only_that_queue(db: Database, base: str) -> None:
    """The provider team is engaged on acme's ``vip`` queue only: replayed and live events
    of acme's other cases never reach it."""
    world = make_world(db)
    with db.transaction() as s:
        s.execute(update(Engagement).values(channels=[], queues=["vip"]))
    first = [
        message(email="vip@example.fr", text="Commande A-50001"),
        message(email="plain@example.fr", text="Commande A-50002"),
    ]
    vip, plain = (r.case_id for r in ingest(db, first))
    assert vip is not None and plain is not None and vip != plain
    with db.transaction() as s:
        s.execute(update(Case).where(Case.id == vip).values(queue="vip"))
    settle = Settle()
    stream = Background(
        f"{base}{PATH}", world.tokens["callpro:agent"], last_event_id=0, seconds=20, until=settle
    )
    again = [
        message(email="vip@example.fr", text="Toujours rien pour A-50001", minutes=5),
        message(email="plain@example.fr", text="Toujours rien pour A-50002", minutes=5),
    ]
    assert [r.case_id for r in ingest(db, again)] == [vip, plain]
    settle.expect(streamed_events(db, {vip}))
    got = stream.result()
    assert {d["case_id"] for _, _, d in got.events} == {vip}
    assert got.ids == streamed_events(db, {vip})
    assert len([k for _, k, _ in got.events if k == "message.received"]) == 2
