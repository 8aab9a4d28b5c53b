"""The chat adapter: a visitor's message (the JSON the WebSocket edge stored) → canonical.

Replies need no wire work here: the outbound message row *is* the delivery. ``send``
marks it sent; the web process holding the visitor's socket sees it through the events
feed (``message.sent``) and pushes it (see :mod:`omnicase.channels.chat.conversation`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, ClassVar

from pydantic import ValidationError

from omnicase.channels.base import (
    AccountError,
    Adapter,
    InboxInput,
    OutboundContext,
    ParseError,
    ParseResult,
    SendResult,
    check_settings,
)
from omnicase.channels.registry import register
from omnicase.ingest.schema import InboundMessage, format_validation_error


def external_id(visitor: str, client_id: str) -> str:
    """One visitor's message, whatever the number of resends after reconnects."""
    return f"chat:{visitor}:{client_id}"


class ChatAdapter(Adapter):
    channels: ClassVar[tuple[str, ...]] = ("chat",)
    reply_identity: ClassVar[Mapping[str, str]] = {"chat": "chat"}
    settings: ClassVar[Mapping[str, type]] = {
        #: comma-separated origins allowed to open the socket (https://www.acme.example)
        "allowed_origins": str,
        #: minutes without a socket after which a reply goes by email (default 5)
        "away_minutes": int,
        #: the widget's title (default: the brand's name)
        "title": str,
    }

    def check_account(self, channel: str, address: str, settings: Mapping[str, Any]) -> str:
        check_settings(self.settings, settings)
        if not address or len(address) > 100 or not all(c.isalnum() or c in "-_" for c in address):
            raise AccountError("address", "the widget key: letters, digits, - and _ only")
        away = settings.get("away_minutes")
        if away is not None and not 1 <= away <= 1440:
            raise AccountError("settings.away_minutes", "between 1 and 1440")
        return address

    def parse(self, item: InboxInput) -> ParseResult:
        try:
            data = json.loads(item.text())
        except json.JSONDecodeError as exc:
            raise ParseError(f"not JSON: {exc}") from None
        except RecursionError:  # found by fuzzing
            raise ParseError("not JSON: nested too deeply") from None
        if not isinstance(data, dict):
            raise ParseError("not a JSON object")
        visitor, client_id = str(data.get("visitor", "")), str(data.get("client_id", ""))
        party: dict[str, Any] = {"chat": visitor}
        for key in ("name", "email"):
            if data.get(key):
                party[key] = data[key]
        try:
            message = InboundMessage.model_validate(
                {
                    "brand": item.account.brand,
                    "channel": "chat",
                    "external_id": external_id(visitor, client_id),
                    "received_at": item.received_at.isoformat(),
                    "from": party,
                    "text": data.get("text"),
                    "thread": {"conversation_id": visitor},
                    "meta": {"chat": {"visitor": visitor, "client_id": client_id}},
                }
            )
        except ValidationError as exc:
            reasons = "; ".join(
                f"{e['field']}: {e['reason']}" for e in format_validation_error(exc)
            )
            raise ParseError(reasons) from None
        return ParseResult(messages=[message])

    def send(self, outbound: OutboundContext) -> SendResult:
        return SendResult.sent(via="chat", conversation=outbound.recipient)


ADAPTER = register(ChatAdapter())
