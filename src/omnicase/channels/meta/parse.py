"""Meta webhook payloads (one unit of :func:`~omnicase.channels.meta.common.split`) →
canonical messages, delivery statuses and events.

Messenger and Instagram share the ``messaging`` shape (``message``, ``postback``,
``read``, ``delivery``, ``referral``, echoes with ``is_echo``); WhatsApp's Cloud API has
``changes[].value`` with ``contacts``, ``messages`` and ``statuses``. What is neither a
message nor a status of ours is a :class:`ChannelEvent` (ids and flags only).
"""

from __future__ import annotations

import json
import mimetypes
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlparse

from pydantic import ValidationError

from omnicase.channels.attachments import AttachmentError
from omnicase.channels.base import ChannelEvent, InboxInput, ParseError, ParseResult, StatusUpdate
from omnicase.channels.meta.common import OBJECTS
from omnicase.channels.meta.graph import Graph, GraphError
from omnicase.ingest.schema import InboundMessage

#: Our own replies carry this in ``message.metadata``: their echo is not a new message.
OWN_METADATA = "omnicase:"
MEDIA_LIMIT = 25 * 1024 * 1024
_TYPES = {"image": "image/*", "video": "video/*", "audio": "audio/*", "file": ""}


def _time(value: Any, millis: bool) -> datetime:
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ParseError(f"timestamp {value!r} is not a number") from None
    try:
        return datetime.fromtimestamp(number / 1000 if millis else number, tz=UTC)
    except (ValueError, OverflowError, OSError):  # found by fuzzing: 1.7e20 ms, nan, inf
        raise ParseError(f"timestamp {str(value)[:40]} is out of range") from None


def _url_name(url: str) -> str:
    """The last path segment of a media URL ("" when the URL cannot be read)."""
    try:
        return urlparse(url).path.rsplit("/", 1)[-1]
    except ValueError:  # found by fuzzing: "http://[x/a.jpg" (Invalid IPv6 URL)
        return ""


def _message(data: dict[str, Any]) -> InboundMessage:
    try:
        return InboundMessage.model_validate(data)
    except ValidationError as exc:
        raise ParseError(f"not a valid message: {exc.errors()[:3]}") from None


class Parser:
    """One unit's parse; ``graph`` downloads media when the account says so."""

    def __init__(self, item: InboxInput) -> None:
        self.item = item
        self.out = ParseResult()
        settings = item.account.settings
        self.graph: Graph | None = None
        if settings.get("download_media"):
            try:
                self.graph = Graph.of(item.account)
            except GraphError:
                self.graph = None

    def run(self) -> ParseResult:
        try:
            data = json.loads(self.item.text())
        except ValueError as exc:
            raise ParseError(f"not JSON: {exc}") from None
        except RecursionError:  # found by fuzzing
            raise ParseError("not JSON: nested too deeply") from None
        channel = OBJECTS.get(str(data.get("object"))) if isinstance(data, dict) else None
        if channel is None:
            raise ParseError("not a Meta webhook payload")
        for entry in data.get("entry") or []:
            if channel == "whatsapp":
                for change in entry.get("changes") or []:
                    self.whatsapp(change.get("value") or {})
                continue
            for messaging in entry.get("messaging") or []:
                self.messaging(channel, str(entry.get("id")), messaging)
            for change in entry.get("changes") or []:
                self.event("change", field=change.get("field"))
        return self.out

    def event(self, kind: str, **data: Any) -> None:
        self.out.events.append(ChannelEvent(kind, {k: v for k, v in data.items() if v}))

    # ---- Messenger and Instagram ----------------------------------------------------

    def messaging(self, channel: str, address: str, item: dict[str, Any]) -> None:
        sender = str((item.get("sender") or {}).get("id") or "")
        recipient = str((item.get("recipient") or {}).get("id") or "")
        at = _time(item.get("timestamp") or 0, millis=True)
        if "message" in item:
            self.messenger_message(channel, address, sender, recipient, at, item["message"])
        elif "postback" in item:
            postback = item["postback"] or {}
            mid = postback.get("mid") or f"postback:{sender}:{item.get('timestamp')}"
            meta = {"postback": {"payload": postback.get("payload")}}
            if postback.get("referral"):
                meta["referral"] = postback["referral"]
            text = postback.get("title") or postback.get("payload") or "(button)"
            self.add(channel, address, sender, at, mid, text, meta=meta)
        elif "delivery" in item:
            mids = (item["delivery"] or {}).get("mids") or []
            for mid in mids:
                self.out.statuses.append(StatusUpdate(channel, mid, "delivered", at))
            if not mids:
                self.event("delivery", watermark=(item["delivery"] or {}).get("watermark"))
        elif "read" in item:
            read = item["read"] or {}
            if read.get("mid"):  # Instagram names the message
                self.out.statuses.append(StatusUpdate(channel, read["mid"], "read", at))
            else:  # Messenger: everything before the watermark (not matched: see docs)
                self.event("read", watermark=read.get("watermark"))
        elif "referral" in item:
            ref = item["referral"] or {}
            self.event(
                "referral", source=ref.get("source"), type=ref.get("type"), ref=ref.get("ref")
            )
        else:
            kinds = sorted(k for k in item if k not in ("sender", "recipient", "timestamp"))
            self.event(kinds[0] if kinds else "unknown")

    def messenger_message(
        self,
        channel: str,
        address: str,
        sender: str,
        recipient: str,
        at: datetime,
        message: dict[str, Any],
    ) -> None:
        mid = message.get("mid")
        if not mid:
            raise ParseError("message.mid is missing")
        echo = bool(message.get("is_echo"))
        if echo and str(message.get("metadata") or "").startswith(OWN_METADATA):
            self.event("echo", own=True)  # our reply; its send already recorded it
            return
        if message.get("is_deleted"):
            self.event("message_deleted", mid=mid)
            return
        meta: dict[str, Any] = {}
        thread: dict[str, Any] = {}
        if message.get("quick_reply"):
            meta["quick_reply"] = {"payload": (message["quick_reply"] or {}).get("payload")}
        reply_to = message.get("reply_to") or {}
        if reply_to.get("mid"):
            thread["in_reply_to"] = reply_to["mid"]
        if reply_to.get("story"):
            meta["story"] = {k: reply_to["story"].get(k) for k in ("id", "url")}
        if message.get("referral"):
            meta["referral"] = message["referral"]
        text = message.get("text")
        attachments, lines = self.messenger_attachments(message.get("attachments") or [], meta)
        if not text and lines:
            text = "\n".join(lines)
        if echo:
            meta["echo"] = {"app_id": message.get("app_id")}
            customer, direction = recipient, "outbound"
        else:
            customer, direction = sender, "inbound"
        self.add(
            channel,
            address,
            customer,
            at,
            mid,
            text,
            meta=meta,
            thread=thread,
            attachments=attachments,
            direction=direction,
        )

    def messenger_attachments(
        self, items: list[Any], meta: dict[str, Any]
    ) -> tuple[list[dict[str, Any]], list[str]]:
        attachments: list[dict[str, Any]] = []
        lines: list[str] = []
        media: list[dict[str, Any]] = []
        for raw in items:
            kind = str(raw.get("type") or "fallback")
            payload = raw.get("payload") or {}
            url = payload.get("url")
            if kind == "location":
                coords = payload.get("coordinates") or {}
                lines.append(f"Location: {coords.get('lat')}, {coords.get('long')}")
                meta["location"] = coords
            elif kind in ("story_mention", "share", "fallback", "template", "ig_reel", "reel"):
                lines.append(f"({kind.replace('_', ' ')}) {raw.get('title') or ''}".strip())
                media.append({"type": kind, "url": url})
                if kind == "story_mention":
                    meta["story_mention"] = {"url": url}
            elif url:
                name = _url_name(url) or kind
                guessed = mimetypes.guess_type(name)[0] or _TYPES.get(kind) or ""
                media.append({"type": kind, "url": url})
                attachments.append(
                    self.attachment(url, name, guessed or "application/octet-stream")
                )
        if media:
            meta["media"] = media
        return attachments, lines

    def attachment(
        self, url_or_id: str, name: str, content_type: str, media: bool = False
    ) -> dict[str, Any]:
        """Downloaded into the store when the account says so, else the reference only
        (``meta.media`` keeps the URL or media id)."""
        if self.graph is not None:
            try:
                url = url_or_id
                if media:  # WhatsApp: GET /{media-id} gives a short-lived URL
                    info = self.graph.request("GET", url_or_id).json()
                    url = str(info.get("url") or "")
                    content_type = str(info.get("mime_type") or content_type)
                data = self.graph.download(url, MEDIA_LIMIT)
                return dict(self.item.attachments.add(data, name, content_type))
            except (GraphError, AttachmentError) as exc:
                if isinstance(exc, GraphError) and exc.retry:
                    raise  # a crash: the row is processed again later
                self.event("media_not_downloaded", reason=str(exc)[:200])
        return {"filename": name[:200] or "attachment", "content_type": content_type, "size": 0}

    def add(
        self,
        channel: str,
        address: str,
        customer: str,
        at: datetime,
        external_id: str,
        text: str | None,
        *,
        meta: dict[str, Any] | None = None,
        thread: dict[str, Any] | None = None,
        attachments: list[dict[str, Any]] | None = None,
        direction: str = "inbound",
        name: str | None = None,
    ) -> None:
        if not customer:
            raise ParseError("the sender's id is missing")
        party: dict[str, Any] = {channel: customer}
        if name:
            party["name"] = name
        data: dict[str, Any] = {
            "brand": self.item.account.brand,
            "channel": channel,
            "external_id": external_id,
            "received_at": at.isoformat(),
            "direction": direction,
            "text": text,
            "thread": {**(thread or {}), "conversation_id": f"{address}:{customer}"},
            "attachments": attachments or [],
            "meta": {channel: meta or {}},
        }
        data["from" if direction == "inbound" else "to"] = party
        self.out.messages.append(_message(data))

    # ---- WhatsApp -------------------------------------------------------------------

    def whatsapp(self, value: dict[str, Any]) -> None:
        address = str((value.get("metadata") or {}).get("phone_number_id") or "")
        names = {
            str(c.get("wa_id")): (c.get("profile") or {}).get("name")
            for c in value.get("contacts") or []
        }
        for message in value.get("messages") or []:
            self.whatsapp_message(address, names, message)
        for status in value.get("statuses") or []:
            self.whatsapp_status(status)
        if not value.get("messages") and not value.get("statuses"):
            self.event("whatsapp_update", keys=",".join(sorted(value))[:200])

    def whatsapp_message(
        self, address: str, names: dict[str, Any], message: dict[str, Any]
    ) -> None:
        wamid, sender, kind = message.get("id"), str(message.get("from") or ""), message.get("type")
        if not wamid:
            raise ParseError("messages[].id is missing")
        at = _time(message.get("timestamp"), millis=False)
        meta: dict[str, Any] = {"type": kind}
        thread: dict[str, Any] = {}
        context = message.get("context") or {}
        if context.get("id"):
            thread["in_reply_to"] = context["id"]
        if message.get("referral"):
            meta["referral"] = message["referral"]
        text: str | None = None
        attachments: list[dict[str, Any]] = []
        part = message.get(kind) if isinstance(kind, str) else None
        part = part if isinstance(part, dict) else {}
        if kind == "text":
            text = part.get("body")
        elif kind in ("image", "video", "audio", "document", "sticker"):
            media_id = str(part.get("id") or "")
            mime = str(part.get("mime_type") or "application/octet-stream").split(";")[0]
            ext = mimetypes.guess_extension(mime) or ""
            name = part.get("filename") or f"{kind}-{media_id}{ext}"
            meta["media"] = [
                {"type": kind, "id": media_id, "mime_type": mime, "sha256": part.get("sha256")}
            ]
            attachments.append(self.attachment(media_id, name, mime, media=True))
            text = part.get("caption")
        elif kind == "interactive":
            reply = part.get(part.get("type") or "") or {}
            meta["interactive"] = {"type": part.get("type"), "id": reply.get("id")}
            text = reply.get("title")
        elif kind == "button":
            meta["button"] = {"payload": part.get("payload")}
            text = part.get("text")
        elif kind == "location":
            meta["location"] = {k: part.get(k) for k in ("latitude", "longitude")}
            label = " ".join(str(part.get(k)) for k in ("name", "address") if part.get(k))
            text = f"Location: {part.get('latitude')}, {part.get('longitude')} {label}".strip()
        elif kind == "reaction":
            # a reaction is not a contact to answer: kept as an event on the channel
            self.event("reaction", message_id=part.get("message_id"), emoji=part.get("emoji"))
            return
        else:
            self.event("unsupported", type=kind, id=wamid)
            return
        self.add(
            "whatsapp",
            address,
            sender,
            at,
            wamid,
            text,
            meta=meta,
            thread=thread,
            attachments=attachments,
            name=names.get(sender),
        )

    def whatsapp_status(self, status: dict[str, Any]) -> None:
        state, wamid = status.get("status"), status.get("id")
        if state not in ("sent", "delivered", "read", "failed") or not wamid:
            self.event("status", status=state)
            return
        error = None
        if state == "failed":
            errors = status.get("errors") or [{}]
            first = errors[0] if isinstance(errors[0], dict) else {}
            details = (first.get("error_data") or {}).get("details") or first.get("message")
            error = f"{first.get('code')} {first.get('title') or ''}: {details or ''}".strip()
        at = _time(status.get("timestamp"), millis=False) if status.get("timestamp") else None
        self.out.statuses.append(StatusUpdate("whatsapp", wamid, state, at, error))


def parse(item: InboxInput) -> ParseResult:
    """A payload of the wrong shape (a string where Meta sends an object…) can never be
    read: quarantined, not retried."""
    try:
        return Parser(item).run()
    except (AttributeError, TypeError, KeyError, IndexError) as exc:
        raise ParseError(f"unexpected payload shape: {type(exc).__name__}: {exc}") from None
