"""The email adapter: accounts are mailboxes; mail comes in as raw RFC 5322 bytes (SMTP
server ``smtpd.py``, IMAP poller ``imap.py``) parsed by ``inbound.py``; replies go out over
SMTP (``send.py``)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar

from email_validator import EmailNotValidError, validate_email

from omnicase.channels.base import (
    Account,
    AccountError,
    Adapter,
    InboxInput,
    OutboundContext,
    ParseResult,
    SendResult,
    check_settings,
)
from omnicase.channels.email.inbound import parse_inbox
from omnicase.channels.email.send import new_message_id, send_email
from omnicase.channels.registry import register


def _email(value: str, field: str) -> str:
    if any(c in value for c in "\r\n"):
        raise AccountError(field, "must be one line (no CR or LF)")
    try:
        return validate_email(value, check_deliverability=False).normalized
    except EmailNotValidError as exc:
        raise AccountError(field, str(exc)) from None


class EmailAdapter(Adapter):
    channels: ClassVar[tuple[str, ...]] = ("email",)
    reply_identity: ClassVar[Mapping[str, str]] = {"email": "email"}
    settings: ClassVar[Mapping[str, type]] = {
        "from_name": str,
        "reply_to": str,
        "message_id_domain": str,
        "smtp_host": str,
        "smtp_port": int,
        "smtp_user": str,
        "smtp_starttls": bool,
        "smtp_tls": bool,
        "smtp_timeout": int,
        "imap_host": str,
        "imap_port": int,
        "imap_user": str,
        "imap_tls": bool,
        "imap_starttls": bool,
        "imap_folder": str,
        "imap_move_to": str,
        "imap_mark_seen": bool,
        "imap_timeout": int,
    }
    secrets: ClassVar[tuple[str, ...]] = ("smtp_password", "imap_password")

    def check_account(self, channel: str, address: str, settings: Mapping[str, Any]) -> str:
        check_settings(self.settings, settings)
        for key in (
            "from_name",
            "smtp_host",
            "smtp_user",
            "message_id_domain",
            "imap_host",
            "imap_user",
            "imap_folder",
            "imap_move_to",
        ):
            value = settings.get(key)
            if isinstance(value, str) and any(c in value for c in "\r\n"):
                raise AccountError(f"settings.{key}", "must be one line (no CR or LF)")
        if isinstance(settings.get("reply_to"), str):
            _email(settings["reply_to"], "settings.reply_to")
        for key in ("smtp_port", "imap_port"):
            port = settings.get(key)
            if port is not None and not 0 < port < 65536:
                raise AccountError(f"settings.{key}", "must be between 1 and 65535")
        return _email(address, "address")

    def new_external_id(self, account: Account) -> str:
        return new_message_id(account)

    def parse(self, item: InboxInput) -> ParseResult:
        return parse_inbox(item)

    def send(self, outbound: OutboundContext) -> SendResult:
        return send_email(outbound)


ADAPTER = register(EmailAdapter())
