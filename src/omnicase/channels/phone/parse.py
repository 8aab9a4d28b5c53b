"""The two wire formats of call events → :class:`~omnicase.channels.phone.events.CallEvent`.

**Generic JSON** (any CTI: Aircall, Ringover, a PBX script):
``{"call_id", "from", "to", "direction": "inbound"|"outbound", "state":
"ringing"|"answered"|"ended"|"notes", "outcome": "answered"|"missed"|"voicemail",
"duration": seconds, "recording_url", "transcript", "notes", "agent", "at": ISO 8601}``.

**Twilio voice callbacks** (form): ``CallSid``, ``From``, ``To``, ``Direction``,
``CallStatus`` (ringing, in-progress, completed, busy, no-answer, canceled, failed),
``CallDuration``, ``RecordingUrl``; a transcription callback (``TranscriptionText``) is
the voicemail of the call (``call:<CallSid>:voicemail``).
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from omnicase.channels.base import InboxInput, ParseError
from omnicase.channels.phone.events import OUTCOMES, STATES, CallEvent
from omnicase.channels.sms.twilio import FormError, form_dict, parse_form

MAX_TEXT = 100_000
_TWILIO_STATE: dict[str, tuple[str, str | None]] = {
    "queued": ("ringing", None),
    "initiated": ("ringing", None),
    "ringing": ("ringing", None),
    "in-progress": ("answered", None),
    "busy": ("ended", "missed"),
    "no-answer": ("ended", "missed"),
    "canceled": ("ended", "missed"),
    "failed": ("ended", "missed"),
}


def _text(data: dict[str, Any], key: str, limit: int = 500) -> str | None:
    value = data.get(key)
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise ParseError(f"{key}: must be a string")
    if len(value) > limit:
        raise ParseError(f"{key}: at most {limit} characters")
    return value.strip() or None


def parse_json_event(body: bytes) -> CallEvent:
    try:
        data = json.loads(body)
    except (ValueError, RecursionError) as exc:
        raise ParseError(f"not JSON: {exc}") from None
    if not isinstance(data, dict):
        raise ParseError("the call event must be a JSON object")
    call_id = _text(data, "call_id", 200)
    if not call_id:
        raise ParseError("call_id: required")
    state = _text(data, "state", 20)
    if state not in STATES:
        raise ParseError(f"state: one of {', '.join(STATES)}")
    direction = _text(data, "direction", 20) or "inbound"
    if direction not in ("inbound", "outbound"):
        raise ParseError("direction: inbound or outbound")
    outcome = _text(data, "outcome", 20)
    if outcome is not None and outcome not in OUTCOMES:
        raise ParseError(f"outcome: one of {', '.join(OUTCOMES)}")
    duration = data.get("duration")
    if duration is not None and (
        not isinstance(duration, int) or isinstance(duration, bool) or duration < 0
    ):
        raise ParseError("duration: a number of seconds")
    at = None
    if (raw_at := _text(data, "at", 40)) is not None:
        try:
            at = datetime.fromisoformat(raw_at)
        except ValueError:
            raise ParseError("at: an ISO 8601 time with its offset") from None
        if at.tzinfo is None:
            raise ParseError("at: must carry a timezone offset")
    return CallEvent(
        call_id=call_id,
        caller=_text(data, "from", 40) or "",
        callee=_text(data, "to", 40) or "",
        direction=direction,
        state=state,
        outcome=outcome,
        duration=duration,
        recording_url=_text(data, "recording_url", 1000),
        transcript=_text(data, "transcript", MAX_TEXT),
        notes=_text(data, "notes", MAX_TEXT),
        agent=_text(data, "agent", 200),
        at=at,
    )


def parse_twilio_event(body: bytes) -> CallEvent:
    try:
        form = form_dict(parse_form(body))
    except FormError as exc:
        raise ParseError(str(exc)) from None
    sid = form.get("CallSid", "").strip()
    if not sid:
        raise ParseError("CallSid is missing")
    direction = "inbound" if form.get("Direction", "inbound") == "inbound" else "outbound"
    duration = form.get("CallDuration", "")
    seconds = int(duration) if duration.isdigit() else None
    base = CallEvent(
        call_id=sid,
        caller=form.get("From", ""),
        callee=form.get("To", ""),
        direction=direction,
        state="ended",
        duration=seconds,
        recording_url=form.get("RecordingUrl") or None,
    )
    if "TranscriptionText" in form or "TranscriptionStatus" in form:
        transcript = form.get("TranscriptionText", "")[:MAX_TEXT] or None
        return replace(base, call_id=f"{sid}:voicemail", outcome="voicemail", transcript=transcript)
    status = form.get("CallStatus", "").lower()
    state: str
    outcome: str | None
    if status == "completed":
        state, outcome = "ended", ("answered" if seconds else "missed")
    elif status in _TWILIO_STATE:
        state, outcome = _TWILIO_STATE[status]
    else:
        raise ParseError(f"CallStatus {status[:20]!r} is not a Twilio call status")
    return replace(base, state=state, outcome=outcome)


def parse_call(item: InboxInput) -> CallEvent:
    kind = str(item.headers.get("content-type", "")).split(";")[0].strip().lower()
    if kind == "application/json":
        return parse_json_event(item.body)
    return parse_twilio_event(item.body)
