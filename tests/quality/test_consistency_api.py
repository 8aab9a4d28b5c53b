"""The composer's check, recorded inconsistencies and macros, through the real API on
SQLite and PostgreSQL, with the access rule (a case outside the engagement is a 404)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from omnicase.ingest.pipeline import ingest
from omnicase.model import Case, Event, Inconsistency, Message
from omnicase.model.base import utcnow
from omnicase.security.secrets import SecretBox
from omnicase.services.consistency import consistency_counts, consistency_rate
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.channels.conftest import create_account
from tests.factories import World, message

FIRST = "Bonjour Julie,\n\nLe remboursement de 49,90 € sera effectué sous 5 jours ouvrés.\n\nSophie"


def email_case(db: Database, world: World, box: SecretBox) -> str:
    create_account(
        db,
        world,
        box,
        channel="email",
        name="Service client",
        address="service@acme.example",
        settings={"from_name": "Acme", "smtp_host": "127.0.0.1", "smtp_port": 1},
    )
    [result] = ingest(
        db,
        [
            message(
                at=utcnow() - timedelta(hours=2),
                subject="Remboursement commande A-12345",
                text="Bonjour, j'ai renvoyé la robe de la commande A-12345, "
                "quand serai-je remboursée ?",
            )
        ],
    )
    assert result.reference is not None
    return result.reference


def reply(client: TestClient, world: World, ref: str, text: str, who: str = "acme:agent") -> int:
    answer = client.post(
        f"/api/v1/cases/{ref}/replies", json={"text": text}, headers=auth(world.tokens[who])
    )
    assert answer.status_code == 201, answer.text
    return int(answer.json()["id"])


def check(client: TestClient, world: World, ref: str, body: str, who: str = "acme:agent") -> dict:
    answer = client.post(
        f"/api/v1/cases/{ref}/replies/check",
        json={"body": body, "channel": "email"},
        headers=auth(world.tokens[who]),
    )
    assert answer.status_code == 200, answer.text
    out: dict = answer.json()
    return out


def counts(db: Database) -> tuple[int, int, int]:
    with db.reading() as s:
        return (
            s.scalar(select(func.count()).select_from(Message)) or 0,
            s.scalar(select(func.count()).select_from(Inconsistency)) or 0,
            s.scalar(select(func.count()).select_from(Event)) or 0,
        )


def test_a_draft_that_contradicts_an_earlier_answer_is_flagged_and_nothing_is_written(
    db: Database, client: TestClient, world: World, box: SecretBox
) -> None:
    ref = email_case(db, world, box)
    first = reply(client, world, ref, FIRST)
    before = counts(db)
    out = check(
        client, world, ref, "Bonjour, vous serez remboursée de 39,90 € sous 5 jours ouvrés."
    )
    assert out["consistent"] is False
    [finding] = out["findings"]
    assert finding["kind"] == "amount" and finding["slot"] == "refund_amount"
    assert (finding["value"], finding["other_value"]) == ("39.90 EUR", "49.90 EUR")
    assert finding["said"]["message_id"] == first
    assert finding["said"]["channel"] == "email" and finding["said"]["team"] == "internal"
    assert finding["said"]["case"] == ref
    assert counts(db) == before
    # the same facts in other words and formats agree
    same = check(
        client, world, ref, "Hi Julie, your refund of 49.90 EUR will arrive within 5 business days."
    )
    assert same == {"consistent": True, "findings": []}


def test_the_check_follows_the_access_rule(
    db: Database, client: TestClient, world: World, box: SecretBox
) -> None:
    ref = email_case(db, world, box)
    reply(client, world, ref, FIRST)
    # the provider's engaged team (email + chat) sees the case and what it was told
    out = check(client, world, ref, "Le remboursement se fera sous 15 jours.", who="callpro:agent")
    assert [f["slot"] for f in out["findings"]] == ["refund_delay"]
    for who in ("callpro:unengaged", "globex:agent"):
        answer = client.post(
            f"/api/v1/cases/{ref}/replies/check",
            json={"body": "Le remboursement se fera sous 15 jours."},
            headers=auth(world.tokens[who]),
        )
        assert answer.status_code == 404, who
    answer = client.post(
        f"/api/v1/cases/{ref}/replies/check",
        json={"body": ""},
        headers=auth(world.tokens["acme:agent"]),
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "body"


def test_a_sent_contradiction_is_recorded_then_confirmed_or_dismissed(
    db: Database, client: TestClient, world: World, box: SecretBox
) -> None:
    ref = email_case(db, world, box)
    first = reply(client, world, ref, FIRST)
    second = reply(
        client,
        world,
        ref,
        "Bonjour, nous ne pouvons malheureusement pas vous rembourser cette commande.",
        who="callpro:agent",
    )
    rows = client.get(
        f"/api/v1/cases/{ref}/inconsistencies", headers=auth(world.tokens["acme:agent"])
    )
    assert rows.status_code == 200
    [row] = rows.json()
    assert row["message_id"] == second and row["kind"] == "decision" and row["status"] == "detected"
    assert row["detail"]["value"] == "refused" and row["detail"]["other_value"] == "granted"
    assert row["detail"]["said"]["message_id"] == first
    # the reply itself is unchanged: queued, and the case answered
    with db.reading() as s:
        sent = s.get(Message, second)
        assert sent is not None and sent.delivery_status == "queued"
    url = f"/api/v1/inconsistencies/{row['id']}"
    assert (
        client.post(f"{url}/confirm", headers=auth(world.tokens["acme:viewer"])).status_code == 403
    )
    assert (
        client.post(f"{url}/confirm", headers=auth(world.tokens["callpro:unengaged"])).status_code
        == 404
    )
    assert (
        client.post(f"{url}/confirm", headers=auth(world.tokens["globex:supervisor"])).status_code
        == 404
    )
    done = client.post(f"{url}/confirm", headers=auth(world.tokens["callpro:agent"]))
    assert done.status_code == 200 and done.json()["status"] == "confirmed"
    assert done.json()["decided_by"] == f"user:{world.ids['callpro:agent']}"
    with db.reading() as s:
        now = utcnow()
        c = consistency_counts(
            s, world.ids["acme"], now - timedelta(days=1), now + timedelta(minutes=1)
        )
    assert c == {
        "answers_checked": 2,
        "answers_in_repeated_requests": 2,
        "answers_detected": 1,
        "answers_confirmed": 1,
    }
    assert consistency_rate(c) == 0.5
    undone = client.post(f"{url}/dismiss", headers=auth(world.tokens["acme:supervisor"]))
    assert undone.status_code == 200 and undone.json()["status"] == "dismissed"
    with db.reading() as s:
        kinds = list(
            s.scalars(select(Event.kind).where(Event.kind.like("consistency.%")).order_by(Event.id))
        )
        c = consistency_counts(
            s, world.ids["acme"], now - timedelta(days=1), now + timedelta(minutes=1)
        )
    assert kinds == ["consistency.detected", "consistency.confirmed", "consistency.dismissed"]
    assert c["answers_confirmed"] == 0 and consistency_rate(c) == 1.0


def test_macros_are_written_by_brand_managers_read_by_engaged_agents_and_checked(
    db: Database, client: TestClient, world: World, box: SecretBox
) -> None:
    ref = email_case(db, world, box)
    body = {
        "title": "Politique de retour",
        "body": "Vous avez 30 jours pour nous retourner un article. Le retour est gratuit.",
        "language": "fr",
        "facts": {"return_window_days": 30, "return_fee_eur": 0},
    }
    assert (
        client.post(
            "/api/v1/macros", json=body, headers=auth(world.tokens["acme:agent"])
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/macros", json=body, headers=auth(world.tokens["callpro:admin"])
        ).status_code
        == 403
    )
    bad = client.post(
        "/api/v1/macros",
        json={**body, "facts": {"refund_speed": 3}},
        headers=auth(world.tokens["acme:supervisor"]),
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "facts.refund_speed"
    made = client.post("/api/v1/macros", json=body, headers=auth(world.tokens["acme:supervisor"]))
    assert made.status_code == 201, made.text
    macro = made.json()["id"]
    listed = client.get("/api/v1/macros", headers=auth(world.tokens["callpro:agent"]))
    assert [m["id"] for m in listed.json()] == [macro]
    assert (
        client.get("/api/v1/macros", headers=auth(world.tokens["callpro:unengaged"])).json() == []
    )
    assert (
        client.get(
            f"/api/v1/macros/{macro}", headers=auth(world.tokens["globex:agent"])
        ).status_code
        == 404
    )
    out = check(client, world, ref, "Bonjour, vous avez 14 jours pour retourner la robe.")
    [finding] = out["findings"]
    assert finding["kind"] == "policy" and finding["slot"] == "return_window"
    assert finding["said"] == {"macro_id": macro, "macro_title": "Politique de retour"}
    assert check(
        client, world, ref, "Vous avez un mois pour retourner la robe, le retour est gratuit."
    )["consistent"]
    off = client.patch(
        f"/api/v1/macros/{macro}", json={"active": False}, headers=auth(world.tokens["acme:admin"])
    )
    assert off.status_code == 200 and off.json()["active"] is False
    assert check(client, world, ref, "Bonjour, vous avez 14 jours pour retourner la robe.")[
        "consistent"
    ]


def test_the_customers_other_case_about_the_same_order_counts_if_the_user_may_see_it(
    db: Database, client: TestClient, world: World, box: SecretBox
) -> None:
    old = email_case(db, world, box)
    reply(client, world, old, FIRST)
    with db.transaction() as s:
        case = s.scalar(select(Case).where(Case.brand_id == world.ids["acme"]))
        assert case is not None
        case.status = "closed"
        case.channel = "phone"  # outside the provider's engagement (email + chat)
    [result] = ingest(
        db,
        [
            message(
                at=utcnow() - timedelta(minutes=5),
                subject="Toujours rien",
                text="Bonjour, commande A-12345 : toujours pas de remboursement.",
            )
        ],
    )
    assert result.reference is not None and result.reference != old
    draft = "Le remboursement de 29,90 € sera effectué."
    [finding] = check(client, world, result.reference, draft)["findings"]
    assert finding["said"]["case"] == old and finding["value"] == "29.90 EUR"
    # the provider's agent sees the new case but not the old one: nothing from it
    assert check(client, world, result.reference, draft, who="callpro:agent")["consistent"]


def test_a_request_answered_once_is_checked_but_not_in_the_rate(
    db: Database, client: TestClient, world: World, box: SecretBox
) -> None:
    ref = email_case(db, world, box)
    reply(client, world, ref, FIRST)
    with db.reading() as s:
        now = utcnow()
        c = consistency_counts(
            s, world.ids["acme"], now - timedelta(days=1), now + timedelta(minutes=1)
        )
        other_brand = consistency_counts(
            s, world.ids["globex"], now - timedelta(days=1), now + timedelta(minutes=1)
        )
    assert c == {
        "answers_checked": 1,
        "answers_in_repeated_requests": 0,
        "answers_detected": 0,
        "answers_confirmed": 0,
    }
    assert consistency_rate(c) is None
    assert other_brand["answers_checked"] == 0


def test_a_fault_of_the_detector_never_stops_a_reply(
    db: Database,
    client: TestClient,
    world: World,
    box: SecretBox,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    ref = email_case(db, world, box)

    def broken(*args: object, **kwargs: object) -> list[object]:
        raise RuntimeError("detector bug")

    monkeypatch.setattr("omnicase.services.consistency.extract_facts", broken)
    sent = reply(client, world, ref, FIRST)
    with db.reading() as s:
        assert s.get(Message, sent) is not None
    assert "consistency check failed" in caplog.text and "49,90" not in caplog.text
