"""The chat's JSON frames: what a visitor's widget may send, checked before anything else.

Pure (no database, no socket): the edge turns a :class:`FrameError` into an ``error``
frame and keeps the socket open (a bad frame never ends the conversation, an oversize one
does).

Client → server::

    {"type": "hello", "visitor"?: "v_…", "token"?: "…", "last_seq"?: 41}
    {"type": "prechat", "name": "Ana", "email"?: "ana@example.com"}
    {"type": "message", "client_id": "c_…", "text": "…"}
    {"type": "typing", "state": true}
    {"type": "seen", "seq": 42}
    {"type": "ping"}

Server → client::

    {"type": "welcome", "visitor", "token", "name", "email", "prechat": bool}
    {"type": "ack", "client_id", "id", "duplicate"}
    {"type": "message", "seq", "from": "visitor"|"agent", "author", "text", "client_id", "at"}
    {"type": "typing", "from": "agent", "author", "state"}
    {"type": "pong"} · {"type": "error", "code", "reason"}
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from email_validator import EmailNotValidError, validate_email

#: A frame's size in characters; over it the socket is closed (1009).
MAX_FRAME = 16_384
MAX_TEXT = 5_000
MAX_DEPTH = 4
ID_RE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
TYPES = ("hello", "prechat", "message", "typing", "seen", "ping")


class FrameError(ValueError):
    def __init__(self, code: str, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason

    def frame(self) -> dict[str, str]:
        return {"type": "error", "code": self.code, "reason": self.reason}


@dataclass(frozen=True, slots=True)
class Frame:
    type: str
    data: dict[str, Any]


def _depth(value: Any, level: int = 0) -> int:
    if isinstance(value, dict):
        return max((_depth(v, level + 1) for v in value.values()), default=level + 1)
    if isinstance(value, list):
        return max((_depth(v, level + 1) for v in value), default=level + 1)
    return level


def _id(data: dict[str, Any], field: str, required: bool = True) -> str | None:
    value = data.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not ID_RE.match(value):
        raise FrameError("bad_frame", f"{field}: 8 to 64 letters, digits, - or _")
    return value


def _seq(data: dict[str, Any], field: str) -> int | None:
    value = data.get(field)
    if value is None:
        return None
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise FrameError("bad_frame", f"{field}: a non-negative integer")
    return value


def _text(data: dict[str, Any], field: str, limit: int, required: bool = True) -> str | None:
    value = data.get(field)
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value.strip():
        raise FrameError("bad_frame", f"{field}: a non-empty string")
    value = value.strip()
    if len(value) > limit:
        raise FrameError("bad_frame", f"{field}: at most {limit} characters")
    return value


def parse_frame(raw: str | bytes) -> Frame:
    """One frame from the wire, validated field by field."""
    if len(raw) > MAX_FRAME:
        raise FrameError("too_large", f"a frame is at most {MAX_FRAME} characters")
    if isinstance(raw, bytes):
        raise FrameError("bad_frame", "text frames only (JSON)")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise FrameError("bad_json", f"not JSON: {exc.msg} at {exc.pos}") from None
    except RecursionError:  # found by fuzzing: "[" * 5000 crashed the socket's reader
        raise FrameError("bad_frame", "nested too deeply") from None
    if not isinstance(data, dict):
        raise FrameError("bad_frame", "a frame is a JSON object")
    if _depth(data) > MAX_DEPTH:
        raise FrameError("bad_frame", "nested too deeply")
    kind = data.get("type")
    if kind not in TYPES:
        raise FrameError("bad_frame", f"type: one of {', '.join(TYPES)}")
    clean: dict[str, Any] = {}
    if kind == "hello":
        clean["visitor"] = _id(data, "visitor", required=False)
        clean["token"] = data.get("token") if isinstance(data.get("token"), str) else None
        clean["last_seq"] = _seq(data, "last_seq")
    elif kind == "prechat":
        clean["name"] = _text(data, "name", 200)
        email = _text(data, "email", 320, required=False)
        if email is not None:
            try:
                email = validate_email(email, check_deliverability=False).normalized
            except EmailNotValidError as exc:
                raise FrameError("bad_frame", f"email: {exc}") from None
        clean["email"] = email
    elif kind == "message":
        clean["client_id"] = _id(data, "client_id")
        clean["text"] = _text(data, "text", MAX_TEXT)
    elif kind == "typing":
        clean["state"] = bool(data.get("state"))
    elif kind == "seen":
        clean["seq"] = _seq(data, "seq")
    return Frame(str(kind), clean)
