"""Fuzz targets: one per parser of untrusted input. Each takes raw bytes as a channel
would deliver them and must either return a result or refuse with the parser's own error
(``ParseError`` → quarantine, ``FrameError`` → a refused chat frame); any other exception
is a crash (the inbox row would fail and be retried forever, or a socket would drop).

Used by ``tests/fuzz/run.py`` (atheris when installed, else a mutation fuzzer) and by the
bounded run in ``tests/fuzz/test_fuzz.py``.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from omnicase.channels.attachments import AttachmentStore
from omnicase.channels.base import Account, InboxInput, ParseError, ParseResult
from omnicase.channels.chat.protocol import FrameError, parse_frame
from omnicase.channels.registry import get_adapter

CORPUS = Path(__file__).parent / "corpus"
_STORE = AttachmentStore(Path(tempfile.mkdtemp(prefix="omnicase-fuzz-")), max_bytes=1 << 20)
AT = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Target:
    name: str
    run: Callable[[bytes], bool]


def _inbox(
    channel: str, address: str, content_type: str, settings: dict[str, object]
) -> Callable[[bytes], bool]:
    account = Account(
        id=1,
        brand="acme",
        brand_name="Acme",
        channel=channel,
        name="fuzz",
        address=address,
        settings=settings,
        secrets={},
    )

    def run(data: bytes) -> bool:
        item = InboxInput(
            id=1,
            channel=channel,
            account=account,
            received_at=AT,
            headers={"content-type": content_type},
            body=data,
            dedup_key="fuzz",
            attachments=_STORE,
        )
        try:
            result = get_adapter(channel).parse(item)
        except ParseError:
            return False
        assert isinstance(result, ParseResult)
        return True

    return run


def _chat_frame(data: bytes) -> bool:
    """A WebSocket text frame is valid UTF-8 by the protocol; the socket decodes it."""
    try:
        parse_frame(data.decode("utf-8", "replace"))
    except FrameError:
        return False
    return True


TARGETS: dict[str, Target] = {
    t.name: t
    for t in (
        Target("email", _inbox("email", "service@acme.example", "message/rfc822", {})),
        Target("meta", _inbox("whatsapp", "106540352242922", "application/json", {})),
        Target("x", _inbox("x", "4337869213", "application/json", {})),
        Target(
            "sms",
            _inbox("sms", "+33757000111", "application/x-www-form-urlencoded", {}),
        ),
        Target("phone", _inbox("phone", "+33757000222", "application/json", {})),
        Target(
            "phone_twilio",
            _inbox("phone", "+33757000222", "application/x-www-form-urlencoded", {}),
        ),
        Target("chat", _inbox("chat", "acme-widget", "application/json", {})),
        Target("chat_frame", _chat_frame),
        Target(
            "webform",
            _inbox(
                "webform",
                "acme",
                "multipart/form-data; boundary=----omnicasefuzz",
                {},
            ),
        ),
    )
}


def corpus(name: str) -> list[bytes]:
    """The seed inputs of a target, from ``tests/fuzz/corpus/<name>/``."""
    folder = CORPUS / name
    return (
        [p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()] if folder.is_dir() else []
    )
