"""The chat end to end over a real socket: a real uvicorn server, the `websockets`
client, the send job, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from sqlalchemy import select
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from omnicase.model import Case, Event, Identity, InboxItem, Message, Organisation
from omnicase.store.db import Database
from omnicase.store.references import format_reference
from tests.api.conftest import auth
from tests.channels.chat.conftest import Server, Visitor, open_visitor
from tests.channels.conftest import run_channels
from tests.factories import World

pytestmark = pytest.mark.usefixtures("chat_account")


def chat_messages(db: Database) -> list[Message]:
    with db.reading() as s:
        rows = list(
            s.scalars(select(Message).where(Message.channel == "chat").order_by(Message.id))
        )
        s.expunge_all()
        return rows


def reference(db: Database, case_id: int) -> str:
    with db.reading() as s:
        case = s.get(Case, case_id)
        assert case is not None
        org = s.get(Organisation, case.brand_id)
        assert org is not None
        return format_reference(org.case_prefix or "", case.id)


def reply(server: Server, world: World, ref: str, text: str) -> dict[str, object]:
    r = httpx.post(
        f"{server.base}/api/v1/cases/{ref}/replies",
        json={"text": text},
        headers=auth(world.tokens["acme:agent"]),
        trust_env=False,
    )
    assert r.status_code == 201, r.text
    out: dict[str, object] = r.json()
    return out


async def started(
    server: Server, name: str = "Ana", email: str | None = None
) -> tuple[Visitor, dict[str, object]]:
    v = await open_visitor(server)
    welcome = await v.expect("welcome")
    assert welcome["prechat"] is True and welcome["title"] == "Acme help"
    await v.send(type="prechat", name=name, email=email)
    await v.expect("prechat_ok")
    return v, welcome


@pytest.mark.slow
def test_hello_prechat_message_ack_and_a_resend_stored_once(db: Database, server: Server) -> None:
    async def scenario() -> tuple[dict[str, object], dict[str, object], dict[str, object]]:
        v = await open_visitor(server)
        welcome = await v.expect("welcome")
        await v.send(type="message", client_id="c_first0001", text="Bonjour")
        refused = await v.expect("error")
        assert refused["code"] == "prechat_required"
        await v.send(type="prechat", name="Ana Lopez", email="ana@example.com")
        await v.expect("prechat_ok")
        await v.send(type="message", client_id="c_first0001", text="Où est ma commande A-12345 ?")
        first = await v.expect("ack", client_id="c_first0001")
        await v.conn.close()
        # a reconnect resends the same client id: acked again, not stored again
        again = await open_visitor(server, visitor=welcome["visitor"], token=welcome["token"])
        back = await again.expect("welcome")
        assert back["visitor"] == welcome["visitor"]
        # not processed yet, so not known: the widget sends its stored pre-chat again
        await again.send(type="prechat", name="Ana Lopez", email="ana@example.com")
        await again.expect("prechat_ok")
        await again.send(
            type="message", client_id="c_first0001", text="Où est ma commande A-12345 ?"
        )
        second = await again.expect("ack", client_id="c_first0001")
        await again.conn.close()
        return welcome, first, second

    welcome, first, second = asyncio.run(scenario())
    assert first["duplicate"] is False and second["duplicate"] is True
    assert first["id"] == second["id"]
    with db.reading() as s:
        assert s.scalar(select(InboxItem.id).where(InboxItem.channel == "chat")) == first["id"]
    run_channels(db)
    [message] = chat_messages(db)
    assert message.text == "Où est ma commande A-12345 ?"
    assert message.conversation_id == welcome["visitor"]
    assert message.external_id == f"chat:{welcome['visitor']}:c_first0001"
    with db.reading() as s:
        kinds = dict(
            s.execute(
                select(Identity.kind, Identity.value).where(
                    Identity.customer_id == message.customer_id
                )
            ).all()
        )
    assert kinds == {"chat": welcome["visitor"], "email": "ana@example.com"}


@pytest.mark.slow
def test_live_reply_typing_both_ways_and_agent_name(
    db: Database, server: Server, world: World
) -> None:
    async def scenario() -> None:
        v, _ = await started(server)
        await v.send(type="message", client_id="c_live00001", text="Bonjour, une question")
        await v.expect("ack")
        await asyncio.to_thread(run_channels, db)
        echo = await v.expect("message", **{"from": "visitor"})
        assert echo["client_id"] == "c_live00001"
        [m] = chat_messages(db)
        ref = reference(db, m.case_id)
        await v.send(type="typing", state=True)
        typing = httpx.post(
            f"{server.base}/api/v1/cases/{ref}/typing",
            json={"state": True},
            headers=auth(world.tokens["acme:agent"]),
            trust_env=False,
        )
        assert typing.status_code == 204, typing.text
        shown = await v.expect("typing")
        assert shown == {"type": "typing", "from": "agent", "author": "agent acme", "state": True}
        await asyncio.to_thread(reply, server, world, ref, "Bonjour Ana, je regarde.")
        await asyncio.to_thread(run_channels, db)
        answer = await v.expect("message", **{"from": "agent"})
        assert answer["text"] == "Bonjour Ana, je regarde." and answer["author"] == "agent acme"
        await v.send(type="seen", seq=answer["seq"])
        await v.send(type="ping")
        await v.expect("pong")
        await v.conn.close()
        with db.reading() as s:
            out = s.get(Message, answer["seq"])
            assert out is not None and out.delivery_status == "delivered"
            customer_typing = s.scalar(
                select(Event.case_id).where(Event.kind == "case.customer_typing")
            )
            assert customer_typing == m.case_id

    asyncio.run(scenario())


@pytest.mark.slow
def test_a_reply_sent_while_away_arrives_on_resume(
    db: Database, server: Server, world: World
) -> None:
    async def first_visit() -> tuple[dict[str, object], int]:
        v, welcome = await started(server)
        await v.send(type="message", client_id="c_away00001", text="Je dois partir, répondez-moi")
        await v.expect("ack")
        await asyncio.to_thread(run_channels, db)
        echo = await v.expect("message", **{"from": "visitor"})
        await v.conn.close()
        return welcome, int(echo["seq"])  # type: ignore[call-overload]

    welcome, seq = asyncio.run(first_visit())
    [m] = chat_messages(db)
    sent = reply(server, world, reference(db, m.case_id), "Voici la réponse.")
    run_channels(db)
    assert chat_messages(db)[-1].delivery_status == "sent"

    async def second_visit() -> dict[str, object]:
        v = await open_visitor(
            server, visitor=welcome["visitor"], token=welcome["token"], last_seq=seq
        )
        back = await v.expect("welcome")
        assert back["prechat"] is False and back["name"] == "Ana"
        missed = await v.expect("message")
        await v.send(type="seen", seq=missed["seq"])
        await v.send(type="ping")
        await v.expect("pong")
        assert not [f for f in v.frames if f["type"] == "message"]  # nothing else, no echo
        await v.conn.close()
        return missed

    missed = asyncio.run(second_visit())
    assert missed["seq"] == sent["id"] and missed["from"] == "agent"
    assert missed["text"] == "Voici la réponse." and missed["author"] == "agent acme"
    assert chat_messages(db)[-1].delivery_status == "delivered"


@pytest.mark.slow
def test_a_forged_token_gets_a_new_conversation(db: Database, server: Server) -> None:
    async def scenario() -> None:
        v, welcome = await started(server)
        await v.conn.close()
        forged = await open_visitor(server, visitor=welcome["visitor"], token="0" * 64)
        other = await forged.expect("welcome")
        assert other["visitor"] != welcome["visitor"] and other["prechat"] is True
        await forged.conn.close()

    asyncio.run(scenario())


@pytest.mark.slow
def test_origin_unknown_key_bad_frames(db: Database, server: Server) -> None:
    async def scenario() -> None:
        with pytest.raises(InvalidStatus) as refused:
            await open_visitor(server, origin="https://evil.example")
        assert refused.value.response.status_code == 403
        with pytest.raises(InvalidStatus):
            await connect(server.base.replace("http", "ws") + "/chat/ws/no-such-key", proxy=None)
        v = await open_visitor(server, origin=None)  # no Origin: not a browser
        await v.expect("welcome")
        await v.conn.send("{not json")
        bad = await v.expect("error")
        assert bad["code"] == "bad_json"
        await v.send(type="message", client_id="../../etc", text="x")
        assert (await v.expect("error"))["reason"].startswith("client_id")
        await v.send(type="hello", nested={"a": {"b": {"c": {"d": {"e": 1}}}}})
        assert (await v.expect("error"))["reason"] == "nested too deeply"
        await v.conn.send(b"\x00binary")
        assert (await v.expect("error"))["code"] == "bad_frame"
        await v.send(type="ping")
        await v.expect("pong")  # still open after bad frames
        await v.conn.send(json.dumps({"type": "message", "text": "x" * 40_000}))
        big = await v.expect("error")
        assert big["code"] == "too_large"
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(v.conn.recv(), 5)
        assert closed.value.rcvd is not None and closed.value.rcvd.code == 1009

    asyncio.run(scenario())
