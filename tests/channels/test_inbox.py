"""The raw inbox: persist first, process in a retried job, never twice, quarantine what
cannot be read; admins list and retry."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from typer.testing import CliRunner

from omnicase.channels import inbox as inbox_module
from omnicase.channels.inbox import InboxError, accept_inbound
from omnicase.cli import app as cli
from omnicase.ingest.pipeline import ingest
from omnicase.jobs.service import list_jobs
from omnicase.model import (
    ChannelAccount,
    Event,
    InboxItem,
    InboxStatus,
    Message,
    QuarantinedInput,
)
from omnicase.security.secrets import SecretBox
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.channels.conftest import (
    Loopback,
    create_account,
    run_channels,
    run_channels_until,
)
from tests.factories import World, message

BODY = {"messages": [{"id": "chat-1", "visitor": "v-42", "text": "Ma commande A-12345 ?"}]}


@pytest.fixture
def account_id(db: Database, world: World, box: SecretBox, loopback: Loopback) -> int:
    return create_account(
        db,
        world,
        box,
        channel="loopback",
        name="Widget",
        address="widget-1",
        secrets={"app_secret": "s3cr3t-app"},
    )


def accept(db: Database, account_id: int, body: Any, key: str | None = "evt-1", **kw: Any) -> Any:
    raw = body if isinstance(body, bytes | str) else json.dumps(body)
    with db.transaction() as s:
        account = s.get(ChannelAccount, account_id)
        assert account is not None
        return accept_inbound(s, "loopback", account, raw, kw.get("headers"), key)


def row(db: Database, inbox_id: int) -> InboxItem:
    with db.reading() as s:
        item = s.get(InboxItem, inbox_id)
        assert item is not None
        s.expunge(item)
        return item


def chat_messages(db: Database) -> list[Message]:
    with db.reading() as s:
        return list(s.scalars(select(Message).where(Message.channel == "chat")))


def test_raw_input_is_stored_first_then_processed_into_a_case(
    db: Database, account_id: int, loopback: Loopback
) -> None:
    headers = {
        "Content-Type": "application/json",
        "X-Hub-Signature-256": "sha256=abc",
        "Authorization": "Bearer t0ken",
        "X-Request-Id": "r-1",
    }
    accepted = accept(db, account_id, BODY, headers=headers)
    assert not accepted.duplicate
    stored = row(db, accepted.inbox_id)
    assert stored.status == InboxStatus.received and stored.attempts == 0
    assert json.loads(stored.body) == BODY  # the raw bytes, before any parsing
    assert stored.headers == {"content-type": "application/json", "x-request-id": "r-1"}
    assert loopback.parsed == 0

    run_channels(db)
    done = row(db, accepted.inbox_id)
    assert done.status == InboxStatus.processed and done.attempts == 1
    [msg] = chat_messages(db)
    assert msg.meta["inbox_id"] == accepted.inbox_id
    assert msg.meta["account_id"] == account_id
    assert done.result["messages"] == [msg.id]


def test_a_replayed_delivery_creates_nothing_twice(
    db: Database, account_id: int, loopback: Loopback
) -> None:
    first = accept(db, account_id, BODY, key="evt-7")
    again = accept(db, account_id, BODY, key="evt-7")
    assert again.duplicate and again.inbox_id == first.inbox_id
    run_channels(db)
    # the provider retries once more after processing, and a different delivery of the
    # same message (another event id) reaches the pipeline, which knows it already
    assert accept(db, account_id, BODY, key="evt-7").duplicate
    other = accept(db, account_id, BODY, key="evt-8")
    assert not other.duplicate
    run_channels(db)
    assert row(db, other.inbox_id).result["duplicates"] == 1
    assert len(chat_messages(db)) == 1
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(InboxItem)) == 2


def test_without_a_key_the_body_is_the_key(db: Database, account_id: int) -> None:
    a = accept(db, account_id, BODY, key=None)
    b = accept(db, account_id, BODY, key=None)
    assert b.duplicate and a.inbox_id == b.inbox_id
    assert row(db, a.inbox_id).dedup_key.startswith("sha256:")


@pytest.mark.usefixtures("fast_retries")
def test_a_crash_in_the_parser_is_retried_and_the_message_ingested_once(
    db: Database, account_id: int, loopback: Loopback
) -> None:
    loopback.crashes = 1
    accepted = accept(db, account_id, BODY)
    run_channels(db)
    crashed = row(db, accepted.inbox_id)
    assert crashed.status == InboxStatus.received  # kept, waiting for the retry
    assert "crashed half-way" in (crashed.last_error or "")
    assert run_channels_until(db, lambda: row(db, accepted.inbox_id).status == "processed")
    assert row(db, accepted.inbox_id).attempts == 2
    assert len(chat_messages(db)) == 1


@pytest.mark.usefixtures("fast_retries")
def test_a_crash_after_the_pipeline_wrote_does_not_duplicate(
    db: Database, account_id: int, loopback: Loopback, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = inbox_module.record_event
    calls = {"n": 0}

    def crash_once(*args: Any, **kwargs: Any) -> None:
        calls["n"] += 1
        if calls["n"] == 1:
            raise RuntimeError("process killed after ingest")
        real(*args, **kwargs)

    monkeypatch.setattr(inbox_module, "record_event", crash_once)
    accepted = accept(db, account_id, {**BODY, "events": ["typing"]})
    assert run_channels_until(db, lambda: row(db, accepted.inbox_id).status == "processed")
    assert len(chat_messages(db)) == 1
    assert row(db, accepted.inbox_id).result["duplicates"] == 1  # the second run's view
    with db.reading() as s:
        kinds = list(s.scalars(select(Event.kind).where(Event.kind == "channel.typing")))
    assert kinds == ["channel.typing"]  # recorded with the processed mark, once


def test_unreadable_input_is_quarantined_with_its_error_and_retried_by_an_admin(
    db: Database, account_id: int, loopback: Loopback, client: TestClient, world: World
) -> None:
    accepted = accept(db, account_id, b"{not json", key="bad-1")
    run_channels(db)
    item = row(db, accepted.inbox_id)
    assert item.status == InboxStatus.quarantined and item.attempts == 1
    with db.reading() as s:
        q = s.get(QuarantinedInput, item.quarantine_id)
        assert q is not None
        assert q.payload == "{not json" and "not JSON" in q.error
        assert q.source == f"inbox:{item.id}:loopback"
    assert not list_jobs_failed(db)  # a parse error is not retried

    admin = auth(world.tokens["acme:admin"])
    listed = client.get("/api/v1/inbox", headers=admin)
    assert listed.status_code == 200
    [out] = listed.json()
    assert out["id"] == item.id and out["status"] == "quarantined"
    assert "not JSON" in out["last_error"]
    for who in ("acme:agent", "acme:supervisor", "callpro:admin"):
        assert client.get("/api/v1/inbox", headers=auth(world.tokens[who])).status_code == 403
    assert client.get("/api/v1/inbox", headers=auth(world.tokens["globex:admin"])).json() == []
    denied = client.post(
        f"/api/v1/inbox/{item.id}/retry", headers=auth(world.tokens["globex:admin"])
    )
    assert denied.status_code == 404

    # the provider's payload was fine after all (say, the adapter was fixed): retry
    with db.transaction() as s:
        s.get(InboxItem, item.id).body = json.dumps(BODY).encode()  # type: ignore[union-attr]
    again = client.post(f"/api/v1/inbox/{item.id}/retry", headers=admin)
    assert again.status_code == 200 and again.json()["status"] == "received"
    assert client.post(f"/api/v1/inbox/{item.id}/retry", headers=admin).status_code == 409
    run_channels(db)
    assert row(db, item.id).status == InboxStatus.processed
    assert len(chat_messages(db)) == 1


def list_jobs_failed(db: Database) -> list[Any]:
    with db.reading() as s:
        return list_jobs(s, None, status="failed")


def test_a_message_the_pipeline_refuses_is_quarantined(
    db: Database, account_id: int, loopback: Loopback
) -> None:
    other_brand = {"messages": [{**BODY["messages"][0], "brand": "globex"}]}
    a = accept(db, account_id, other_brand, key="k-brand")
    only_a_bad_phone = {"id": "c2", "visitor": "", "text": "x", "from": {"phone": "12"}}
    bad_identity = {"messages": [only_a_bad_phone]}
    b = accept(db, account_id, bad_identity, key="k-phone")
    run_channels(db)
    assert "belongs to 'acme'" in (row(db, a.inbox_id).last_error or "")
    assert row(db, a.inbox_id).status == InboxStatus.quarantined
    assert row(db, b.inbox_id).status == InboxStatus.quarantined
    assert "pipeline refused" in (row(db, b.inbox_id).last_error or "")


@pytest.mark.usefixtures("fast_retries")
def test_a_row_that_crashes_every_time_ends_failed_and_the_cli_retries_it(
    db: Database, account_id: int, loopback: Loopback
) -> None:
    loopback.crashes = 100
    accepted = accept(db, account_id, BODY)
    assert run_channels_until(db, lambda: row(db, accepted.inbox_id).status == "failed")
    assert row(db, accepted.inbox_id).attempts == 3
    assert len(list_jobs_failed(db)) == 1
    env = {"OMNICASE_DATABASE_URL": db.url}
    listed = CliRunner().invoke(cli, ["inbox", "list", "--json"], env=env)
    assert listed.exit_code == 0, listed.output
    [line] = [json.loads(x) for x in listed.stdout.splitlines()]
    assert line["id"] == accepted.inbox_id and line["status"] == "failed"
    loopback.crashes = 0
    retried = CliRunner().invoke(cli, ["inbox", "retry", str(accepted.inbox_id)], env=env)
    assert retried.exit_code == 0, retried.output
    run_channels(db)
    assert row(db, accepted.inbox_id).status == InboxStatus.processed
    assert len(chat_messages(db)) == 1


def test_statuses_move_our_outbound_messages_forward_only(
    db: Database, account_id: int, loopback: Loopback
) -> None:
    [result] = ingest(
        db, [message(channel="chat", direction="outbound", chat="v-42", external_id="out-1")]
    )
    with db.transaction() as s:
        s.get(Message, result.message_id).delivery_status = "sent"  # type: ignore[union-attr]
    statuses = [
        {"channel": "chat", "id": "out-1", "status": "read"},
        {"channel": "chat", "id": "out-1", "status": "delivered"},  # late, out of order
        {"channel": "chat", "id": "nobody", "status": "read"},
    ]
    accepted = accept(db, account_id, {"statuses": statuses})
    run_channels(db)
    assert row(db, accepted.inbox_id).result["statuses"] == 1
    with db.reading() as s:
        msg = s.get(Message, result.message_id)
        assert msg is not None and msg.delivery_status == "read"
        assert "read" in msg.meta["delivery"]


def test_refused_before_storing(db: Database, account_id: int) -> None:
    with db.transaction() as s:
        account = s.get(ChannelAccount, account_id)
        assert account is not None
        with pytest.raises(InboxError, match="not email"):
            accept_inbound(s, "email", account, b"x")
        account.active = False
        with pytest.raises(InboxError, match="disabled"):
            accept_inbound(s, "loopback", account, b"x")
