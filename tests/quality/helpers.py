"""Building cases to survey and grade: ingest, answer through the API, resolve."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.ingest.pipeline import ingest
from omnicase.model import Organisation, Survey
from omnicase.model.base import utcnow
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.factories import World, message

BASE_URL = "https://support.acme.example"


def csat_settings(db: Database, brand: str = "acme", **values: Any) -> None:
    with db.transaction() as s:
        org = s.scalar(select(Organisation).where(Organisation.slug == brand))
        assert org is not None
        org.settings = {**(org.settings or {}), "csat": {"base_url": BASE_URL, **values}}


def new_case(db: Database, channel: str = "email", text: str | None = None, **party: str) -> str:
    party = party or {"email": "julie.martin@example.fr"}
    extra: dict[str, Any] = {}
    if channel == "chat":
        extra["conversation_id"] = party["chat"]
    [r] = ingest(
        db,
        [
            message(
                channel=channel,
                at=utcnow() - timedelta(hours=2),
                subject="Retour" if channel == "email" else None,
                text=text or "Bonjour, je veux retourner la robe de la commande A-12345",
                **extra,
                **party,
            )
        ],
    )
    assert r.reference is not None
    return r.reference


def answer(
    client: TestClient,
    world: World,
    ref: str,
    who: str = "acme:agent",
    text: str = "Bonjour Julie, c'est noté : le retour est ouvert. Cordialement, Sophie",
) -> int:
    r = client.post(
        f"/api/v1/cases/{ref}/replies", json={"text": text}, headers=auth(world.tokens[who])
    )
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def set_status(client: TestClient, world: World, ref: str, status: str) -> None:
    r = client.patch(
        f"/api/v1/cases/{ref}", json={"status": status}, headers=auth(world.tokens["acme:agent"])
    )
    assert r.status_code == 200, r.text


def surveys(db: Database) -> list[Survey]:
    with db.reading() as s:
        rows = list(s.scalars(select(Survey).order_by(Survey.id)))
        s.expunge_all()
        return rows
