"""``omnicase smtp``: the inbound SMTP server (aiosmtpd) the brand's MX or forwarding
points at.

* ``RCPT TO`` must be the address of an active email channel account (550 5.1.1
  otherwise): the server is no open relay and no catch-all.
* The size limit (``email_max_bytes`` setting, 25 MB by default) is advertised with
  ``SIZE``; bigger mail is refused with 552 5.3.4, at ``MAIL FROM SIZE=`` or after DATA.
* Each accepted message is persisted first (``accept_inbound``, dedup key = Message-ID,
  else the sha256 of the bytes) — one inbox row per account when the recipients belong
  to several brands — and the client gets 250 only after the commit. If anything fails
  before the commit the client gets 451 and retries; once committed, the inbox job does
  the rest (a crash there is retried by the job, never by the sender).
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from typing import Any, AnyStr

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from sqlalchemy import func, select

from omnicase.channels.email.parse import MAX_BYTES
from omnicase.channels.inbox import accept_inbound
from omnicase.model import ChannelAccount
from omnicase.store.db import Database

log = logging.getLogger(__name__)

_MESSAGE_ID = re.compile(rb"^message-id:[ \t]*(<[^<>\s]{1,995}>)", re.IGNORECASE | re.MULTILINE)


def message_id_key(raw: bytes) -> str | None:
    """The Message-ID of the raw message (header block only), the inbox dedup key."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    found = _MESSAGE_ID.search(head)
    return found.group(1).decode("ascii", "replace") if found else None


def find_accounts(db: Database, addresses: list[str]) -> dict[str, int]:
    """Lowercased address → id of the active email account receiving it."""
    wanted = sorted({a.lower() for a in addresses})
    if not wanted:
        return {}
    with db.reading() as session:
        rows = session.execute(
            select(func.lower(ChannelAccount.address), ChannelAccount.id).where(
                ChannelAccount.channel == "email",
                ChannelAccount.active.is_(True),
                func.lower(ChannelAccount.address).in_(wanted),
            )
        ).all()
    return {str(address): int(account_id) for address, account_id in rows}


def store_message(
    db: Database, account_ids: list[int], raw: bytes, headers: dict[str, Any]
) -> list[int]:
    """One inbox row per account, all in one transaction; the inbox ids."""
    key = message_id_key(raw)
    ids: list[int] = []
    with db.transaction() as session:
        for account_id in sorted(set(account_ids)):
            account = session.get(ChannelAccount, account_id)
            if account is None or not account.active:
                continue
            ids.append(accept_inbound(session, "email", account, raw, headers, key).inbox_id)
    return ids


class InboundHandler:
    """aiosmtpd handler: recipients checked at RCPT, the message stored at DATA."""

    def __init__(
        self,
        db: Database,
        max_bytes: int = MAX_BYTES,
        after_store: Callable[[], None] | None = None,
    ) -> None:
        self.db = db
        self.max_bytes = max_bytes
        self.after_store = after_store  # tests: a crash right after the commit

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, options: list[str]
    ) -> str:
        found = await asyncio.to_thread(find_accounts, self.db, [address])
        if address.lower() not in found:
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or b""
        if len(raw) > self.max_bytes:
            return f"552 5.3.4 message of {len(raw)} bytes is over the {self.max_bytes}-byte limit"
        accounts = await asyncio.to_thread(find_accounts, self.db, list(envelope.rcpt_tos))
        if not accounts:
            return "550 5.1.1 no valid recipient left"
        headers = {
            "x-smtp-mail-from": envelope.mail_from or "",
            "x-smtp-rcpt-to": [r for r in envelope.rcpt_tos if r.lower() in accounts],
            "x-smtp-peer": str(session.peer[0]) if session.peer else "",
            "x-smtp-helo": session.host_name or "",
        }
        try:
            ids = await asyncio.to_thread(
                store_message, self.db, list(accounts.values()), raw, headers
            )
        except Exception:
            log.exception("could not store an inbound email; the sender will retry")
            return "451 4.3.0 temporary failure storing the message, try again later"
        if self.after_store is not None:
            self.after_store()
        log.info("inbound email stored as inbox row(s) %s", ids)
        return f"250 2.0.0 OK: queued as {','.join(str(i) for i in ids)}"


class _Server(SMTP):
    """aiosmtpd's size refusals with the enhanced status code of RFC 3463 (5.3.4)."""

    async def push(self, status: AnyStr) -> None:
        if isinstance(status, str) and status.startswith("552 Error"):
            status = f"552 5.3.4 message too big: the limit is {self.data_size_limit} bytes"
        await super().push(status)


class InboundController(Controller):
    def factory(self) -> SMTP:
        return _Server(self.handler, **self.SMTP_kwargs)


def make_controller(
    db: Database, host: str, port: int, max_bytes: int = MAX_BYTES, **kwargs: Any
) -> InboundController:
    """A controller (own thread and loop) serving ``InboundHandler``; ``.start()`` it."""
    return InboundController(
        InboundHandler(db, max_bytes, kwargs.pop("after_store", None)),
        hostname=host,
        port=port,
        data_size_limit=max_bytes,
        enable_SMTPUTF8=True,
        server_hostname=kwargs.pop("server_hostname", None),
        ident="omnicase ESMTP",
        **kwargs,
    )
