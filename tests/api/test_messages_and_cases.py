"""REST API behaviour: ingestion codes, clear errors, timeline, merge/split/undo, paging."""

from __future__ import annotations

import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from omnicase.model import Event, Message
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.factories import make_world, message


def body(**kw: Any) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(message(**kw).model_dump_json(by_alias=True))
    return data


def test_post_message_201_then_200_for_the_same(db: Database, client: TestClient) -> None:
    world = make_world(db)
    h = auth(world.tokens["acme:agent"])
    payload = body(external_id="<a1@x>", text="Commande A-12345 pas reçue")
    first = client.post("/api/v1/messages", json=payload, headers=h)
    assert first.status_code == 201, first.text
    assert first.json()["case"].startswith("AC-")
    again = client.post("/api/v1/messages", json=payload, headers=h)
    assert again.status_code == 200
    assert again.json()["message_id"] == first.json()["message_id"]
    assert again.json()["status"] == "duplicate"


def test_unknown_field_is_a_clear_422(db: Database, client: TestClient) -> None:
    world = make_world(db)
    payload = body()
    payload["colour"] = "blue"
    payload["from"]["fax"] = "123"
    r = client.post("/api/v1/messages", json=payload, headers=auth(world.tokens["acme:agent"]))
    assert r.status_code == 422
    fields = {e["field"]: e["reason"] for e in r.json()["errors"]}
    assert "colour" in fields and "from.fax" in fields
    assert "unknown field" in fields["colour"]


def test_missing_timezone_and_bad_email_name_the_field(db: Database, client: TestClient) -> None:
    world = make_world(db)
    payload = body()
    payload["received_at"] = "2026-11-02T09:14:00"
    r = client.post("/api/v1/messages", json=payload, headers=auth(world.tokens["acme:agent"]))
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "received_at"
    assert "timezone" in r.json()["errors"][0]["reason"]
    payload = body(email="not-an-address")
    r = client.post("/api/v1/messages", json=payload, headers=auth(world.tokens["acme:agent"]))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "from.email"


def test_message_for_another_brand_is_403(db: Database, client: TestClient) -> None:
    world = make_world(db)
    r = client.post(
        "/api/v1/messages", json=body(brand="globex"), headers=auth(world.tokens["acme:agent"])
    )
    assert r.status_code == 403
    r = client.post(
        "/api/v1/messages", json=body(brand="nope"), headers=auth(world.tokens["acme:agent"])
    )
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "brand", "reason": "no brand named 'nope'"}]


def test_batch_with_one_invalid_item_writes_nothing(db: Database, client: TestClient) -> None:
    world = make_world(db)
    h = auth(world.tokens["acme:agent"])
    good = body(email="b1@example.fr")
    bad_phone = body(channel="sms", phone="call me maybe")
    r = client.post("/api/v1/messages/batch", json=[good, bad_phone], headers=h)
    assert r.status_code == 422
    assert r.json()["errors"][0]["field"] == "[1].from.phone"
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 0
    broken = dict(good)
    del broken["channel"]
    r = client.post("/api/v1/messages/batch", json=[good, broken], headers=h)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "[1].channel"
    r = client.post("/api/v1/messages/batch", json=[good, body(email="b2@example.fr")], headers=h)
    assert r.status_code == 200 and r.json()["created"] == 2


def test_timeline_merge_redirect_and_undo(db: Database, client: TestClient) -> None:
    world = make_world(db)
    h = auth(world.tokens["acme:agent"])
    a = client.post(
        "/api/v1/messages", json=body(text="Mon colis est perdu, commande A-50001"), headers=h
    ).json()
    b = client.post(
        "/api/v1/messages",
        json=body(
            channel="sms", phone="0600000002", minutes=5, text="C'est moi, la dame du colis perdu"
        ),
        headers=h,
    ).json()
    assert a["case_id"] != b["case_id"]
    merged = client.post(f"/api/v1/cases/{b['case']}/merge", json={"into": a["case"]}, headers=h)
    assert merged.status_code == 200, merged.text
    detail = merged.json()
    assert detail["message_count"] == 2
    assert [m["channel"] for m in detail["timeline"]] == ["email", "sms"]
    assert detail["channels"] == ["email", "sms"]
    # the merged case redirects
    r = client.get(f"/api/v1/cases/{b['case']}", headers=h, follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"].endswith(a["case"])
    # merging back would loop
    loop = client.post(f"/api/v1/cases/{a['case']}/merge", json={"into": b["case"]}, headers=h)
    assert loop.status_code == 409 and "loop" in loop.json()["detail"]
    link_id = detail["links"][0]["id"]
    undone = client.post(f"/api/v1/case-links/{link_id}/undo", headers=h)
    assert undone.status_code == 200
    assert undone.json()["id"] == b["case_id"] and undone.json()["message_count"] == 1
    assert client.get(f"/api/v1/cases/{a['case']}", headers=h).json()["message_count"] == 1
    again = client.post(f"/api/v1/case-links/{link_id}/undo", headers=h)
    assert again.status_code == 409
    with db.reading() as s:
        kinds = {k for (k,) in s.execute(select(Event.kind))}
    assert {"case.merged", "case.unmerged"} <= kinds


def test_split_moves_one_message_to_a_new_case(db: Database, client: TestClient) -> None:
    world = make_world(db)
    h = auth(world.tokens["acme:agent"])
    a = client.post(
        "/api/v1/messages", json=body(text="Commande A-60001 pas livrée"), headers=h
    ).json()
    b = client.post(
        "/api/v1/messages",
        json=body(minutes=3, text="Et ma commande A-60001, toujours rien ?"),
        headers=h,
    ).json()
    assert a["case_id"] == b["case_id"]
    r = client.post(
        f"/api/v1/cases/{a['case']}/split", json={"message_id": b["message_id"]}, headers=h
    )
    assert r.status_code == 201
    new = r.json()
    assert new["id"] != a["case_id"] and new["message_count"] == 1
    assert new["timeline"][0]["link"]["rule"] == "split"
    only = client.post(
        f"/api/v1/cases/{new['reference']}/split", json={"message_id": b["message_id"]}, headers=h
    )
    assert only.status_code == 409


def test_patch_status_and_filters_and_cursor(db: Database, client: TestClient) -> None:
    world = make_world(db)
    h = auth(world.tokens["acme:agent"])
    refs = []
    for i in range(5):
        r = client.post(
            "/api/v1/messages",
            json=body(
                email=f"c{i}@example.fr",
                channel="email" if i % 2 else "chat",
                text=f"Commande A-7000{i} en retard",
            ),
            headers=h,
        )
        refs.append(r.json()["case"])
    r = client.patch(f"/api/v1/cases/{refs[0]}", json={"status": "resolved"}, headers=h)
    assert r.status_code == 200 and r.json()["resolved_at"] is not None
    bad = client.patch(f"/api/v1/cases/{refs[0]}", json={"status": "done"}, headers=h)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "status"
    resolved = client.get("/api/v1/cases?status=resolved", headers=h).json()["items"]
    assert [c["reference"] for c in resolved] == [refs[0]]
    chats = client.get("/api/v1/cases?channel=chat", headers=h).json()["items"]
    assert len(chats) == 3
    found = client.get("/api/v1/cases?text=A-70003", headers=h).json()["items"]
    assert [c["reference"] for c in found] == [refs[3]]
    page1 = client.get("/api/v1/cases?limit=2", headers=h).json()
    page2 = client.get(f"/api/v1/cases?limit=2&cursor={page1['next_cursor']}", headers=h).json()
    page3 = client.get(f"/api/v1/cases?limit=2&cursor={page2['next_cursor']}", headers=h).json()
    ids = [c["reference"] for p in (page1, page2, page3) for c in p["items"]]
    assert ids == list(reversed(refs)) and page3["next_cursor"] is None
    assert client.get("/api/v1/cases?cursor=zzz", headers=h).status_code == 422


def test_customer_merge_moves_identities_and_cases(db: Database, client: TestClient) -> None:
    world = make_world(db)
    h = auth(world.tokens["acme:supervisor"])
    a = client.post(
        "/api/v1/messages", json=body(email="m1@example.fr", text="Commande A-80001"), headers=h
    ).json()
    b = client.post(
        "/api/v1/messages",
        json=body(channel="sms", phone="0699999999", text="Question sur une taille"),
        headers=h,
    ).json()
    r = client.post(
        f"/api/v1/customers/{b['customer_id']}/merge", json={"into": a["customer_id"]}, headers=h
    )
    assert r.status_code == 200
    kinds = {i["kind"] for i in r.json()["identities"]}
    assert kinds == {"email", "phone"} and len(r.json()["cases"]) == 2
    agent = client.post(
        f"/api/v1/customers/{a['customer_id']}/merge",
        json={"into": b["customer_id"]},
        headers=auth(world.tokens["acme:agent"]),
    )
    assert agent.status_code == 403


def test_text_search_treats_like_wildcards_literally(db: Database, client: TestClient) -> None:
    world = make_world(db)
    h = auth(world.tokens["acme:agent"])
    client.post("/api/v1/messages", json=body(text="Commande A-12345 en retard"), headers=h)
    assert client.get("/api/v1/cases?text=%25%25", headers=h).json()["items"] == []
    assert client.get("/api/v1/cases?text=__", headers=h).json()["items"] == []
    assert len(client.get("/api/v1/cases?text=retard", headers=h).json()["items"]) == 1


def test_the_deployments_reopen_window_applies_to_api_ingestion(db: Database) -> None:
    """OMNICASE_THREAD_WINDOW_DAYS decides how long a resolved request can take a new
    contact on another channel (the brand setting still wins over it); only a follow-up
    ("toujours rien ?") may continue it later, within the reply window."""
    from datetime import timedelta

    from omnicase.api.app import create_app
    from omnicase.config import Settings
    from omnicase.model import Case
    from tests.factories import T0

    world = make_world(db)
    h = auth(world.tokens["acme:agent"])
    cases = []
    for days in (1, 7):
        # one customer per run (her own order number), so the runs do not meet
        text = f"Commande A-1234{days} : le colis n'est toujours pas arrivé"
        with TestClient(create_app(db, Settings(thread_window_days=days))) as client:
            first = client.post(
                "/api/v1/messages",
                json=body(external_id=f"<w{days}@x>", text=text, email=f"c{days}@example.fr"),
                headers=h,
            ).json()
            with db.transaction() as s:
                case = s.scalar(select(Case).where(Case.id == first["case_id"]))
                assert case is not None
                case.status, case.resolved_at = "resolved", T0
            later = body(
                channel="sms",
                external_id=f"sms-w{days}",
                at=T0 + timedelta(days=3),
                phone=f"+3363998000{days}",
                text=f"Le colis de la commande A-1234{days} n'est pas arrivé.",
            )
            second = client.post("/api/v1/messages", json=later, headers=h).json()
            cases.append((first["case_id"], second["case_id"]))
    (short_first, short_second), (long_first, long_second) = cases
    assert short_second != short_first  # 3 days after the resolve, outside a 1-day window
    assert long_second == long_first
