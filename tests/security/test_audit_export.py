"""Provider reads and every export are in the brand's audit log with who, what, when and
from where (IP, user agent); brand admins list and export it as CSV or JSON lines."""

from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from typer.testing import CliRunner

from omnicase.cli import app as cli_app
from omnicase.ingest.pipeline import ingest_one
from omnicase.model import Event
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.factories import make_world, message

UA = "walker/1.0 (audit test)"


def test_provider_reads_say_who_what_when_and_from_where(db: Database, client: TestClient) -> None:
    world = make_world(db)
    r = ingest_one(db, message(channel="email", email="a@example.fr", text="Commande A-10001"))
    provider = {**auth(world.tokens["callpro:agent"]), "User-Agent": UA}
    assert client.get(f"/api/v1/cases/{r.reference}", headers=provider).status_code == 200
    assert client.get(f"/api/v1/customers/{r.customer_id}", headers=provider).status_code == 200
    assert client.get("/api/v1/cases", headers=provider).status_code == 200
    with db.reading() as s:
        events = s.scalars(select(Event).where(Event.kind.like("access.%"))).all()
        kinds = {e.kind for e in events}
        assert {"access.case_read", "access.customer_read", "access.cases_listed"} <= kinds
        for e in events:
            assert e.actor == f"user:{world.ids['callpro:agent']}"
            assert e.at is not None and e.brand_id == world.ids["acme"]
            assert e.data["client"] == "testclient" and e.data["user_agent"] == UA
            assert e.data["organisation"] == world.ids["callpro"]


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_brand_admins_export_their_audit_log(db: Database, client: TestClient, fmt: str) -> None:
    world = make_world(db)
    r = ingest_one(db, message(channel="email", email="a@example.fr", text="Commande A-10001"))
    provider = {**auth(world.tokens["callpro:agent"]), "User-Agent": UA}
    client.get(f"/api/v1/cases/{r.reference}", headers=provider)
    admin = {**auth(world.tokens["acme:admin"]), "User-Agent": "exporter/2"}
    got = client.get(f"/api/v1/audit-log/export?format={fmt}", headers=admin)
    assert got.status_code == 200
    assert "attachment" in got.headers["content-disposition"]
    if fmt == "csv":
        assert got.headers["content-type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(got.text)))
        records = [{**row, "data": json.loads(row["data"])} for row in rows]
    else:
        records = [json.loads(line) for line in got.text.splitlines()]
    reads = [e for e in records if e["kind"] == "access.case_read"]
    assert len(reads) == 1 and reads[0]["data"]["user_agent"] == UA
    assert str(reads[0]["case_id"]) == str(r.case_id)
    ids = [int(e["id"]) for e in records]
    assert ids == sorted(ids) and len(ids) > 3  # oldest first, the brand's whole log
    # the export itself is logged, with where it came from
    with db.reading() as s:
        exported = s.scalars(select(Event).where(Event.kind == "access.audit_exported")).all()
        assert len(exported) == 1 and exported[0].brand_id == world.ids["acme"]
        assert exported[0].data["user_agent"] == "exporter/2"
    # another brand's admin exports only its own log; nobody else exports
    other = client.get(
        f"/api/v1/audit-log/export?format={fmt}", headers=auth(world.tokens["globex:admin"])
    )
    assert other.status_code == 200 and "access.case_read" not in other.text
    for who in ("acme:supervisor", "acme:agent", "callpro:admin"):
        refused = client.get("/api/v1/audit-log/export", headers=auth(world.tokens[who]))
        assert refused.status_code == 403, who
    assert client.get("/api/v1/audit-log/export?format=xml", headers=admin).status_code == 422


def test_a_cli_export_is_in_the_audit_log(db: Database) -> None:
    if db.dialect != "sqlite":
        pytest.skip("the CLI test uses the SQLite file")
    world = make_world(db)
    ingest_one(db, message(channel="email", email="a@example.fr", text="Commande A-10001"))
    result = CliRunner().invoke(
        cli_app,
        ["export", "cases", "--brand", "acme"],
        env={"OMNICASE_DATABASE_URL": str(db.engine.url)},
    )
    assert result.exit_code == 0, result.stderr
    with db.reading() as s:
        events = s.scalars(select(Event).where(Event.kind == "access.cases_exported")).all()
        assert [(e.brand_id, e.data["count"]) for e in events] == [(world.ids["acme"], 1)]
        assert events[0].data["os_user"]
