"""The hosted web form end to end: the page, a post to the stored case (attachment in the
store, order number seen by the pipeline), the honeypot, the per-IP rate limit, sizes,
field validation and the render token, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from omnicase.channels.attachments import AttachmentStore
from omnicase.channels.webform.form import MAX_ATTACHMENT
from omnicase.config import Settings
from omnicase.model import Case, Event, Identity, InboxItem, Message
from omnicase.security.secrets import SecretBox
from omnicase.services.replies import default_channel
from omnicase.store.db import Database
from tests.channels.conftest import create_account, run_channels
from tests.factories import World


@pytest.fixture
def form_account(db: Database, world: World, box: SecretBox) -> int:
    return create_account(
        db,
        world,
        box,
        channel="webform",
        name="Contact form",
        address="acme-contact",
        settings={"reasons": "delivery,return,refund", "title": "Contact Acme"},
    )


def token(client: TestClient) -> str:
    page = client.get("/forms/acme")
    assert page.status_code == 200, page.text
    found = re.search(r'name="token" value="([^"]+)"', page.text)
    assert found is not None
    return found.group(1)


def post(client: TestClient, files: Any = None, **fields: str) -> Any:
    data = {
        "name": "Julie Martin",
        "email": "julie.martin@example.fr",
        "order_number": "A-12345",
        "reason": "delivery",
        "message": "Mon colis n'est jamais arrivé.",
        "token": fields.pop("token", None) or token(client),
        **fields,
    }
    return client.post("/forms/acme", data=data, files=files or {"attachment": ("", b"")})


def inbox_count(db: Database) -> int:
    with db.reading() as s:
        return int(s.scalar(select(func.count(InboxItem.id)).where(InboxItem.channel == "webform")))


@pytest.mark.usefixtures("form_account")
def test_the_page_lists_the_brand_reasons_and_a_token(client: TestClient) -> None:
    page = client.get("/forms/acme")
    assert page.status_code == 200
    for reason in ("delivery", "return", "refund"):
        assert f'<option value="{reason}">' in page.text
    assert 'name="website"' in page.text and "Contact Acme" in page.text
    assert client.get("/forms/no-such-brand").status_code == 404


@pytest.mark.usefixtures("form_account")
def test_a_post_becomes_a_case_with_its_attachment(
    db: Database, client: TestClient, settings: Settings
) -> None:
    invoice = b"%PDF-1.4 the invoice"
    r = post(client, files={"attachment": ("../../facture.pdf", invoice, "application/pdf")})
    assert r.status_code == 200, r.text
    assert "Thank you" in r.text
    run_channels(db)
    with db.reading() as s:
        [m] = list(s.scalars(select(Message).where(Message.channel == "webform")))
        identities = dict(
            s.execute(
                select(Identity.kind, Identity.value).where(Identity.customer_id == m.customer_id)
            ).all()
        )
    assert identities == {"email": "julie.martin@example.fr"}
    assert "Mon colis" in (m.text or "") and "Order number: A-12345" in (m.text or "")
    assert m.meta["webform"] == {"order_number": "A-12345", "reason": "delivery"}
    assert m.subject == "Web form: delivery"
    [attachment] = m.attachments
    assert attachment["filename"] == "facture.pdf" and attachment["size"] == len(invoice)
    assert AttachmentStore.from_settings(settings).read(attachment["sha256"]) == invoice


@pytest.mark.usefixtures("form_account")
def test_a_replayed_post_is_stored_once(db: Database, client: TestClient) -> None:
    once = token(client)
    assert post(client, token=once).status_code == 200
    assert post(client, token=once).status_code == 200
    assert inbox_count(db) == 1
    forged = post(client, token=once[:-4] + "0000")
    assert forged.status_code == 400
    assert forged.json()["errors"] == [
        {"field": "token", "reason": "not a token of this form: reload the form"}
    ]
    assert inbox_count(db) == 1


@pytest.mark.usefixtures("form_account")
def test_the_honeypot_drops_silently(db: Database, client: TestClient) -> None:
    r = post(client, website="http://spam.example")
    assert r.status_code == 200 and "Thank you" in r.text
    assert inbox_count(db) == 0
    with db.reading() as s:
        assert s.scalar(select(Event.data).where(Event.kind == "webform.spam")) == {
            "reason": "honeypot"
        }


@pytest.mark.usefixtures("form_account")
def test_the_rate_limit_per_address(db: Database, client: TestClient) -> None:
    for _ in range(5):
        assert post(client).status_code == 200
    limited = post(client)
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 601
    assert limited.json()["errors"][0]["field"] == "rate"
    assert inbox_count(db) == 5


@pytest.mark.usefixtures("form_account")
@pytest.mark.parametrize(
    ("fields", "field", "status"),
    [
        ({"email": "not-an-address"}, "email", 422),
        ({"name": ""}, "name", 422),
        ({"message": "  "}, "message", 422),
        ({"reason": "cancel"}, "reason", 422),
        ({"order_number": "X" * 65}, "order_number", 422),
    ],
)
def test_fields_are_checked_by_name(
    db: Database, client: TestClient, fields: dict[str, str], field: str, status: int
) -> None:
    r = post(client, **fields)
    assert r.status_code == status, r.text
    assert r.json()["errors"][0]["field"] == field
    assert inbox_count(db) == 0


@pytest.mark.usefixtures("form_account")
def test_sizes_and_content_type(db: Database, client: TestClient) -> None:
    big = b"x" * (MAX_ATTACHMENT + 1)
    r = post(client, files={"attachment": ("big.bin", big, "application/octet-stream")})
    assert r.status_code == 413 and r.json()["errors"][0]["field"] == "attachment"
    huge = client.post(
        "/forms/acme",
        content=b"x" * (MAX_ATTACHMENT + 300_000),
        headers={"content-type": "multipart/form-data; boundary=abc"},
    )
    assert huge.status_code == 413
    wrong = client.post("/forms/acme", json={"name": "x"})
    assert wrong.status_code == 415 and wrong.json()["errors"][0]["field"] == "content-type"
    assert inbox_count(db) == 0


@pytest.mark.usefixtures("form_account")
def test_a_reply_to_a_web_form_goes_by_email(db: Database, client: TestClient) -> None:
    assert post(client).status_code == 200
    run_channels(db)
    with db.reading() as s:
        case = s.scalar(select(Case))
        assert case is not None and default_channel(s, case) == "email"
