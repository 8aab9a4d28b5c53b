"""Downloading a message's attachment from the web case view: the case's access rule, the
API's download headers, the provider's reads in the access audit."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.api.app import create_app
from omnicase.channels.attachments import AttachmentStore
from omnicase.config import Settings, load_settings
from omnicase.ingest.pipeline import ingest
from omnicase.ingest.schema import InboundMessage
from omnicase.model import Event, Message
from omnicase.store.db import Database
from tests.factories import World, message
from tests.web.conftest import login

PDF = b"%PDF-1.4 facture A-12345\n" * 40


@pytest.fixture
def settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Settings:
    monkeypatch.setenv("OMNICASE_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    return load_settings()


@pytest.fixture
def site(db: Database, settings: Settings) -> Iterator[TestClient]:
    with TestClient(create_app(db, settings), follow_redirects=False) as c:
        yield c


def _case_with_attachment(db: Database, settings: Settings, channel: str) -> tuple[str, str]:
    """(the case's id, the download's path under it) of a new case with one attachment."""
    meta = AttachmentStore.from_settings(settings).add(PDF, "facture.pdf", "application/pdf")
    base = message(
        channel=channel,
        **({"email": "julie@example.fr"} if channel == "email" else {"messenger": "psid-9"}),
    )
    msg = InboundMessage.model_validate(
        {**base.model_dump(by_alias=True, mode="json"), "attachments": [meta]}
    )
    [result] = ingest(db, [msg])
    with db.reading() as s:
        stored = s.get(Message, result.message_id)
        assert stored is not None
        case_id = str(stored.case_id)
    return case_id, f"/messages/{result.message_id}/attachments/{meta['sha256']}"


def _download_url(site: TestClient, case_id: str, tail: str) -> str:
    """The link the case page gives (under the case's human reference)."""
    page = site.get(f"/cases/{case_id}")
    assert page.status_code == 200
    found = re.search(r'href="(/cases/[^"/]+' + re.escape(tail) + ')"', page.text)
    assert found, "no download link on the case page"
    return found.group(1)


def test_the_case_view_links_each_attachment_to_a_download(
    db: Database, world: World, site: TestClient, settings: Settings
) -> None:
    case_id, tail = _case_with_attachment(db, settings, "email")
    login(site, "agent@acme.test")
    url = _download_url(site, case_id, tail)
    got = site.get(url)
    assert got.status_code == 200 and got.content == PDF
    assert got.headers["content-disposition"].startswith("attachment;")
    assert 'filename="facture.pdf"' in got.headers["content-disposition"]
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers["content-security-policy"]
    # another digest, a traversal, another message's id: 404, never a file
    assert site.get(url[:-64] + "0" * 64).status_code == 404
    assert site.get(url[:-64] + "..%2F..%2Fetc%2Fpasswd").status_code == 404


@pytest.mark.parametrize(
    ("who", "channel", "status"),
    [
        ("agent@callpro.test", "email", 200),  # the provider is engaged on acme's email
        ("agent@callpro.test", "messenger", 404),  # ... not on its Messenger
        ("admin@globex.test", "email", 404),  # another brand
    ],
)
def test_the_download_follows_the_case_access_rule(
    db: Database,
    world: World,
    site: TestClient,
    settings: Settings,
    who: str,
    channel: str,
    status: int,
) -> None:
    case_id, tail = _case_with_attachment(db, settings, channel)
    login(site, "agent@acme.test")
    url = _download_url(site, case_id, tail)
    site.cookies.clear()
    login(site, who)
    assert site.get(url).status_code == status
    # a provider's reads go to the access audit (docs/security.md), refused ones do not
    with db.reading() as s:
        kinds = list(s.scalars(select(Event.kind).where(Event.kind == "access.attachment_read")))
    assert kinds == (["access.attachment_read"] if status == 200 else [])


def test_without_a_session_the_download_sends_to_login(
    db: Database, world: World, site: TestClient, settings: Settings
) -> None:
    case_id, tail = _case_with_attachment(db, settings, "email")
    login(site, "agent@acme.test")
    url = _download_url(site, case_id, tail)
    site.cookies.clear()
    got = site.get(url)
    assert got.status_code in (303, 401) and PDF not in got.content
