"""The adapter interface: what one channel (or one provider's family of channels) writes.

An adapter turns its wire format into canonical messages (:meth:`Adapter.parse`) and
sends agents' replies out (:meth:`Adapter.send`). It never touches the database: the
foundation stores the raw input first, calls ``parse`` in a retried job, feeds the
result to the pipeline and applies delivery statuses; for replies it builds the
:class:`OutboundContext`, calls ``send`` in a retried job and records the outcome.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar

from omnicase.channels.attachments import AttachmentStore
from omnicase.ingest.schema import InboundMessage


class ParseError(ValueError):
    """The input cannot be read (malformed body, unknown event shape): it is quarantined
    with this message, and not retried. Any other exception is a crash: retried."""


class ReplyRefused(ValueError):
    """The channel refuses this reply (a closed messaging window, a wrong option): which
    field and why (→ 422 at the reply API)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(reason)
        self.field = field
        self.reason = reason


class AccountError(ValueError):
    """An account's settings are refused: which field and why (→ 422)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Account:
    """A channel account as an adapter sees it: secrets decrypted, in memory only.

    ``repr`` never shows the secrets (a traceback or a log of this object stays safe)."""

    id: int
    brand: str  # slug
    brand_name: str
    channel: str
    name: str
    address: str
    settings: Mapping[str, Any]
    secrets: Mapping[str, str] = field(repr=False)


@dataclass(frozen=True, slots=True)
class InboxInput:
    """One raw inbox row handed to :meth:`Adapter.parse`."""

    id: int
    channel: str
    account: Account
    received_at: datetime
    headers: Mapping[str, Any]
    body: bytes
    dedup_key: str
    attachments: AttachmentStore

    def text(self) -> str:
        """The body as UTF-8 text (webhooks' JSON, form posts)."""
        try:
            return self.body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ParseError(f"body is not UTF-8: {exc}") from None


@dataclass(frozen=True, slots=True)
class StatusUpdate:
    """What the provider says happened to one of our outbound messages."""

    channel: str
    #: The message's ``external_id`` (our Message-ID, or the id the provider gave it).
    external_id: str
    status: str  # delivered | read | failed
    at: datetime | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class ChannelEvent:
    """Something the channel told us that is neither a message nor a status (a typing
    indicator, a page subscription…): kept as an event, never an error. ``data``: ids and
    flags only, no personal data."""

    kind: str
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(slots=True)
class ParseResult:
    messages: list[InboundMessage] = field(default_factory=list)
    statuses: list[StatusUpdate] = field(default_factory=list)
    events: list[ChannelEvent] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class OutboundAttachment:
    sha256: str
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True, slots=True)
class OutboundContext:
    """Everything an adapter needs to send one reply; built by the foundation."""

    message_id: int
    #: Our id for the message (the email Message-ID); the provider may give its own.
    external_id: str
    channel: str
    account: Account
    #: The customer's identity on this channel (email address, phone, page-scoped id…).
    recipient: str
    recipient_name: str | None
    case_reference: str  # AC-000123
    #: The subject to send (email), already ``Re: …`` of the customer's, without reference.
    subject: str | None
    text: str
    html: str | None
    attachments: Sequence[OutboundAttachment]
    #: External ids of the case's earlier messages on this channel, oldest first.
    thread: Sequence[str]
    #: External id of the customer's latest message on this channel, if any.
    in_reply_to: str | None
    author_name: str | None
    store: AttachmentStore
    #: This send's attempt number (1 for the first run).
    attempt: int = 1
    #: Channel-specific options of the reply (a WhatsApp template, a Messenger tag).
    options: Mapping[str, Any] = field(default_factory=dict)


class SendStatus(StrEnum):
    sent = "sent"
    retry = "retry"  # temporary: the job runs again after its backoff
    failed = "failed"  # permanent: the message is marked failed with the error


@dataclass(frozen=True, slots=True)
class SendResult:
    status: SendStatus
    #: The provider's id for the message when its webhooks will name it so (it becomes
    #: the message's ``external_id``, so statuses and echoes match).
    external_id: str | None = None
    error: str | None = None
    #: Provider details kept on the message (``meta.delivery``): ids, response lines.
    meta: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def sent(cls, external_id: str | None = None, **meta: Any) -> SendResult:
        return cls(SendStatus.sent, external_id=external_id, meta=meta)

    @classmethod
    def retry(cls, error: str) -> SendResult:
        return cls(SendStatus.retry, error=error)

    @classmethod
    def failed(cls, error: str) -> SendResult:
        return cls(SendStatus.failed, error=error)


class Adapter:
    """Subclass per channel family; register an instance with
    :func:`omnicase.channels.registry.register`.

    Class attributes say what the adapter serves: ``channels`` (account and inbox channel
    names), for each the identity kind a reply is addressed to (``reply_identity``), the
    non-secret ``settings`` it accepts (name → type) and the names of its ``secrets``.
    """

    channels: ClassVar[tuple[str, ...]] = ()
    #: channel → identity kind of the customer a reply goes to; absent: cannot send.
    reply_identity: ClassVar[Mapping[str, str]] = {}
    settings: ClassVar[Mapping[str, type]] = {}
    secrets: ClassVar[tuple[str, ...]] = ()

    def parse(self, item: InboxInput) -> ParseResult:
        """Raw input → canonical messages, statuses, events. Raise :class:`ParseError`
        for input that can never be read."""
        raise ParseError(f"the {type(self).__name__} adapter reads no inbound input")

    def send(self, outbound: OutboundContext) -> SendResult:
        return SendResult.failed(f"the {type(self).__name__} adapter cannot send")

    def check_reply(
        self,
        channel: str,
        options: Mapping[str, Any],
        last_inbound_at: datetime | None,
        now: datetime,
    ) -> None:
        """Refuse, with :class:`ReplyRefused`, a reply the channel would refuse (a closed
        messaging window); ``last_inbound_at``: the customer's latest message on it.
        By default a channel takes no options."""
        if options:
            raise ReplyRefused("options", f"{channel} replies take no options")

    def new_external_id(self, account: Account) -> str:
        """Our id for a new outbound message (email: a Message-ID of our domain)."""
        return f"omnicase-{uuid.uuid4().hex}"

    def check_account(self, channel: str, address: str, settings: Mapping[str, Any]) -> str:
        """Validate an account's address and settings; the normalised address.
        Raise :class:`AccountError` naming the field."""
        check_settings(self.settings, settings)
        if not address or any(c in address for c in "\r\n"):
            raise AccountError("address", "must be one line, not empty")
        return address


def check_settings(spec: Mapping[str, type], settings: Mapping[str, Any]) -> None:
    """Unknown keys and values of the wrong type are refused by name."""
    for key, value in settings.items():
        wanted = spec.get(key)
        if wanted is None:
            known = ", ".join(sorted(spec)) or "none"
            raise AccountError(f"settings.{key}", f"unknown setting (known: {known})")
        ok = isinstance(value, wanted) and not (wanted is int and isinstance(value, bool))
        if not ok:
            raise AccountError(f"settings.{key}", f"must be a {wanted.__name__}")
