"""parse_email and to_inbound: bytes of a real-looking message in, canonical message out."""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import SMTP

import pytest

from omnicase.channels.email.parse import (
    EmailParseError,
    EmailTooLargeError,
    decode_text,
    parse_email,
    stable_id,
    to_inbound,
)
from omnicase.ingest.schema import Channel
from tests.channels.email.conftest import REPLIES


def _read(name: str) -> bytes:
    return (REPLIES / name).read_bytes()


def test_alternative_prefers_text_plain_and_keeps_sanitised_html() -> None:
    parsed = parse_email(_read("heldout/gmail_fr_toppost.eml"), brand="acme")
    assert not parsed.text_from_html
    assert parsed.text.startswith("Bonjour,\n\nToujours rien reçu")
    assert "a\nécrit :" in parsed.text  # the full text keeps the quoted history
    assert parsed.html is not None and "gmail_quote" not in parsed.html  # class dropped
    assert "Toujours rien reçu" in parsed.html


def test_html_only_becomes_text_with_quotes_marked() -> None:
    parsed = parse_email(_read("apple_mail_html_cite.eml"), brand="globex")
    assert parsed.text_from_html
    assert "> On 27 Mar 2025, at 10:02, Globex Support" in parsed.text
    msg = to_inbound(parsed)
    assert (
        msg.text == "I'd rather have the blue one than a refund, if it's back in stock next week."
    )
    assert msg.html is not None and "<blockquote>" in msg.html


def test_canonical_message_fields() -> None:
    raw = _read("en_multipart_with_attachment.eml")
    parsed = parse_email(raw, brand="globex", mailbox="support@globex.example")
    msg = to_inbound(parsed)
    assert msg.channel is Channel.email
    assert msg.external_id == parsed.message_id
    assert msg.external_id.startswith("<en_multipart_with_attachment.")
    assert msg.external_id.endswith("@mail.example.net>")
    assert msg.from_.email == "noah.patel@example.com" and msg.from_.name == "Noah Patel"
    assert msg.received_at == datetime(2025, 4, 7, 9, 0, tzinfo=UTC)
    assert msg.text == "Here's the receipt from the shop, as requested."
    [attachment] = msg.attachments
    data = b"%PDF-1.4\n% fake receipt\n%%EOF\n"
    assert (attachment.filename, attachment.content_type, attachment.size) == (
        "receipt.pdf",
        "application/pdf",
        len(data),
    )
    assert attachment.sha256 == hashlib.sha256(data).hexdigest()
    assert parsed.attachments[0].data == data and not parsed.attachments[0].inline
    meta = msg.meta["email"]
    assert meta["mailbox"] == "support@globex.example"
    assert meta["to"] == [{"email": "support@globex.example", "name": "Globex Support"}]
    assert "Could you send a proof of purchase?" in meta["full_text"]
    assert meta["quoted_text"].startswith("On Mon, 7 Apr 2025 at 09:00")
    assert meta["signature"] == "Noah"
    assert meta["classification"] == {"kind": "human", "evidence": []}


def _message(**headers: str) -> EmailMessage:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = headers.pop("From", "Julie Martin <julie@example.fr>")
    msg["To"] = "support@acme.example"
    for key, value in headers.items():
        msg[key.replace("_", "-")] = value
    msg.set_content("Bonjour, où en est ma commande ?")
    return msg


def test_thread_headers() -> None:
    raw = _message(
        Subject="Re: commande",
        Message_ID="<b@example.fr>",
        In_Reply_To="<a@acme.example>",
        References="<root@acme.example> <a@acme.example>",
        Date="Tue, 04 Mar 2025 10:00:00 +0100",
    ).as_bytes()
    msg = to_inbound(parse_email(raw, brand="acme"))
    assert msg.external_id == "<b@example.fr>"
    assert msg.thread.in_reply_to == "<a@acme.example>"
    assert msg.thread.references == ["<root@acme.example>", "<a@acme.example>"]


def test_missing_message_id_is_stable_across_transports() -> None:
    raw = _message(Subject="Sans identifiant").as_bytes()
    relayed = b"Received: from mx by mx2; Tue, 4 Mar 2025\r\nReturn-Path: <j@x>\r\n" + raw
    lf = raw.replace(b"\r\n", b"\n")
    first = parse_email(raw, brand="acme")
    assert first.message_id is None
    assert first.external_id == stable_id(raw) == stable_id(relayed) == stable_id(lf)
    assert first.external_id.endswith("@omnicase.invalid>")
    other = _message(Subject="Un autre message").as_bytes()
    assert stable_id(other) != first.external_id


def test_missing_date_falls_back_to_now_with_the_flag() -> None:
    now = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)
    parsed = parse_email(_message(Subject="x").as_bytes(), brand="acme", now=now)
    assert parsed.date_missing and parsed.received_at == now
    assert to_inbound(parsed).meta["email"]["date_missing"] is True
    dated = parse_email(
        _message(Subject="x", Date="Tue, 04 Mar 2025 10:00:00 -0000").as_bytes(), brand="acme"
    )
    assert not dated.date_missing and dated.received_at == datetime(2025, 3, 4, 10, tzinfo=UTC)


def test_rfc2047_headers_and_charsets() -> None:
    raw = (
        b"From: =?iso-8859-1?q?Ren=E9_Lemoine?= <rene@example.fr>\r\n"
        b"To: support@acme.example\r\n"
        b"Subject: =?utf-8?b?UsOpY2xhbWF0aW9u?= =?utf-8?q?_colis_ab=C3=AEm=C3=A9?=\r\n"
        b"Content-Type: text/plain; charset=windows-1252\r\n"
        b"Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"Le colis est arriv=E9 ab=EEm=E9 =96 la lampe =AB Nova =BB.\r\n"
    )
    parsed = parse_email(raw, brand="acme")
    assert parsed.sender is not None and parsed.sender.name == "René Lemoine"
    assert parsed.subject == "Réclamation colis abîmé"
    assert parsed.text.strip() == "Le colis est arrivé abîmé – la lampe « Nova »."


@pytest.mark.parametrize(
    ("data", "charset", "expected"),
    [
        ("café".encode(), "iso-8859-1", "café"),  # mislabelled UTF-8
        ("café".encode("latin-1"), "utf-8", "café"),  # mislabelled Latin-1
        ("€".encode("cp1252"), "iso-8859-1", "€"),  # ISO-8859-1 read as Windows-1252
        ("привет".encode("koi8-r"), "koi8-r", "привет"),
        ("café".encode(), "x-unknown", "café"),
        (b"plain", None, "plain"),
    ],
)
def test_decode_text_best_effort(data: bytes, charset: str | None, expected: str) -> None:
    assert decode_text(data, charset) == expected


def test_inline_image_and_remote_images_on_request() -> None:
    msg = EmailMessage(policy=SMTP)
    msg["From"] = "julie@example.fr"
    msg["To"] = "support@acme.example"
    msg["Subject"] = "Photo"
    msg.set_content("Voir la photo.")
    msg.add_alternative(
        '<p>Voir la photo <img src="cid:photo1@example.fr"> '
        '<img src="https://track.example/p.gif"></p>',
        subtype="html",
    )
    html_part = msg.get_payload()[1]
    html_part.add_related(b"\x89PNG fake", "image", "png", cid="<photo1@example.fr>")
    parsed = parse_email(msg.as_bytes(), brand="acme")
    [image] = parsed.attachments
    assert image.inline and image.content_id == "photo1@example.fr"
    assert image.content_type == "image/png" and image.filename == "attachment-1.png"
    assert parsed.html is not None and 'src="cid:photo1@example.fr"' in parsed.html
    assert "track.example" not in parsed.html
    assert parsed.blocked_images == ("https://track.example/p.gif",)
    shown = parsed.html_with_remote_images()
    assert shown is not None and 'src="https://track.example/p.gif"' in shown
    assert to_inbound(parsed).meta["email"]["inline"] == ["photo1@example.fr"]


def test_oversized_is_a_distinct_error() -> None:
    raw = _message(Subject="big").as_bytes()
    with pytest.raises(EmailTooLargeError) as caught:
        parse_email(raw, brand="acme", max_bytes=len(raw) - 1)
    assert not isinstance(caught.value, EmailParseError)
    assert "limit" in caught.value.reason


def test_no_sender_cannot_become_a_message() -> None:
    raw = b"To: support@acme.example\r\nSubject: orphan\r\n\r\nhello\r\n"
    parsed = parse_email(raw, brand="acme")
    with pytest.raises(EmailParseError, match="no sender address"):
        to_inbound(parsed)


def test_sender_falls_back_to_reply_to() -> None:
    raw = b"From: undisclosed\r\nReply-To: Jo <jo@example.fr>\r\nSubject: s\r\n\r\nhello\r\n"
    assert to_inbound(parse_email(raw, brand="acme")).from_.email == "jo@example.fr"


def test_every_reply_fixture_becomes_a_valid_message() -> None:
    paths = sorted(REPLIES.rglob("*.eml"))
    assert len(paths) >= 60
    for path in paths:
        msg = to_inbound(parse_email(path.read_bytes(), brand="acme"))
        assert msg.text, path.name
        assert msg.meta["email"]["full_text"].strip(), path.name
