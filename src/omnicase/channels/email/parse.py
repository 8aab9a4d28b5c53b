"""An RFC 5322 message (bytes) → :class:`ParsedEmail` → the canonical ``InboundMessage``.

Pure functions (no database, no network): the SMTP server and the IMAP poller store the
raw bytes first, then call :func:`parse_email`; what cannot be parsed raises
:class:`EmailParseError` with a reason for the quarantine, an oversized message
:class:`EmailTooLargeError` (SMTP answers 552 to that one).

Every sender is hostile until proven otherwise: charsets are decoded best effort (a wrong
or unknown declared charset never raises), header values lose their control characters
(no CR/LF smuggled through an encoded word), attachment names lose their path, the MIME
tree is bounded in parts and depth, attachments are never decompressed, and HTML is
sanitised (``html.py``).
"""

from __future__ import annotations

import binascii
import codecs
import hashlib
import mimetypes
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.header import decode_header
from email.headerregistry import BaseHeader, HeaderRegistry
from email.message import EmailMessage, Message
from email.parser import BytesParser
from email.policy import default as default_policy
from email.utils import getaddresses, parsedate_to_datetime
from typing import Any

from pydantic import ValidationError

from omnicase.channels.email.autoreply import classify
from omnicase.channels.email.html import html_to_text, sanitise_html
from omnicase.channels.email.quoting import reply_text, split_reply
from omnicase.ingest.schema import InboundMessage, format_validation_error

__all__ = [
    "MAX_BYTES",
    "MAX_DEPTH",
    "MAX_PARTS",
    "EmailAddress",
    "EmailError",
    "EmailParseError",
    "EmailTooLargeError",
    "MimePart",
    "ParsedAttachment",
    "ParsedEmail",
    "clean_header",
    "decode_text",
    "decode_words",
    "new_text",
    "parse_email",
    "safe_filename",
    "stable_id",
    "to_inbound",
]

MAX_BYTES = 25 * 1024 * 1024  #: the SMTP size limit too (552 above it)
MAX_PARTS = 500  #: MIME parts in one message; real mail has a handful
MAX_DEPTH = 20  #: nesting of multiparts/attached messages; real mail rarely passes 5
MAX_REFERENCES = 100  #: the last References kept (threading needs the last few)
_TEXT_LIMIT = 1_000_000  #: the canonical message's limits
_HTML_LIMIT = 5_000_000
_ATTACHMENT_LIMIT = 100


class _CachingRegistry(HeaderRegistry):
    """policy.default's header registry, minus its cost: the stdlib builds a new class on
    every header access and re-parses Content-Type each time the parser or we ask for it
    (about 1 ms a message, more than everything else here). Header objects are immutable,
    so one parse per distinct short (name, value) serves them all."""

    def __init__(self) -> None:
        super().__init__()
        self._classes: dict[str, type[BaseHeader]] = {}
        self._parsed: dict[tuple[str, str], BaseHeader] = {}

    def __getitem__(self, name: str) -> type[BaseHeader]:
        key = name.lower()
        cls = self._classes.get(key)
        if cls is None:
            cls = self._classes[key] = super().__getitem__(name)
        return cls

    def __call__(self, name: str, value: str) -> BaseHeader:
        if len(value) > 1000:
            return self[name](name, value)
        key = (name.lower(), value)
        header = self._parsed.get(key)
        if header is None:
            if len(self._parsed) >= 4096:
                self._parsed.clear()
            header = self._parsed[key] = self[name](name, value)
        return header


_POLICY = default_policy.clone(header_factory=_CachingRegistry())
_PARSER = BytesParser(policy=_POLICY)


class EmailError(Exception):
    """Base of what :func:`parse_email` refuses; ``reason`` is safe to store and show."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class EmailParseError(EmailError):
    """The bytes are not a usable email (quarantined with this reason)."""


class EmailTooLargeError(EmailError):
    """Over the size limit: refused before parsing (SMTP 552)."""


@dataclass(frozen=True, slots=True)
class EmailAddress:
    email: str
    name: str | None = None


@dataclass(frozen=True, slots=True)
class ParsedAttachment:
    filename: str  #: sanitised: no path, no control characters, never empty
    content_type: str
    data: bytes = field(repr=False)  #: the decoded bytes as sent (never decompressed)
    sha256: str
    inline: bool  #: shown in the body (``cid:`` image) rather than attached
    content_id: str | None

    @property
    def size(self) -> int:
        return len(self.data)


@dataclass(frozen=True, slots=True)
class MimePart:
    """One node of the MIME tree with its Content-Type/-Disposition read once (the
    email package re-parses a structured header on every access)."""

    part: Message = field(repr=False)
    content_type: str
    params: dict[str, str]
    disposition: str | None
    filename: str | None
    depth: int

    @property
    def charset(self) -> str | None:
        return self.params.get("charset")


@dataclass(frozen=True)
class ParsedEmail:
    brand: str
    mailbox: str | None  #: the address it was received at (the brand's mailbox)
    external_id: str  #: Message-ID, or a stable one made from the content when missing
    message_id: str | None  #: as sent (None when the message had none)
    in_reply_to: str | None
    references: tuple[str, ...]
    sender: EmailAddress | None  #: From (Sender / Reply-To when From is unusable)
    reply_to: tuple[EmailAddress, ...]
    to: tuple[EmailAddress, ...]
    cc: tuple[EmailAddress, ...]
    subject: str | None
    received_at: datetime
    date_missing: bool  #: no usable Date header: ``received_at`` is the time of parsing
    text: str  #: the full text (text/plain, else the HTML rendered), quoted history kept
    text_from_html: bool
    html: str | None  #: sanitised, remote images removed
    blocked_images: tuple[str, ...]
    attachments: tuple[ParsedAttachment, ...]
    headers: tuple[tuple[str, str], ...]  #: every top-level header, decoded and cleaned
    defects: tuple[str, ...]  #: what the parser had to repair
    message: EmailMessage = field(repr=False)  #: the parsed tree (reports, DSN parts)
    parts: tuple[MimePart, ...] = field(default=(), repr=False)  #: every node, tree order
    raw_html: str | None = field(default=None, repr=False)  #: unsanitised, for re-rendering

    def header(self, name: str) -> str | None:
        """The first value of a top-level header (case-insensitive)."""
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)

    def html_with_remote_images(self) -> str | None:
        """The sanitised HTML with remote images kept: only when a person asks for them."""
        return sanitise_html(self.raw_html, remote_images=True).html if self.raw_html else None


# -- text and headers ----------------------------------------------------------------------

_SINGLE_BYTE_WESTERN = {"ascii", "iso8859-1", "iso8859-15", "cp1252"}  #: codecs' names
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u200e\u200f\u202a-\u202e\u2066-\u2069]")
_BODY_CONTROLS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_SURROGATES = re.compile(r"[\udc80-\udcff]")


def _codec(charset: str | None) -> str | None:
    if not charset:
        return None
    try:
        return codecs.lookup(charset.strip().strip("\"'")).name
    except (LookupError, ValueError):
        return None


def decode_text(data: bytes, charset: str | None) -> str:
    """Bytes of a text part in whatever charset it claims, best effort, never raising.

    Valid UTF-8 wins over a declared Western single-byte charset (mislabelled UTF-8 is the
    common lie); ISO-8859-1 is read as Windows-1252 like browsers do; an unknown charset
    falls back to UTF-8, then Windows-1252.
    """
    if data.isascii():
        return data.decode("ascii")
    name = _codec(charset)
    if name is not None and name != "utf-8" and name not in _SINGLE_BYTE_WESTERN:
        try:
            return data.decode(name)
        except (UnicodeDecodeError, LookupError):
            pass  # the declared charset is wrong: try the usual ones
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("iso8859-15" if name == "iso8859-15" else "cp1252")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def _repair(value: str) -> str:
    """Undo the parser's surrogate escapes (raw 8-bit headers, unknown charsets)."""
    if not _SURROGATES.search(value):
        return value
    return decode_text(value.encode("utf-8", "surrogateescape"), None)


def clean_header(value: str) -> str:
    """One line of text: no CR/LF/NUL or other control characters, spaces collapsed."""
    return " ".join(_CONTROLS.sub(" ", _repair(value)).split())


def decode_words(value: str) -> str:
    """RFC 2047 encoded words decoded, each in its charset best effort (never raising)."""
    if "=?" not in value:
        return value
    try:
        chunks = decode_header(value)
    except Exception:  # a broken encoded word stays as written
        return value
    return "".join(
        decode_text(chunk, charset) if isinstance(chunk, bytes) else chunk
        for chunk, charset in chunks
    )


def _raw(msg: Message, name: str) -> str | None:
    """A header's value as received (unfolded), without the header registry's cost."""
    wanted = name.lower()
    for key, value in msg.raw_items():
        if key.lower() == wanted:
            return str(value)
    return None


def _header(msg: Message, name: str) -> str | None:
    value = _raw(msg, name)
    if value is None:
        return None
    return clean_header(decode_words(value)) or None


def _addresses(msg: Message, name: str) -> tuple[EmailAddress, ...]:
    raw = _raw(msg, name)
    if not raw:
        return ()
    found: list[EmailAddress] = []
    for display, spec in getaddresses([" ".join(_repair(raw).split())]):
        email = clean_header(spec).replace(" ", "")
        if "@" not in email or email.startswith("@") or email.endswith("@"):
            continue
        display = clean_header(decode_words(display or "")).strip("\"' ")
        found.append(EmailAddress(email=email, name=display or None))
    return tuple(found)


_MSG_ID = re.compile(r"<([^<>\s]{1,995})>")


def _message_ids(value: str | None) -> list[str]:
    if not value:
        return []
    ids = [f"<{m}>" for m in _MSG_ID.findall(value)]
    if not ids and value.strip() and " " not in value.strip() and len(value) < 995:
        ids = [f"<{value.strip().strip('<>')}>"]
    return ids


_TRACE = {
    b"received",
    b"return-path",
    b"delivered-to",
    b"x-original-to",
    b"authentication-results",
    b"arc-seal",
    b"arc-message-signature",
    b"arc-authentication-results",
    b"x-received",
}


def stable_id(raw: bytes) -> str:
    """A Message-ID for a message without one: a digest of its bytes without the trace
    fields relays add, so the copy fetched by IMAP and the one received by SMTP agree."""
    normalised = raw.replace(b"\r\n", b"\n")
    head, sep, body = normalised.partition(b"\n\n")
    kept: list[bytes] = []
    keep = True
    for line in head.split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if keep:
                kept.append(line)
            continue
        keep = line.split(b":", 1)[0].strip().lower() not in _TRACE
        if keep:
            kept.append(line)
    digest = hashlib.sha256(b"\n".join(kept) + sep + body).hexdigest()
    return f"<{digest[:40]}@omnicase.invalid>"


# -- attachments -------------------------------------------------------------------------

_CONTENT_TYPE = re.compile(r"^[a-z0-9][a-z0-9!#$&^_.+-]{0,126}/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$")


def safe_filename(name: str | None, content_type: str, index: int) -> str:
    """The last path component, without control or format characters (no RTL override),
    leading dots or trailing dots/spaces, at most 255 characters; a generated name when
    nothing is left."""
    value = unicodedata.normalize("NFC", _repair(name or ""))
    value = value.replace("\\", "/").rsplit("/", 1)[-1]
    value = "".join(c for c in value if unicodedata.category(c)[0] not in ("C", "Z") or c == " ")
    value = " ".join(value.split()).lstrip(". ").rstrip(". ")
    if not value:
        ext = mimetypes.guess_extension(content_type) or ".bin"
        value = f"attachment-{index}{ext}"
    if len(value) > 255:
        stem, dot, ext = value.rpartition(".")
        value = f"{stem[: 254 - len(ext)]}.{ext}" if dot and len(ext) <= 16 else value[:255]
    return value


def _attachment(info: MimePart, index: int, data: bytes) -> ParsedAttachment:
    ctype = info.content_type
    filename = info.filename
    if not filename and ctype.startswith("message/"):
        filename = "message.eml" if ctype == "message/rfc822" else f"{ctype.split('/')[1]}.txt"
    cid = _header(info.part, "Content-ID")
    content_id = (cid.strip().strip("<>") or None) if cid else None
    inline = info.disposition == "inline" or (info.disposition is None and content_id is not None)
    return ParsedAttachment(
        filename=safe_filename(filename, ctype, index),
        content_type=ctype,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        inline=inline,
        content_id=content_id,
    )


def _payload(info: MimePart, defects: list[str]) -> bytes:
    """The decoded body of a leaf part (base64/QP undone leniently), never decompressed."""
    part = info.part
    if info.content_type.startswith("message/") or part.is_multipart():
        payload = part.get_payload()
        if isinstance(payload, list):
            return b"".join(
                p.as_bytes(policy=default_policy) for p in payload if isinstance(p, Message)
            )
        return str(payload).encode("utf-8", "surrogateescape")
    encoding = (_raw(part, "Content-Transfer-Encoding") or "").strip().lower()
    if encoding == "base64":
        data, clean = _lenient_base64(part.get_payload())
        if not clean:
            defects.append("InvalidBase64Repaired")
        return data
    decoded = part.get_payload(decode=True)
    return decoded if isinstance(decoded, bytes) else b""


_NOT_BASE64 = re.compile(rb"[^A-Za-z0-9+/]")


def _lenient_base64(payload: object) -> tuple[bytes, bool]:
    """Decode base64 the way mail clients do: foreign characters skipped, bad padding
    repaired (the stdlib hands back the undecoded text instead). Also says whether the
    input was clean."""
    text = payload.encode("ascii", "ignore") if isinstance(payload, str) else b""
    body = text.split(b"=", 1)[0]
    alphabet = _NOT_BASE64.sub(b"", body)
    was_clean = len(alphabet) == len(b"".join(body.split())) and len(alphabet) % 4 != 1
    if len(alphabet) % 4 == 1:
        alphabet = alphabet[:-1]
    alphabet += b"=" * (-len(alphabet) % 4)
    try:
        return binascii.a2b_base64(alphabet), was_clean
    except binascii.Error:
        return b"", False


# -- the tree ----------------------------------------------------------------------------


@dataclass
class _Walk:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    nodes: list[MimePart] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    decoded: int = 0


def _children(part: Message) -> list[Message]:
    payload = part.get_payload()
    return [p for p in payload if isinstance(p, Message)] if isinstance(payload, list) else []


def _info(part: Message, depth: int) -> MimePart:
    """Content-Type and -Disposition parsed once (policy.default: RFC 2231 handled)."""
    ctype, params = part.get_default_type(), {}
    disposition: str | None = None
    filename: str | None = None
    try:
        header: Any = part.get("content-type")
        if header is not None:  # an invalid one reads as text/plain, as RFC 2045 says
            ctype, params = header.content_type, dict(header.params)
    except Exception:  # an unreadable Content-Type is the default type, as RFC 2045 says
        pass
    try:
        header = part.get("content-disposition")
        if header is not None:
            disposition = header.content_disposition
            filename = header.params.get("filename")
    except Exception:
        pass
    ctype = ctype.lower() if _CONTENT_TYPE.match(ctype.lower()) else "application/octet-stream"
    params = {str(k).lower(): _repair(str(v)) for k, v in params.items()}
    return MimePart(part, ctype, params, disposition, filename or params.get("name"), depth)


def _bodies(part: Message, walk: _Walk, depth: int, max_bytes: int) -> None:
    """Collect text bodies and attachments; multipart/alternative keeps one of each kind."""
    if len(walk.nodes) >= MAX_PARTS:
        raise EmailParseError(f"more than {MAX_PARTS} MIME parts")
    if depth > MAX_DEPTH:
        raise EmailParseError(f"MIME parts nested deeper than {MAX_DEPTH} levels")
    info = _info(part, depth)
    walk.nodes.append(info)
    if part.is_multipart() and info.content_type != "message/rfc822":
        children = _children(part)
        if info.content_type == "multipart/alternative":
            plain: list[str] | None = None
            html: list[str] | None = None
            for child in children:
                sub = _Walk(nodes=walk.nodes, defects=walk.defects, decoded=walk.decoded)
                _bodies(child, sub, depth + 1, max_bytes)
                walk.decoded = sub.decoded
                if sub.plain and plain is None:
                    plain = sub.plain
                if sub.html:
                    html = sub.html
                walk.attachments.extend(sub.attachments)
            walk.plain.extend(plain or ())
            walk.html.extend(html or ())
            return
        for child in children:
            _bodies(child, walk, depth + 1, max_bytes)
        return
    data = _payload(info, walk.defects)
    walk.decoded += len(data)
    if len(data) > max_bytes or walk.decoded > 2 * max_bytes:
        raise EmailParseError("decoded parts exceed the size limit")
    if (
        info.content_type in ("text/plain", "text/html")
        and info.disposition != "attachment"
        and not info.filename
    ):
        text = decode_text(data, info.charset)
        (walk.plain if info.content_type == "text/plain" else walk.html).append(text)
        return
    walk.attachments.append(_attachment(info, len(walk.attachments) + 1, data))


_FATAL_DEFECTS = {
    "NoBoundaryInMultipartDefect": "a multipart part declares no boundary",
    "StartBoundaryNotFoundDefect": "the multipart boundary never appears in the body",
}


def _defects(msg: Message) -> Iterator[str]:
    stack: list[tuple[Message, int]] = [(msg, 0)]
    while stack:
        part, depth = stack.pop()
        for defect in getattr(part, "defects", ()):
            yield type(defect).__name__
        if depth < MAX_DEPTH:
            stack.extend((c, depth + 1) for c in _children(part))


def parse_email(
    raw: bytes,
    *,
    brand: str,
    mailbox: str | None = None,
    max_bytes: int = MAX_BYTES,
    now: datetime | None = None,
) -> ParsedEmail:
    """Parse one message; raises EmailTooLargeError or EmailParseError(reason)."""
    if len(raw) > max_bytes:
        raise EmailTooLargeError(f"message of {len(raw)} bytes is over the {max_bytes}-byte limit")
    if not raw.strip():
        raise EmailParseError("empty message")
    if raw.lower().count(b"multipart/") > MAX_PARTS:
        raise EmailParseError(f"more than {MAX_PARTS} multipart containers")
    try:
        msg = _PARSER.parsebytes(raw)
    except RecursionError as exc:
        raise EmailParseError("MIME structure nested too deeply") from exc
    except Exception as exc:  # the stdlib parser is lenient; anything it raises is fatal
        raise EmailParseError(f"unparsable MIME: {type(exc).__name__}") from exc
    assert isinstance(msg, EmailMessage)
    if not msg.keys():
        raise EmailParseError("not an email: no header fields")
    walk = _Walk()
    try:
        defects = tuple(_defects(msg))
        for name, reason in _FATAL_DEFECTS.items():
            if name in defects:
                raise EmailParseError(reason)
        _bodies(msg, walk, 0, max_bytes)
    except EmailParseError:
        raise
    except RecursionError as exc:
        raise EmailParseError("MIME structure nested too deeply") from exc
    except Exception as exc:  # the stdlib's lazy payload access can raise on hostile bytes
        # (a NUL in a part's headers: "embedded null character"); the raw input stays in
        # the inbox, so refusing it loses nothing
        raise EmailParseError(f"unreadable MIME part: {type(exc).__name__}") from exc

    raw_html = "\n".join(walk.html) if walk.html else None
    sanitised = sanitise_html(raw_html) if raw_html else None
    if walk.plain:
        text, from_html = "\n\n".join(walk.plain), False
    else:
        text, from_html = (html_to_text(raw_html) if raw_html else ""), raw_html is not None
    text = _BODY_CONTROLS.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))

    message_ids = _message_ids(_header(msg, "Message-ID"))
    message_id = message_ids[0] if message_ids and len(message_ids[0]) <= 500 else None
    date: datetime | None = None
    raw_date = _raw(msg, "Date")
    if raw_date:
        try:
            date = parsedate_to_datetime(" ".join(raw_date.split()))
        except (TypeError, ValueError, IndexError, OverflowError):
            date = None
    if isinstance(date, datetime) and date.tzinfo is None:
        date = date.replace(tzinfo=UTC)  # "-0000": the sender's zone is unknown, UTC it is
    date_missing = not isinstance(date, datetime)
    received_at = date if isinstance(date, datetime) else (now or datetime.now(UTC))

    senders = _addresses(msg, "From") or _addresses(msg, "Sender") or _addresses(msg, "Reply-To")
    headers = tuple(
        (clean_header(str(k)), clean_header(decode_words(str(v)))) for k, v in msg.raw_items()
    )
    return ParsedEmail(
        brand=brand,
        mailbox=mailbox,
        external_id=message_id or stable_id(raw),
        message_id=message_id,
        in_reply_to=next(iter(_message_ids(_header(msg, "In-Reply-To"))), None),
        references=tuple(_message_ids(_header(msg, "References"))[-MAX_REFERENCES:]),
        sender=senders[0] if senders else None,
        reply_to=_addresses(msg, "Reply-To"),
        to=_addresses(msg, "To"),
        cc=_addresses(msg, "Cc"),
        subject=_header(msg, "Subject"),
        received_at=received_at.astimezone(UTC),
        date_missing=date_missing,
        text=text,
        text_from_html=from_html,
        html=sanitised.html if sanitised else None,
        blocked_images=sanitised.blocked_images if sanitised else (),
        attachments=tuple(walk.attachments),
        headers=headers,
        defects=defects + tuple(walk.defects),
        message=msg,
        parts=tuple(walk.nodes),
        raw_html=raw_html,
    )


def _party(address: EmailAddress) -> dict[str, str]:
    out = {"email": address.email[:320]}
    if address.name:
        out["name"] = address.name[:200]
    return out


def to_inbound(parsed: ParsedEmail) -> InboundMessage:
    """The canonical message: ``text`` is what the sender wrote this time (quoted history
    and signature cut); the full text, the cut parts and the classification are in
    ``meta["email"]``, so nothing of the original is lost."""
    if parsed.sender is None:
        raise EmailParseError("no sender address (From, Sender or Reply-To)")
    parts = split_reply(parsed.text, sender_name=parsed.sender.name)
    verdict = classify(parsed)
    attachments = [
        {
            "filename": a.filename,
            "content_type": a.content_type,
            "size": a.size,
            "sha256": a.sha256,
        }
        for a in parsed.attachments[:_ATTACHMENT_LIMIT]
    ]
    meta: dict[str, Any] = {
        "email": {
            "message_id": parsed.message_id,
            "mailbox": parsed.mailbox,
            "to": [_party(a) for a in parsed.to],
            "cc": [_party(a) for a in parsed.cc],
            "reply_to": [_party(a) for a in parsed.reply_to],
            "full_text": parsed.text[:_TEXT_LIMIT],
            "quoted_text": parts.quoted_text[:_TEXT_LIMIT],
            "signature": parts.signature[:10_000],
            "text_from_html": parsed.text_from_html,
            "date_missing": parsed.date_missing,
            "blocked_images": len(parsed.blocked_images),
            "inline": [a.content_id for a in parsed.attachments if a.inline and a.content_id],
            "attachments_omitted": max(0, len(parsed.attachments) - _ATTACHMENT_LIMIT),
            "defects": sorted(set(parsed.defects)),
            "classification": verdict.as_meta(),
        }
    }
    text = reply_text(parts, parsed.text)[:_TEXT_LIMIT]
    html = parsed.html if parsed.html and len(parsed.html) <= _HTML_LIMIT else None
    try:
        return InboundMessage.model_validate(
            {
                "brand": parsed.brand,
                "channel": "email",
                "external_id": parsed.external_id,
                "received_at": parsed.received_at,
                "from": _party(parsed.sender),
                "subject": parsed.subject[:1000] if parsed.subject else None,
                "text": text or None,
                "html": html,
                "thread": {
                    "in_reply_to": parsed.in_reply_to,
                    "references": list(parsed.references),
                },
                "attachments": attachments,
                "meta": meta,
            }
        )
    except ValidationError as exc:  # e.g. nothing at all in it, an address too odd to keep
        problems = "; ".join(f"{e['field']}: {e['reason']}" for e in format_validation_error(exc))
        raise EmailParseError(f"not a usable message: {problems}") from exc


def new_text(parsed: ParsedEmail) -> str:
    """The text ``to_inbound`` puts on the message (what the reply evaluation scores)."""
    name = parsed.sender.name if parsed.sender else None
    return reply_text(split_reply(parsed.text, sender_name=name), parsed.text)
