"""Export and erasure of one customer: what the archive holds, and that after erasure
nothing of the person remains in any column of any table, while the contacts still count."""

from __future__ import annotations

import io
import json
import zipfile
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import JSON, LargeBinary, String, Text, func, select
from typer.testing import CliRunner

from omnicase.channels.attachments import AttachmentStore
from omnicase.cli import app as cli
from omnicase.config import Settings
from omnicase.model import Base, Case, Customer, Event, Message, ReasonCorrection
from omnicase.services.erasure import MARKER, do_erase_customer
from omnicase.services.gdpr import verify_archive
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.factories import World
from tests.security.conftest import EMAIL, NAME, OTHER_EMAIL, PDF, PERSONAL, SHARED, Journey


def find_personal(db: Database, needles: tuple[str, ...] = PERSONAL) -> list[str]:
    """Every (table.column, needle) where a text, JSON or binary column holds one of the
    needles: a walk over Base.metadata, so a table added later is searched too."""
    hits: list[str] = []
    with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            cols = [
                c for c in table.columns if isinstance(c.type, String | Text | JSON | LargeBinary)
            ]
            if not cols:
                continue
            for row in conn.execute(select(*cols)):
                for col, value in zip(cols, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, bytes | memoryview):
                        hay = bytes(value).decode("latin-1").lower()
                    else:
                        hay = json.dumps(value, ensure_ascii=False).lower()
                    hits += [f"{table.name}.{col.name}: {n}" for n in needles if n.lower() in hay]
    return hits


def kpis(db: Database) -> dict[str, Any]:
    """What reports count: contacts per channel and direction, cases, first responses."""
    with db.reading() as s:
        per_channel = {
            f"{channel}:{direction}": n
            for channel, direction, n in s.execute(
                select(Message.channel, Message.direction, func.count()).group_by(
                    Message.channel, Message.direction
                )
            )
        }
        cases = s.scalar(select(func.count()).select_from(Case))
        answered = s.scalar(select(func.count()).where(Case.first_response_at.is_not(None)))
        firsts = sorted(str(t) for t in s.scalars(select(Case.first_inbound_at)))
    return {"messages": per_channel, "cases": cases, "answered": answered, "first": firsts}


def test_the_export_holds_every_record_and_checks_out(
    db: Database, world: World, client: TestClient, journey: Journey
) -> None:
    answer = client.get(
        f"/api/v1/customers/{journey.customer_id}/export",
        headers=auth(world.tokens["acme:admin"]),
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "application/zip"
    manifest = verify_archive(answer.content)
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    identities = json.loads(archive.read("identities.json"))
    assert {i["value"] for i in identities} >= {EMAIL, "+33671829304"}
    messages = json.loads(archive.read("messages.json"))
    assert {m["channel"] for m in messages} == {"email", "sms"}
    assert any(m["direction"] == "outbound" and NAME in m["text"] for m in messages)
    assert any("Zebulon-4417" in (m["text"] or "") for m in messages)
    assert archive.read(f"attachments/{journey.sha_private}") == PDF
    assert archive.read(f"attachments/{journey.sha_shared}") == SHARED
    [raw_name] = [n for n in archive.namelist() if n.startswith("inbox/")]
    assert EMAIL.encode() in archive.read(raw_name)
    assert NAME in json.loads(archive.read("notes.json"))[0]["text"]
    assert json.loads(archive.read("reason_corrections.json"))[0]["new_reason"] == "account"
    assert json.loads(archive.read("customer.json"))[0]["name"] == NAME
    # the other customer is not in it
    assert OTHER_EMAIL.encode() not in answer.content.lower()
    assert not any(
        OTHER_EMAIL in zipfile.ZipFile(io.BytesIO(answer.content)).read(n).decode("latin-1")
        for n in archive.namelist()
    )
    assert manifest["counts"]["messages"] == len(messages) == 3
    with db.reading() as s:
        [event] = s.scalars(select(Event).where(Event.kind == "customer.exported")).all()
    assert event.customer_id == journey.customer_id and event.actor.startswith("user:")
    assert EMAIL not in json.dumps(event.data)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("acme:supervisor", 403),
        ("acme:agent", 403),
        ("callpro:admin", 403),
        ("callpro:unengaged", 404),
        ("globex:admin", 404),
    ],
)
def test_only_the_brands_admins_export_or_erase(
    world: World, client: TestClient, journey: Journey, who: str, status: int
) -> None:
    headers = auth(world.tokens[who])
    url = f"/api/v1/customers/{journey.customer_id}"
    assert client.get(f"{url}/export", headers=headers).status_code == status
    assert client.post(f"{url}/erase", headers=headers).status_code == status


def test_erasure_leaves_nothing_of_the_person_and_every_contact_counted(
    db: Database, world: World, client: TestClient, journey: Journey, settings: Settings
) -> None:
    before = kpis(db)
    assert find_personal(db)  # the walk does find the person before
    store = AttachmentStore.from_settings(settings)
    admin = auth(world.tokens["acme:admin"])
    answer = client.post(f"/api/v1/customers/{journey.customer_id}/erase", headers=admin)
    assert answer.status_code == 200, answer.text
    counts = answer.json()["counts"]
    assert counts["messages"] == 3 and counts["identities"] >= 2 and counts["attachments"] == 1
    assert find_personal(db) == []
    assert kpis(db) == before
    # the private file is gone, the one another customer also sent stays
    assert not store.exists(journey.sha_private)
    assert store.read(journey.sha_shared) == SHARED
    # nobody finds the person again, by any identity
    for value in (EMAIL, "+33671829304"):
        found = client.get("/api/v1/customers", params={"identity": value}, headers=admin)
        assert found.status_code == 200 and found.json()["items"] == []
    # the other customer keeps everything
    assert find_personal(db, (OTHER_EMAIL, "bernard quiles", "voici les cgv"))
    with db.reading() as s:
        [event] = s.scalars(select(Event).where(Event.kind == "customer.erased")).all()
        customer = s.get(Customer, journey.customer_id)
        assert customer is not None and customer.erased_at is not None and customer.name is None
        assert s.scalar(select(func.count()).select_from(ReasonCorrection)) == 0
        texts = set(s.scalars(select(Message.text).where(Message.customer_id == customer.id)))
    assert texts == {MARKER}
    assert event.data["messages"] == 3 and event.customer_id == journey.customer_id
    # idempotent: again changes nothing and logs nothing more
    again = client.post(f"/api/v1/customers/{journey.customer_id}/erase", headers=admin)
    assert again.status_code == 200
    assert find_personal(db) == [] and kpis(db) == before
    with db.reading() as s:
        assert s.scalar(select(func.count()).where(Event.kind == "customer.erased")) == 1
    # a new message from the same address is a new customer, with no history
    export = client.get(f"/api/v1/customers/{journey.customer_id}/export", headers=admin)
    assert export.status_code == 200
    assert b"marchetti" not in export.content.lower()


def test_an_erasure_rolled_back_keeps_data_and_files(
    db: Database, journey: Journey, settings: Settings
) -> None:
    store = AttachmentStore.from_settings(settings)
    with pytest.raises(RuntimeError), db.transaction() as s:
        customer = s.get(Customer, journey.customer_id)
        assert customer is not None
        do_erase_customer(s, customer, store)
        raise RuntimeError("the disk is full")
    assert store.exists(journey.sha_private)
    assert any(EMAIL in h for h in find_personal(db))


def test_cli_export_and_erase(db: Database, journey: Journey, tmp_path: Any) -> None:
    out = tmp_path / "c.zip"
    env = {"OMNICASE_DATABASE_URL": db.url}
    args = ["--brand", "acme", "--customer", str(journey.customer_id)]
    result = CliRunner().invoke(cli, ["gdpr", "export", *args, "--out", str(out)], env=env)
    assert result.exit_code == 0, result.output
    assert verify_archive(out.read_bytes())["customer_id"] == journey.customer_id
    wrong = CliRunner().invoke(
        cli,
        [
            "gdpr",
            "export",
            "--brand",
            "globex",
            "--customer",
            str(journey.customer_id),
            "--out",
            str(out),
        ],
        env=env,
    )
    assert wrong.exit_code == 2 and "no customer" in wrong.output
    erased = CliRunner().invoke(cli, ["gdpr", "erase", *args], env=env)
    assert erased.exit_code == 0, erased.output
    assert find_personal(db) == []
