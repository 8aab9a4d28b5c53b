"""Provider staff's reads are in the brand's audit log; only the brand reads its log."""

from __future__ import annotations

from fastapi.testclient import TestClient

from omnicase.ingest.pipeline import ingest_one
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.factories import make_world, message


def test_provider_reads_are_audited_and_listed_to_the_brand(
    db: Database, client: TestClient
) -> None:
    world = make_world(db)
    r = ingest_one(db, message(channel="email", email="a@example.fr", text="Commande A-10001"))
    provider = auth(world.tokens["callpro:agent"])
    assert client.get(f"/api/v1/cases/{r.reference}", headers=provider).status_code == 200
    assert client.get(f"/api/v1/customers/{r.customer_id}", headers=provider).status_code == 200
    # the brand's own staff reading is not an access to audit
    client.get(f"/api/v1/cases/{r.reference}", headers=auth(world.tokens["acme:agent"]))

    log = client.get("/api/v1/audit-log?kind=access.", headers=auth(world.tokens["acme:admin"]))
    assert log.status_code == 200
    items = log.json()["items"]
    kinds = [(e["kind"], e["actor"]) for e in items]
    agent = f"user:{world.ids['callpro:agent']}"
    assert kinds == [("access.customer_read", agent), ("access.case_read", agent)]
    read = items[1]["data"]
    assert read["cases"] == [r.case_id] and read["client"] == "testclient"
    assert read["organisation"] == world.ids["callpro"]

    assert (
        client.get("/api/v1/audit-log", headers=auth(world.tokens["acme:agent"])).status_code == 403
    )
    assert client.get("/api/v1/audit-log", headers=provider).status_code == 403
    other = client.get("/api/v1/audit-log?kind=access.", headers=auth(world.tokens["globex:admin"]))
    assert other.status_code == 200 and other.json()["items"] == []
