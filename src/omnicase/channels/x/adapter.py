"""The X adapter: an account is one X user of the brand (``address`` = its numeric user
id, the ``for_user_id`` of the webhook); replies go to the customer's ``x`` identity
(their numeric user id)."""

from __future__ import annotations

from collections.abc import Mapping
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
from omnicase.channels.registry import register
from omnicase.channels.sms.adapter import check_url
from omnicase.channels.x.parse import parse_delivery
from omnicase.channels.x.send import REPLY_MODES, send_x


class XAdapter(Adapter):
    channels: ClassVar[tuple[str, ...]] = ("x",)
    reply_identity: ClassVar[Mapping[str, str]] = {"x": "x"}
    settings: ClassVar[Mapping[str, type]] = {"api_base": str, "reply_mode": str, "handle": str}
    #: ``consumer_secret``: the app's API secret (CRC and signatures); ``access_token``:
    #: the OAuth 2 user token of the account (sending).
    secrets: ClassVar[tuple[str, ...]] = ("consumer_secret", "access_token")

    def check_account(self, channel: str, address: str, settings: Mapping[str, Any]) -> str:
        check_settings(self.settings, settings)
        check_url(settings, "api_base")
        mode = settings.get("reply_mode")
        if mode is not None and mode not in REPLY_MODES:
            raise AccountError("settings.reply_mode", f"one of {', '.join(REPLY_MODES)}")
        address = address.strip()
        if not address.isdigit() or len(address) > 25:
            raise AccountError("address", "must be the account's numeric X user id")
        return address

    def parse(self, item: InboxInput) -> ParseResult:
        return parse_delivery(item)

    def send(self, outbound: OutboundContext) -> SendResult:
        return send_x(outbound)


ADAPTER = register(XAdapter())
