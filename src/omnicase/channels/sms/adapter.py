"""The SMS adapter: accounts are Twilio numbers (``address`` in E.164), replies go to the
customer's phone identity."""

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
from omnicase.channels.sms.parse import parse_sms
from omnicase.channels.sms.send import send_sms


def check_number(address: str) -> str:
    number = address.strip().replace(" ", "")
    if not (number.startswith("+") and number[1:].isdigit() and 6 <= len(number) <= 16):
        raise AccountError("address", "must be the number in E.164 form, e.g. +33612345678")
    return number


def check_url(settings: Mapping[str, Any], key: str) -> None:
    value = settings.get(key)
    if isinstance(value, str) and not value.startswith(("https://", "http://")):
        raise AccountError(f"settings.{key}", "must be an http(s) URL")


class SmsAdapter(Adapter):
    channels: ClassVar[tuple[str, ...]] = ("sms",)
    reply_identity: ClassVar[Mapping[str, str]] = {"sms": "phone"}
    settings: ClassVar[Mapping[str, type]] = {
        "account_sid": str,
        "api_base": str,
        "webhook_url": str,
        "status_callback": str,
    }
    secrets: ClassVar[tuple[str, ...]] = ("auth_token",)

    def check_account(self, channel: str, address: str, settings: Mapping[str, Any]) -> str:
        check_settings(self.settings, settings)
        for key in ("api_base", "webhook_url", "status_callback"):
            check_url(settings, key)
        return check_number(address)

    def parse(self, item: InboxInput) -> ParseResult:
        return parse_sms(item)

    def send(self, outbound: OutboundContext) -> SendResult:
        return send_sms(outbound)


ADAPTER = register(SmsAdapter())
