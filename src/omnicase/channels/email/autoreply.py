"""Is an email from a person, an auto-reply, or a bounce of one of our messages?

An auto-reply (out of office, "we received your message", a newsletter) is stored on the
case but is no customer contact: it must not be answered, counted or reopen a case. A
bounce (a delivery status notification, RFC 3464) says our outbound reply did not arrive:
it names the original Message-ID so the channel can mark that reply as failed.

Evidence, strongest first: a ``multipart/report; report-type=delivery-status`` body; the
RFC 3834 header ``Auto-Submitted`` (anything but ``no``); the de-facto ``X-Autoreply``,
``X-Autorespond``, ``Precedence: bulk|junk|list|auto_reply``, list headers, an empty
return path; the out-of-office subjects of French, English, German and Spanish clients;
a mailer-daemon sender with a delivery-failure subject (bounces that are no DSN).
"""

from __future__ import annotations

import base64
import binascii
import quopri
import re
from dataclasses import dataclass
from email.message import Message
from email.parser import HeaderParser
from email.policy import default as default_policy
from enum import StrEnum
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from omnicase.channels.email.parse import ParsedEmail

__all__ = ["Bounce", "Classification", "EmailKind", "classify"]


class EmailKind(StrEnum):
    human = "human"
    auto_reply = "auto_reply"
    bounce = "bounce"


@dataclass(frozen=True, slots=True)
class Bounce:
    original_message_id: str | None  #: the Message-ID of our mail that failed
    recipient: str | None  #: Final-Recipient
    action: str | None  #: failed, delayed, delivered, relayed, expanded
    status: str | None  #: e.g. 5.1.1
    diagnostic: str | None  #: the remote server's words

    @property
    def failed(self) -> bool:
        """A permanent failure (not a delay warning): the reply will never arrive."""
        if self.action:
            return self.action == "failed"
        return self.status is None or self.status.startswith("5")


@dataclass(frozen=True, slots=True)
class Classification:
    kind: EmailKind
    evidence: tuple[str, ...] = ()
    reason: str | None = None  #: out_of_office, automated, bulk, read_receipt, delivery
    bounce: Bounce | None = None

    @property
    def original_message_id(self) -> str | None:
        return self.bounce.original_message_id if self.bounce else None

    def as_meta(self) -> dict[str, Any]:
        out: dict[str, Any] = {"kind": self.kind.value, "evidence": list(self.evidence)}
        if self.reason:
            out["reason"] = self.reason
        if self.bounce is not None:
            out["bounce"] = {
                "original_message_id": self.bounce.original_message_id,
                "recipient": self.bounce.recipient,
                "action": self.bounce.action,
                "status": self.bounce.status,
                "diagnostic": self.bounce.diagnostic,
                "failed": self.bounce.failed,
            }
        return out


_PREFIX = r"^\s*(?:(?:re|tr|fw|fwd|aw|wg|rv|r[ée]f|sv)\s*:\s*)*\[?\s*"
_OUT_OF_OFFICE = re.compile(
    _PREFIX
    + r"""(?:absence\s+du\s+bureau|absent(?:e)?\s+du\s+bureau|r[ée]ponse\s+automatique
      |message\s+d'absence|je\s+suis\s+absent|absence\b|absent\b
      |out\s+of\s+(?:the\s+)?office|ooo\b|automatic\s+reply|auto[\s-]?reply|autoreply
      |auto[\s-]?response|automatic\s+response|away\s+from\s+(?:the\s+)?office|on\s+holiday
      |abwesenheitsnotiz|automatische\s+antwort|abwesend|abwesenheit|au(?:ß|ss)er\s+haus
      |respuesta\s+autom[áa]tica|fuera\s+de\s+(?:la\s+)?oficina|ausente)""",
    re.IGNORECASE | re.VERBOSE,
)
_BOUNCE_SUBJECT = re.compile(
    _PREFIX
    + r"""(?:undeliver(?:ed|able)|undelivered\s+mail|delivery\s+(?:status\s+notification
      |failure|has\s+failed|failed)|mail\s+delivery\s+(?:failed|failure|subsystem)
      |returned\s+mail|failure\s+notice|non\s+remis|non\s+distribu[ée]|[ée]chec\s+de\s+(?:la\s+)?
      (?:remise|distribution)|unzustellbar|nicht\s+zustellbar|no\s+se\s+puede\s+entregar
      |no\s+entregado|message\s+not\s+delivered)""",
    re.IGNORECASE | re.VERBOSE,
)
_DAEMON = re.compile(r"^(?:mailer-daemon|mail-daemon|postmaster|mailerdaemon)@", re.IGNORECASE)
_BULK = {"bulk", "junk", "list", "auto_reply", "auto-reply"}
_MSG_ID_LINE = re.compile(r"^\s*message-id\s*:\s*(<[^<>\s]+>)", re.IGNORECASE | re.MULTILINE)
_STATUS = re.compile(r"\b([245]\.\d{1,3}\.\d{1,3})\b")


def _field(block: Message, name: str) -> str | None:
    value = block.get(name)
    if value is None:
        return None
    text = " ".join(str(value).split())
    return text or None


def _without_type(value: str | None) -> str | None:
    """``rfc822; jo@example.com`` → ``jo@example.com``; ``smtp; 550 …`` → ``550 …``."""
    if value is None:
        return None
    kind, sep, rest = value.partition(";")
    return rest.strip() if sep and " " not in kind.strip() else value


def _status_blocks(part: Message) -> list[Message]:
    """The field blocks of a delivery-status part (per message, then per recipient). The
    parser splits a plain one itself; an encoded one (base64, QP) is decoded first."""
    payload = part.get_payload()
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if isinstance(payload, list) and encoding not in ("base64", "quoted-printable"):
        return [p for p in payload if isinstance(p, Message)]
    if isinstance(payload, list):  # the parser read encoded text as fields: start over
        text = "".join(str(p) for p in payload)
        encoded = "\n".join(line.strip() for line in text.splitlines() if ":" not in line)
        text = _decode_transfer(encoded, encoding)
    else:
        text = _decode_transfer(str(payload), encoding)
    parser = HeaderParser(policy=default_policy)
    return [parser.parsestr(block) for block in re.split(r"\n\s*\n", text.strip()) if block]


def _decode_transfer(text: str, encoding: str) -> str:
    try:
        if encoding == "base64":
            return base64.b64decode(re.sub(r"[^A-Za-z0-9+/=]", "", text)).decode("utf-8", "replace")
        if encoding == "quoted-printable":
            return quopri.decodestring(text.encode("ascii", "replace")).decode("utf-8", "replace")
    except (ValueError, binascii.Error):
        return ""
    return text


def _original_id(parsed: ParsedEmail) -> tuple[str | None, str]:
    for info in parsed.parts:
        part, ctype = info.part, info.content_type
        if ctype == "message/rfc822":
            payload = part.get_payload()
            inner = payload[0] if isinstance(payload, list) and payload else None
            if isinstance(inner, Message) and inner.get("Message-ID"):
                return " ".join(str(inner["Message-ID"]).split()), "message/rfc822"
        if ctype in ("text/rfc822-headers", "message/rfc822-headers"):
            data = part.get_payload(decode=True)
            text = data.decode("utf-8", "replace") if isinstance(data, bytes) else ""
            found = _MSG_ID_LINE.search(text)
            if found:
                return found.group(1), ctype
    found = _MSG_ID_LINE.search(parsed.text)
    if found:
        return found.group(1), "text"
    if parsed.in_reply_to:
        return parsed.in_reply_to, "In-Reply-To"
    return None, "none"


def _bounce(parsed: ParsedEmail) -> Classification | None:
    report = next(
        (p.part for p in parsed.parts if p.content_type == "message/delivery-status"), None
    )
    sender = parsed.sender.email if parsed.sender else ""
    subject = parsed.subject or ""
    evidence: list[str] = []
    if report is not None:
        evidence.append("message/delivery-status part")
        blocks = _status_blocks(report)
        recipients = [b for b in blocks[1:] if b.get("Action") or b.get("Final-Recipient")]
        chosen = next(
            (b for b in recipients if (_field(b, "Action") or "").lower() == "failed"),
            recipients[0] if recipients else None,
        )
        action = status = recipient = diagnostic = None
        if chosen is not None:
            action = (_field(chosen, "Action") or "").lower() or None
            status = _field(chosen, "Status")
            recipient = _without_type(
                _field(chosen, "Final-Recipient") or _field(chosen, "Original-Recipient")
            )
            diagnostic = _without_type(_field(chosen, "Diagnostic-Code"))
    elif _DAEMON.match(sender) and _BOUNCE_SUBJECT.match(subject):
        evidence += [f"sender {sender}", f"subject {subject[:80]!r}"]
        found = _STATUS.search(parsed.text)
        action, status, recipient, diagnostic = (
            "failed",
            found.group(1) if found else None,
            None,
            None,
        )
    else:
        return None
    original, source = _original_id(parsed)
    evidence.append(f"original Message-ID from {source}")
    bounce = Bounce(original, recipient, action, status, diagnostic[:500] if diagnostic else None)
    return Classification(EmailKind.bounce, tuple(evidence), "delivery", bounce)


def classify(parsed: ParsedEmail) -> Classification:
    """human, auto_reply or bounce, with the evidence (header or subject) that decided."""
    bounce = _bounce(parsed)
    if bounce is not None:
        return bounce
    evidence: list[str] = []
    reason: str | None = None
    top = parsed.parts[0] if parsed.parts else None
    content_type = top.content_type if top else "text/plain"
    report_type = (top.params.get("report-type", "") if top else "").lower()
    if content_type == "multipart/report" and report_type == "disposition-notification":
        return Classification(
            EmailKind.auto_reply, ("multipart/report disposition-notification",), "read_receipt"
        )
    auto = (parsed.header("Auto-Submitted") or "").lower()
    if auto and auto.split(";")[0].strip() != "no":
        evidence.append(f"Auto-Submitted: {auto[:40]}")
        reason = "out_of_office" if auto.startswith("auto-replied") else "automated"
    for name in ("X-Autoreply", "X-Autorespond", "X-Autoresponder"):
        value = parsed.header(name)
        if value is not None and value.lower() not in ("no", "false", "0"):
            evidence.append(f"{name}: {value[:40]}")
            reason = reason or "automated"
    for name in ("Precedence", "X-Precedence"):
        value = (parsed.header(name) or "").lower()
        if value in _BULK:
            evidence.append(f"{name}: {value}")
            reason = reason or ("out_of_office" if value.startswith("auto") else "bulk")
    for name in ("List-Id", "List-Unsubscribe"):
        if parsed.header(name):
            evidence.append(f"{name} present")
            reason = reason or "bulk"
    if (parsed.header("Return-Path") or "").strip() == "<>":
        evidence.append("empty Return-Path")
        reason = reason or "automated"
    subject = parsed.subject or ""
    if _OUT_OF_OFFICE.match(subject):
        evidence.append(f"subject {subject[:80]!r}")
        reason = "out_of_office" if reason in (None, "automated") else reason
    if _DAEMON.match(parsed.sender.email if parsed.sender else ""):
        evidence.append("mailer-daemon sender")
        reason = reason or "automated"
    if evidence:
        return Classification(EmailKind.auto_reply, tuple(evidence), reason)
    return Classification(EmailKind.human)
