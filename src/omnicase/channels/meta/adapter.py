"""The Meta adapter: one account per Facebook page (``messenger``), Instagram
professional account (``instagram``) or WhatsApp phone number (``whatsapp``)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, ClassVar

from omnicase.channels.base import (
    AccountError,
    Adapter,
    InboxInput,
    OutboundContext,
    ParseResult,
    SendResult,
    check_settings,
)
from omnicase.channels.meta import parse, send, window
from omnicase.channels.meta.common import CHANNELS
from omnicase.channels.registry import register


class MetaAdapter(Adapter):
    channels: ClassVar[tuple[str, ...]] = CHANNELS
    reply_identity: ClassVar[Mapping[str, str]] = {c: c for c in CHANNELS}
    settings: ClassVar[Mapping[str, type]] = {
        "api_base": str,
        "download_media": bool,
        "timeout": int,
    }
    secrets: ClassVar[tuple[str, ...]] = ("app_secret", "verify_token", "access_token")

    def check_account(self, channel: str, address: str, settings: Mapping[str, Any]) -> str:
        check_settings(self.settings, settings)
        base = settings.get("api_base")
        if base is not None and not str(base).startswith(("https://", "http://")):
            raise AccountError("settings.api_base", "must be an http(s) URL")
        address = (address or "").strip()
        if not address.isdigit():
            raise AccountError(
                "address",
                f"the {channel} id (digits: page id, Instagram account id or phone_number_id)",
            )
        return address

    def parse(self, item: InboxInput) -> ParseResult:
        return parse.parse(item)

    def check_reply(
        self,
        channel: str,
        options: Mapping[str, Any],
        last_inbound_at: datetime | None,
        now: datetime,
    ) -> None:
        window.check_reply(channel, options, last_inbound_at, now)

    def send(self, outbound: OutboundContext) -> SendResult:
        return send.send(outbound)


ADAPTER = register(MetaAdapter())
