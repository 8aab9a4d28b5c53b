"""The attachment store (content-addressed, names only metadata) and the download route
through the access scope."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.channels.attachments import AttachmentError, AttachmentStore, safe_filename
from omnicase.config import Settings
from omnicase.ingest.pipeline import ingest
from omnicase.ingest.schema import InboundMessage
from omnicase.model import Event
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.factories import World, message

PDF = b"%PDF-1.4 facture A-12345\n" * 50


def test_files_are_stored_once_by_hash(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path, max_bytes=10_000)
    digest = store.put(PDF[:1000])
    assert store.put(PDF[:1000]) == digest
    assert store.read(digest) == PDF[:1000]
    assert store.path_of(digest) == tmp_path / digest[:2] / digest[2:4] / digest
    files = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert files == [store.path_of(digest)]  # no temporary file left behind
    with pytest.raises(AttachmentError, match="over the limit"):
        store.put(b"x" * 10_001)


@pytest.mark.parametrize(
    "sha", ["../../etc/passwd", "A" * 64, "0" * 63, "/etc/passwd", "0" * 64 + "/../x", ""]
)
def test_anything_but_a_sha256_never_reaches_the_filesystem(tmp_path: Path, sha: str) -> None:
    store = AttachmentStore(tmp_path)
    with pytest.raises(AttachmentError):
        store.path_of(sha)


@pytest.mark.parametrize(
    ("given", "safe"),
    [
        ("../../etc/passwd", "passwd"),
        ("..\\..\\Windows\\win.ini", "win.ini"),
        ("/abs/path/facture.pdf", "facture.pdf"),
        (".htaccess", "htaccess"),
        ("a\x00b\r\n.pdf", "a_b__.pdf"),
        ('con<>:"|?*.txt', "con_______.txt"),
        ("..", "attachment"),
        ("", "attachment"),
        (None, "attachment"),
        ("é" * 300 + ".pdf", "é" * 196 + ".pdf"),
    ],
)
def test_file_names_are_cleaned(given: str | None, safe: str) -> None:
    assert safe_filename(given) == safe


def test_a_traversal_name_is_only_metadata(tmp_path: Path) -> None:
    store = AttachmentStore(tmp_path / "store")
    meta = store.add(PDF, "../../../escape.pdf", "Application/PDF; name=x")
    assert meta["filename"] == "escape.pdf"
    assert meta["content_type"] == "application/pdf"
    assert not any(p.name == "escape.pdf" for p in tmp_path.rglob("*"))
    assert os.listdir(tmp_path) == ["store"]


def _with_attachment(db: Database, settings: Settings, channel: str = "email") -> tuple[int, str]:
    meta = AttachmentStore.from_settings(settings).add(PDF, "facture.pdf", "application/pdf")
    base = message(
        channel=channel,
        **({"email": "julie@example.fr"} if channel == "email" else {"messenger": "psid-1"}),
    )
    msg = InboundMessage.model_validate(
        {**base.model_dump(by_alias=True, mode="json"), "attachments": [meta]}
    )
    [result] = ingest(db, [msg])
    assert result.message_id is not None
    return result.message_id, meta["sha256"]


def test_download_goes_through_the_case_scope(
    db: Database, world: World, client: TestClient, settings: Settings
) -> None:
    message_id, sha = _with_attachment(db, settings)
    url = f"/api/v1/messages/{message_id}/attachments/{sha}"
    got = client.get(url, headers=auth(world.tokens["acme:agent"]))
    assert got.status_code == 200
    assert got.content == PDF
    assert got.headers["content-disposition"].startswith("attachment;")
    assert 'filename="facture.pdf"' in got.headers["content-disposition"]
    assert got.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in got.headers["content-security-policy"]
    assert got.headers["content-type"] == "application/pdf"
    # provider staff engaged on acme's email see it, and the read is in the audit log
    assert client.get(url, headers=auth(world.tokens["callpro:agent"])).status_code == 200
    with db.reading() as s:
        kinds = list(s.scalars(select(Event.kind).where(Event.kind.like("access.%"))))
    assert kinds == ["access.attachment_read"]
    for who in ("globex:admin", "callpro:unengaged"):
        assert client.get(url, headers=auth(world.tokens[who])).status_code == 404, who
    assert client.get(url).status_code == 401
    other = "0" * 64
    assert (
        client.get(url.replace(sha, other), headers=auth(world.tokens["acme:agent"])).status_code
        == 404
    )
    traversal = f"/api/v1/messages/{message_id}/attachments/..%2F..%2Fetc%2Fpasswd"
    assert client.get(traversal, headers=auth(world.tokens["acme:agent"])).status_code == 404


def test_a_provider_not_engaged_on_the_channel_gets_404(
    db: Database, world: World, client: TestClient, settings: Settings
) -> None:
    message_id, sha = _with_attachment(db, settings, channel="messenger")
    url = f"/api/v1/messages/{message_id}/attachments/{sha}"
    assert client.get(url, headers=auth(world.tokens["acme:viewer"])).status_code == 200
    assert client.get(url, headers=auth(world.tokens["callpro:agent"])).status_code == 404
