"""The phone adapter: accounts are the brand's numbers (or one CTI integration); call
events come in, nothing is sent (an agent calls back from the phone system)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from omnicase.channels.base import Adapter, InboxInput, ParseResult, check_settings
from omnicase.channels.phone.events import to_result
from omnicase.channels.phone.parse import parse_call
from omnicase.channels.registry import register
from omnicase.channels.sms.adapter import check_number, check_url


class PhoneAdapter(Adapter):
    channels: ClassVar[tuple[str, ...]] = ("phone",)
    settings: ClassVar[Mapping[str, type]] = {"webhook_url": str}
    #: ``webhook_secret`` signs the generic JSON webhook; ``auth_token`` Twilio's callbacks.
    secrets: ClassVar[tuple[str, ...]] = ("webhook_secret", "auth_token")

    def check_account(self, channel: str, address: str, settings: Mapping[str, Any]) -> str:
        check_settings(self.settings, settings)
        check_url(settings, "webhook_url")
        return check_number(address)

    def parse(self, item: InboxInput) -> ParseResult:
        return to_result(parse_call(item), item.account.brand, item.received_at)


ADAPTER = register(PhoneAdapter())
