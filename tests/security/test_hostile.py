"""Hostile email content, vector by vector (the fixture-based tests are in
tests/channels/email/test_hostile.py): the sanitiser's output for each, tracking pixels,
MIME nested past any sane depth through the real inbox, CR/LF in outbound headers (the
API and the SMTP builder), attachment names that try to leave the store."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.channels.attachments import AttachmentError, AttachmentStore, safe_filename
from omnicase.channels.base import Account, OutboundContext
from omnicase.channels.email.html import sanitise_html
from omnicase.channels.email.send import HeaderInjection, build_email
from omnicase.channels.inbox import accept_inbound, process_inbox
from omnicase.config import Settings
from omnicase.model import ChannelAccount, InboxItem
from omnicase.security.secrets import SecretBox
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.factories import World
from tests.security.conftest import Journey


@pytest.mark.parametrize(
    ("html", "gone", "kept"),
    [
        ("<p>hi</p><script>alert(1)</script>", ["<script", "alert("], ["<p>hi</p>"]),
        ('<img src="cid:a" onerror="alert(1)">', ["onerror", "alert"], ['src="cid:a"']),
        ('<a href="javascript:alert(1)">x</a>', ["javascript:"], [">x</a>"]),
        ('<a href="JaVaScRiPt&#58;alert(1)">x</a>', ["javascript", "alert"], [">x</a>"]),
        ('<div style="width: expression(alert(1))">x</div>', ["expression", "style="], ["x"]),
        ('<base href="https://evil.example/"><a href="/p">x</a>', ["<base", "evil.example"], []),
        ('<form action="https://evil.example"><input name="pw"></form>', ["<form", "<input"], []),
        ("<svg><script>alert(1)</script></svg>", ["<svg", "<script", "alert"], []),
        ('<iframe src="https://evil.example"></iframe>', ["<iframe", "evil"], []),
        ('<meta http-equiv="refresh" content="0;url=https://evil.example">', ["<meta", "evil"], []),
        ('<a href="https://shop.example/">ok</a>', [], ['href="https://shop.example/"']),
    ],
)
def test_each_vector_is_sanitised(html: str, gone: list[str], kept: list[str]) -> None:
    out = sanitise_html(html).html
    for needle in gone:
        assert needle not in out.lower(), (needle, out)
    for needle in kept:
        assert needle in out, (needle, out)


def test_tracking_pixels_are_blocked_and_kept_for_show_on_request() -> None:
    html = '<p>x</p><img src="https://t.evil.example/p.gif?u=1"><img src="//cdn.evil/b.png">'
    blocked = sanitise_html(html)
    assert "evil" not in blocked.html
    assert blocked.blocked_images == ("https://t.evil.example/p.gif?u=1", "//cdn.evil/b.png")
    shown = sanitise_html(html, remote_images=True)
    assert 'src="https://t.evil.example/p.gif?u=1"' in shown.html and not shown.blocked_images


def _nested(depth: int) -> bytes:
    head = b"From: a@example.fr\r\nTo: service@acme.example\r\nSubject: deep\r\n"
    parts = b""
    for level in range(depth):
        parts += (
            f'Content-Type: multipart/mixed; boundary="b{level}"\r\n\r\n--b{level}\r\n'.encode()
        )
    parts += b"Content-Type: text/plain\r\n\r\nbottom\r\n"
    for level in reversed(range(depth)):
        parts += f"--b{level}--\r\n".encode()
    return head + b"MIME-Version: 1.0\r\n" + parts


@pytest.mark.parametrize(
    "raw",
    [
        _nested(100),
        _nested(1000),
        b"From: a@example.fr\r\nContent-Type: multipart/mixed; boundary=x\r\n\r\n--y\r\nno end",
        b"From: a@example.fr\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\n\xff\xfe\x00",
        b"\x00" * 1000,
    ],
    ids=["nested-100", "nested-1000", "broken-boundary", "bad-charset", "nul"],
)
def test_malformed_mime_through_the_inbox_is_parsed_or_quarantined_never_a_crash(
    db: Database, journey: Journey, settings: Settings, raw: bytes
) -> None:
    with db.transaction() as s:
        account = s.scalar(select(ChannelAccount).where(ChannelAccount.channel == "email"))
        assert account is not None
        accepted = accept_inbound(s, "email", account, raw)
    outcome = process_inbox(
        db,
        accepted.inbox_id,
        SecretBox.from_settings(settings),
        AttachmentStore.from_settings(settings),
    )
    assert outcome in ("processed", "quarantined")
    with db.reading() as s:
        item = s.get(InboxItem, accepted.inbox_id)
        assert item is not None and item.status == outcome
        assert outcome == "processed" or item.last_error


def test_cr_lf_in_an_outbound_subject_is_refused_by_the_api(
    world: World, client: TestClient, journey: Journey
) -> None:
    answer = client.post(
        f"/api/v1/cases/{journey.reference}/replies",
        json={"text": "ok", "channel": "email", "subject": "Hi\r\nBcc: all@evil.example"},
        headers=auth(world.tokens["acme:admin"]),
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "subject"


CTX = OutboundContext(
    message_id=1,
    external_id="<r1@acme.example>",
    channel="email",
    account=Account(1, "acme", "Acme", "email", "m", "service@acme.example", {}, {}),
    recipient="julie@example.fr",
    recipient_name="Julie",
    case_reference="AC-000001",
    subject="Votre commande",
    text="Bonjour",
    html=None,
    attachments=(),
    thread=(),
    in_reply_to=None,
    author_name=None,
    store=AttachmentStore(Path("/nonexistent-omnicase-store")),
)


@pytest.mark.parametrize(
    "change",
    [
        {"subject": "x\r\nBcc: all@evil.example"},
        {"recipient_name": "Julie\nBcc: all@evil.example"},
        {"recipient": "julie@example.fr\r\nBcc: all@evil.example"},
        {"recipient": "julie@example.fr, all@evil.example"},
    ],
)
def test_header_injection_is_refused_when_building_the_mail(change: dict[str, str]) -> None:
    assert build_email(CTX)["To"] == "Julie <julie@example.fr>"
    with pytest.raises(HeaderInjection):
        build_email(replace(CTX, **change))


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("../../etc/passwd", "passwd"),
        ("/etc/shadow", "shadow"),
        ("C:\\Windows\\system32\\evil.exe", "evil.exe"),
        ("report\x00.pdf.exe", "report_.pdf.exe"),
        ("..", "attachment"),
        ("\u202egpj.exe", "\u202egpj.exe"),  # shown as text, never a path
        ("．．／．．／etc", "．．／．．／etc"),  # fullwidth dots and slash: not separators
    ],
)
def test_attachment_names_never_reach_the_filesystem(tmp_path: Path, name: str, shown: str) -> None:
    store = AttachmentStore(tmp_path / "store")
    meta = store.add(b"data", name, "application/pdf")
    assert meta["filename"] == shown
    stored = store.path_of(meta["sha256"]).resolve()
    assert stored.is_relative_to((tmp_path / "store").resolve())
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == [stored]
    for bad in ("../../etc/passwd", name, "A" * 64):
        with pytest.raises(AttachmentError):
            store.path_of(bad)
    assert "/" not in safe_filename(name) and "\\" not in safe_filename(name)


def test_a_zip_bomb_is_stored_as_its_bytes_and_limited(tmp_path: Path) -> None:
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as z:
        z.writestr("zeros.bin", b"\0" * (20 * 1024 * 1024))  # 20 MB → ~20 kB
    bomb = buffer.getvalue()
    store = AttachmentStore(tmp_path, max_bytes=1024 * 1024)
    meta = store.add(bomb, "invoice.zip", "application/zip")
    assert meta["size"] == len(bomb) < 100_000
    assert store.read(meta["sha256"]) == bomb  # never expanded
    with pytest.raises(AttachmentError, match="over the limit"):
        store.add(b"x" * (1024 * 1024 + 1), "big.bin", None)
