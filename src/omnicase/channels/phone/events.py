"""Call events → canonical messages, whatever the telephony system.

Both wire formats (the generic JSON webhook and Twilio's voice callbacks) become one
:class:`CallEvent`; :func:`to_result` turns it into messages and events:

* ``ringing`` / ``answered`` (call in progress): an event only (``channel.phone.call``).
* ``ended`` + ``missed``: a message ``call:<id>`` without text, ``meta.call.outcome =
  "missed"`` and, for an inbound call, ``meta.call.callback_requested = true`` — the
  call-back task the case timeline shows ("Missed call from …, call back").
* ``ended`` + ``voicemail``: ``call:<id>``, the transcript as its text, call-back requested.
* ``ended`` + ``answered``: ``call:<id>``, the agent's notes (else the transcript) as its
  text, with direction, duration and the recording URL in ``meta.call``.
* ``notes`` (the agent's notes after the call): a message ``call:<id>:notes`` that
  answers ``call:<id>`` (same case). The pipeline is idempotent on the external id: a
  replayed event, or the same notes twice, creates nothing; notes are taken once.

The customer is the far end's number (``from`` of an inbound call, ``to`` of an outbound
one) as a phone identity, the same E.164 identity as their SMS and WhatsApp.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from omnicase.channels.base import ChannelEvent, ParseError, ParseResult
from omnicase.ingest.schema import InboundMessage

STATES = ("ringing", "answered", "ended", "notes")
OUTCOMES = ("answered", "missed", "voicemail")


@dataclass(frozen=True, slots=True)
class CallEvent:
    call_id: str
    caller: str  # from
    callee: str  # to
    direction: str  # inbound | outbound
    state: str
    outcome: str | None = None
    duration: int | None = None
    recording_url: str | None = None
    transcript: str | None = None
    notes: str | None = None
    agent: str | None = None
    at: datetime | None = None


def _minutes(seconds: int | None) -> str:
    if not seconds:
        return ""
    return f" ({seconds // 60} min {seconds % 60:02d} s)"


def to_result(event: CallEvent, brand: str, received_at: datetime) -> ParseResult:
    out = ParseResult()
    if event.state in ("ringing", "answered"):
        out.events.append(
            ChannelEvent("phone.call", {"call_id": event.call_id, "state": event.state})
        )
        return out
    customer = event.caller if event.direction == "inbound" else event.callee
    if not customer:
        raise ParseError(f"the call has no {'from' if event.direction == 'inbound' else 'to'}")
    at = (event.at or received_at).isoformat()
    call: dict[str, Any] = {
        "id": event.call_id,
        "direction": event.direction,
        "outcome": event.outcome,
        "duration": event.duration,
        "recording_url": event.recording_url,
        "agent": event.agent,
    }
    if event.state == "notes":
        if not event.notes:
            raise ParseError("a notes event needs notes")
        external_id = f"call:{event.call_id}:notes"
        text: str | None = event.notes
        subject = "Call notes"
        call = {"id": event.call_id, "notes_for": f"call:{event.call_id}", "agent": event.agent}
        in_reply_to: str | None = f"call:{event.call_id}"
    else:
        if event.outcome not in OUTCOMES:
            raise ParseError(f"an ended call needs an outcome ({', '.join(OUTCOMES)})")
        external_id = f"call:{event.call_id}"
        in_reply_to = None
        if event.outcome == "answered":
            text = event.notes or event.transcript
            subject = f"Call {event.direction}{_minutes(event.duration)}"
        else:
            text = event.transcript if event.outcome == "voicemail" else None
            subject = "Voicemail" if event.outcome == "voicemail" else "Missed call"
            call["callback_requested"] = event.direction == "inbound"
        call["transcript"] = event.transcript
    inbound = event.direction == "inbound"
    party = {"phone": customer}
    message = {
        "brand": brand,
        "channel": "phone",
        "external_id": external_id,
        "received_at": at,
        "direction": "inbound" if inbound else "outbound",
        "from" if inbound else "to": party,
        "subject": subject,
        "text": text,
        "thread": {"in_reply_to": in_reply_to, "conversation_id": f"call:{event.call_id}"},
        "meta": {"call": {k: v for k, v in call.items() if v is not None}},
    }
    try:
        out.messages.append(InboundMessage.model_validate(message))
    except ValueError as exc:
        raise ParseError(f"the call event cannot be read: {exc}") from None
    return out
