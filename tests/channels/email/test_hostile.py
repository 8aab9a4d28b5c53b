"""A malicious sender: what comes out of each hostile message (issue 10, email input)."""

from __future__ import annotations

import contextlib
import io
import time
import zipfile

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from omnicase.channels.email.parse import (
    MAX_PARTS,
    EmailParseError,
    EmailTooLargeError,
    parse_email,
    safe_filename,
    to_inbound,
)
from tests.channels.email.conftest import HOSTILE


def _parse(name: str):  # type: ignore[no-untyped-def]
    return parse_email((HOSTILE / name).read_bytes(), brand="acme")


def test_html_keeps_nothing_executable_and_blocks_remote_images() -> None:
    parsed = _parse("html_script.eml")
    html = parsed.html
    assert html is not None
    lowered = html.lower()
    for forbidden in (
        "<script", "alert(", "onload", "onclick", "expression", "javascript:", "style=",
        "<iframe", "<form", "<input", "<svg", "<object", "tracker.evil.example", "//cdn.",
    ):  # fmt: skip
        assert forbidden not in lowered, forbidden
    assert 'href="https://shop.example.com/track"' in html  # a plain link survives
    assert 'rel="noopener noreferrer"' in html
    assert 'src="cid:logo@evil.example"' in html  # a part of the message: harmless
    assert parsed.blocked_images == (
        "https://tracker.evil.example/pixel.gif?u=123",
        "//cdn.evil.example/beacon.png",
    )
    shown = parsed.html_with_remote_images()
    assert shown is not None and "https://tracker.evil.example/pixel.gif" in shown
    assert "<script" not in shown and "onload" not in shown  # still sanitised
    text = to_inbound(parsed).text
    assert text is not None and text.startswith("Bonjour, ma commande A-10492")
    assert "alert" not in text and "background" not in text


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("missing_boundary.eml", "declares no boundary"),
        ("boundary_never_found.eml", "boundary never appears"),
        ("nested_200.eml", "nested deeper than 20 levels"),
        ("not_an_email.txt", "no header fields"),
    ],
)
def test_malformed_mime_is_refused_with_a_reason(name: str, reason: str) -> None:
    started = time.perf_counter()
    with pytest.raises(EmailParseError) as caught:
        _parse(name)
    assert reason in caught.value.reason
    assert time.perf_counter() - started < 2


def test_too_many_parts_and_empty_input() -> None:
    parts = "".join(f"--p\r\nContent-Type: text/plain\r\n\r\n{i}\r\n" for i in range(MAX_PARTS + 5))
    raw = f"From: a@b.example\r\nContent-Type: multipart/mixed; boundary=p\r\n\r\n{parts}--p--\r\n"
    with pytest.raises(EmailParseError, match=f"more than {MAX_PARTS} MIME parts"):
        parse_email(raw.encode(), brand="acme")
    with pytest.raises(EmailParseError, match="empty"):
        parse_email(b"  \r\n", brand="acme")


def test_deeper_than_the_interpreter_can_recurse() -> None:
    depth = 1200
    head = "".join(
        f"Content-Type: multipart/mixed; boundary=b{k}\r\n\r\n--b{k}\r\n" for k in range(depth)
    )
    raw = f"From: a@b.example\r\n{head}Content-Type: text/plain\r\n\r\nx\r\n".encode()
    with pytest.raises(EmailParseError):
        parse_email(raw, brand="acme")


def test_broken_base64_is_decoded_best_effort_and_noted() -> None:
    parsed = _parse("broken_base64.eml")
    assert parsed.text.startswith("Bonjour, ma commande est cass")
    assert "InvalidBase64Repaired" in parsed.defects
    [pdf] = parsed.attachments
    assert pdf.filename == "facture.pdf" and pdf.data.startswith(b"%PDF-1.4")
    assert "InvalidBase64Repaired" in to_inbound(parsed).meta["email"]["defects"]


def test_zip_bomb_is_stored_as_sent_never_inflated() -> None:
    started = time.perf_counter()
    parsed = _parse("zip_bomb.eml")
    assert time.perf_counter() - started < 1
    [bomb] = parsed.attachments
    assert bomb.filename == "invoice.zip" and bomb.content_type == "application/zip"
    assert bomb.size < 100_000  # the compressed bytes, not the 64 MiB inside
    assert bomb.data.startswith(b"PK\x03\x04")
    declared = zipfile.ZipFile(io.BytesIO(bomb.data)).infolist()[0].file_size
    assert declared == 64 * 1024 * 1024  # what it would have cost to inflate
    [meta] = to_inbound(parsed).attachments
    assert meta.size == bomb.size  # the 4 TB "size=" parameter is ignored


def test_oversized_message() -> None:
    raw = b"From: a@b.example\r\nSubject: big\r\n\r\n" + b"x" * (25 * 1024 * 1024)
    with pytest.raises(EmailTooLargeError, match="over the 26214400-byte limit"):
        parse_email(raw, brand="acme")


def test_attachment_names_lose_paths_and_control_characters() -> None:
    names = [a.filename for a in _parse("traversal_names.eml").attachments]
    assert names[:7] == [
        "passwd",
        "boot.ini",
        "evil.pdf.exe",  # NUL removed
        "lineBcc: x.txt",  # CR LF removed
        "invoicegpj.exe",  # right-to-left override removed
        "attachment-6.bin",  # ".." is no name
        "attachment-7.bin",  # empty
    ]
    assert len(names[7]) == 255 and names[7].endswith(".pdf")
    assert names[8] == "htaccess"  # no path, no hidden dot file
    for name in names:
        assert "/" not in name and "\\" not in name and not name.startswith(".")
        assert all(ord(c) >= 32 for c in name)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("C:\\Users\\x\\report.pdf", "report.pdf"),
        ("  . . hidden ", "hidden"),
        ("résumé.pdf", "résumé.pdf"),
        (None, "attachment-3.pdf"),
    ],
)
def test_safe_filename(raw: str | None, expected: str) -> None:
    assert safe_filename(raw, "application/pdf", 3) == expected


def test_header_injection_stays_on_one_line() -> None:
    msg = to_inbound(_parse("header_injection.eml"))
    assert msg.subject == "Hello Bcc: victim@example.com injected body"
    assert msg.from_.email == "eve@evil.example"
    assert msg.from_.name is not None
    for value in (msg.subject, msg.from_.name):
        assert "\r" not in value and "\n" not in value


@pytest.mark.parametrize(
    ("name", "subject", "sender", "text"),
    [
        ("unknown_charset.eml", "Réclamation", "Jérôme", "ma commande n'est pas arrivée"),
        ("wrong_charset.eml", "Réclamation", "Jérôme Dupuis", "le colis est arrivé abîmé. Où"),
        ("latin1_in_utf8.eml", "Réponse", "Agnès Roy", "J'ai reçu un article abîmé."),
    ],
)
def test_wrong_or_unknown_charsets(name: str, subject: str, sender: str, text: str) -> None:
    parsed = _parse(name)
    assert parsed.subject == subject
    assert parsed.sender is not None and parsed.sender.name == sender
    assert text in parsed.text


def test_no_date_no_message_id() -> None:
    parsed = _parse("no_date_no_id.eml")
    assert parsed.date_missing and parsed.message_id is None
    assert parsed.external_id == _parse("no_date_no_id.eml").external_id
    assert to_inbound(parsed).text == "Where is my order?"


@pytest.mark.parametrize(
    "raw",
    [
        b"From: \xff\xfe\r\nSubject: =?utf-8?q?=FF?=\r\n\r\n\xff",
        b'From: a@b\r\nContent-Type: text/plain; charset="\r\n\r\nx',
        b"From: a@b\r\nContent-Type: ///\r\nContent-Disposition: ;;;\r\n\r\nx",
        b"From: a@b\r\nDate: 99 Foo 99999 99:99\r\nMessage-ID: <<<>>>\r\n\r\nx",
        b'From: <@>, <>, "unterminated\r\nTo: ,,,\r\n\r\nx',
        b"From: a@b\r\nContent-Type: message/rfc822\r\n\r\nnot a message",
        b"From: a@b\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n=ZZ=\r\n",
    ],
)
def test_garbage_never_crashes(raw: bytes) -> None:
    with contextlib.suppress(EmailParseError):
        parse_email(raw, brand="acme")


_SEEDS = [p.read_bytes() for p in sorted(HOSTILE.glob("*.eml")) if p.stat().st_size < 5000]


@settings(max_examples=300, deadline=None)
@given(seed=st.sampled_from(_SEEDS), cuts=st.lists(st.integers(0, 4999), max_size=6),
       junk=st.binary(max_size=40))  # fmt: skip
def test_mutated_messages_parse_or_are_refused(seed: bytes, cuts: list[int], junk: bytes) -> None:
    """Chopped and spliced fixtures: a ParsedEmail or an EmailParseError, nothing else."""
    raw = bytearray(seed)
    for cut in cuts:
        at = cut % max(1, len(raw))
        raw[at:at] = junk
    with contextlib.suppress(EmailParseError):
        to_inbound(parse_email(bytes(raw), brand="acme"))


def test_empty_message_is_refused_not_a_validation_crash() -> None:
    with pytest.raises(EmailParseError, match="not a usable message"):
        to_inbound(parse_email(b"From: a@b.example\r\n\r\n", brand="acme"))


def test_a_sloppy_content_type_keeps_its_type() -> None:
    raw = (
        b"From: a@b.example\r\nSubject: s\r\n"
        b'Content-Type: text/html; charset="utf-8\r\n\r\n<p>Bonjour <b>toi</b></p>'
    )
    parsed = parse_email(raw, brand="acme")
    assert parsed.text_from_html and parsed.text == "Bonjour toi"
