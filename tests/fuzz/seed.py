"""Write the seed corpora of ``tests/fuzz/corpus/`` from the channel tests' fixtures and
the wire formats their tests send (``python -m tests.fuzz.seed``; the result is committed)."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path
from urllib.parse import urlencode

from tests.fuzz.targets import CORPUS

ROOT = Path(__file__).parent.parent
BOUNDARY = "----omnicasefuzz"


def _write(target: str, data: bytes) -> None:
    folder = CORPUS / target
    folder.mkdir(parents=True, exist_ok=True)
    (folder / hashlib.sha256(data).hexdigest()[:16]).write_bytes(data)


def _multipart(fields: dict[str, str], upload: tuple[str, bytes] | None) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    if upload:
        name, data = upload
        parts.append(
            f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="attachment"; '
            f'filename="{name}"\r\nContent-Type: application/pdf\r\n\r\n'.encode()
            + data
            + b"\r\n"
        )
    return b"".join(parts) + f"--{BOUNDARY}--\r\n".encode()


def main() -> None:
    shutil.rmtree(CORPUS, ignore_errors=True)
    emails = sorted(
        (ROOT / "channels/email/fixtures").rglob("*.eml"), key=lambda p: p.stat().st_size
    )
    for path in emails[:40]:
        _write("email", path.read_bytes())
    for path in sorted((ROOT / "channels/meta/fixtures").glob("*.json")):
        _write("meta", path.read_bytes())
    for path in sorted((ROOT / "channels/x/fixtures").glob("*.json")):
        _write("x", path.read_bytes())
    sms = {
        "ToCountry": "FR",
        "SmsMessageSid": "SM1a2b3c",
        "NumMedia": "0",
        "SmsStatus": "received",
        "Body": "Bonjour, ma commande A-12345 n'est pas arrivée",
        "To": "+33757000111",
        "MessageSid": "SM1a2b3c",
        "AccountSid": "AC0123456789abcdef0123456789abcdef",
        "From": "+33612345678",
    }
    _write("sms", urlencode(sms).encode())
    _write(
        "sms",
        urlencode(
            {**sms, "NumMedia": "1", "MediaUrl0": "https://x/y", "MediaContentType0": "image/jpeg"}
        ).encode(),
    )
    _write(
        "sms",
        urlencode(
            {
                "MessageSid": "SM1",
                "MessageStatus": "delivered",
                "ErrorCode": "",
            }
        ).encode(),
    )
    call = {
        "call_id": "c-1001",
        "from": "+33612345678",
        "to": "+33757000222",
        "direction": "inbound",
    }
    for state, outcome in (("ringing", None), ("ended", "missed"), ("ended", "answered")):
        _write("phone", json.dumps({**call, "state": state, "outcome": outcome}).encode())
    _write(
        "phone",
        json.dumps(
            {
                **call,
                "state": "ended",
                "outcome": "voicemail",
                "transcript": "Rappelez-moi",
                "duration": 42,
            }
        ).encode(),
    )
    twilio = {
        "AccountSid": "AC0123456789abcdef0123456789abcdef",
        "CallSid": "CA5f2a6f1c0d2e3f4a5b6c7d8e9f0a1b2c",
        "Caller": "+33612345678",
        "From": "+33612345678",
        "To": "+33757000222",
        "Direction": "inbound",
    }
    for status in ("ringing", "completed", "no-answer"):
        _write("phone_twilio", urlencode({**twilio, "CallStatus": status}).encode())
    _write(
        "phone_twilio",
        urlencode(
            {
                **twilio,
                "CallStatus": "completed",
                "TranscriptionSid": "TR1",
                "TranscriptionText": "Bonjour",
            }
        ).encode(),
    )
    chat = {"visitor": "v_abcdefgh12", "client_id": "c_12345678", "text": "Bonjour"}
    _write("chat", json.dumps(chat).encode())
    _write("chat", json.dumps({**chat, "name": "Ana", "email": "ana@example.com"}).encode())
    for frame in (
        {"type": "hello", "visitor": "v_abcdefgh12", "token": "t", "last_seq": 41},
        {"type": "prechat", "name": "Ana", "email": "ana@example.com"},
        {"type": "message", "client_id": "c_12345678", "text": "Bonjour"},
        {"type": "typing", "state": True},
        {"type": "seen", "seq": 42},
        {"type": "ping"},
    ):
        _write("chat_frame", json.dumps(frame).encode())
    form = {
        "name": "Ana Lopez",
        "email": "ana@example.com",
        "reason": "delivery",
        "message": "Où est mon colis ?",
        "order_number": "A-12345",
    }
    _write("webform", _multipart(form, None))
    _write("webform", _multipart(form, ("facture.pdf", b"%PDF-1.4 test")))


if __name__ == "__main__":
    main()
