"""The canonical inbound message (v1): the one shape every channel, the API and the CLI produce.

Unknown fields are refused (``extra="forbid"``) so that a typo in an integration is a clear
422 instead of silently lost data.
"""

from __future__ import annotations

from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class Channel(StrEnum):
    email = "email"
    chat = "chat"
    messenger = "messenger"
    instagram = "instagram"
    whatsapp = "whatsapp"
    x = "x"
    phone = "phone"
    sms = "sms"
    webform = "webform"


class Direction(StrEnum):
    inbound = "inbound"
    outbound = "outbound"


#: Identity kinds a party may carry; each is one key of ``from`` / ``to``.
IDENTITY_KINDS = ("email", "phone", "messenger", "instagram", "whatsapp", "x", "chat")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Party(_Strict):
    """Everything the channel knows about one side of the conversation."""

    name: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=320)
    phone: str | None = Field(default=None, max_length=40)
    messenger: str | None = Field(default=None, max_length=200)
    instagram: str | None = Field(default=None, max_length=200)
    whatsapp: str | None = Field(default=None, max_length=40)
    x: str | None = Field(default=None, max_length=200)
    chat: str | None = Field(default=None, max_length=200)

    def identities(self) -> dict[str, str]:
        return {k: v for k in IDENTITY_KINDS if (v := getattr(self, k))}


class Thread(_Strict):
    in_reply_to: str | None = Field(default=None, max_length=1000)
    references: list[str] = Field(default_factory=list, max_length=500)
    conversation_id: str | None = Field(default=None, max_length=500)


class Attachment(_Strict):
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(default="application/octet-stream", max_length=255)
    size: int = Field(ge=0)
    sha256: str | None = Field(default=None, pattern=r"^[0-9a-f]{64}$")


class InboundMessage(_Strict):
    """Canonical message v1 (see docs/architecture.md).

    For an ``outbound`` message (an answer given outside omnicase, e.g. in the social
    platform's own app) the customer is ``to``; for an inbound one it is ``from``.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, populate_by_name=True)

    brand: str = Field(min_length=1, max_length=64)
    channel: Channel
    external_id: str = Field(min_length=1, max_length=500)
    received_at: datetime
    direction: Direction = Direction.inbound
    from_: Party = Field(alias="from", default_factory=Party)
    to: Party | None = None
    subject: str | None = Field(default=None, max_length=1000)
    text: str | None = Field(default=None, max_length=1_000_000)
    html: str | None = Field(default=None, max_length=5_000_000)
    thread: Thread = Field(default_factory=Thread)
    attachments: list[Attachment] = Field(default_factory=list, max_length=100)
    meta: dict[str, Any] = Field(default_factory=dict)

    @field_validator("received_at")
    @classmethod
    def _aware(cls, value: datetime) -> datetime:
        if value.tzinfo is None:
            raise ValueError("must carry a timezone offset, e.g. 2026-11-02T09:14:00+01:00")
        return value.astimezone(UTC)

    @model_validator(mode="after")
    def _has_customer(self) -> InboundMessage:
        customer = self.customer_party
        if customer is None or not customer.identities():
            side = "from" if self.direction is Direction.inbound else "to"
            raise ValueError(
                f"'{side}' must hold at least one identity of the customer "
                f"({', '.join(IDENTITY_KINDS)})"
            )
        empty = not (self.text or self.html or self.subject or self.attachments)
        if empty and self.channel is not Channel.phone:  # a missed call has no content
            raise ValueError("a message needs a subject, text, html or an attachment")
        return self

    @property
    def customer_party(self) -> Party | None:
        return self.from_ if self.direction is Direction.inbound else self.to


def format_validation_error(exc: Any) -> list[dict[str, str]]:
    """Turn a pydantic ValidationError into ``[{"field": "from.email", "reason": ...}]``."""
    out: list[dict[str, str]] = []
    for err in exc.errors():
        parts = list(err.get("loc", ()))
        if parts and parts[0] == "body":  # FastAPI's location, not a field (a field may be "body")
            parts = parts[1:]
        loc = ".".join(str(p) for p in parts)
        loc = loc.replace("from_", "from")
        reason = err.get("msg", "invalid")
        if err.get("type") == "extra_forbidden":
            reason = "unknown field (not part of the canonical message v1)"
        reason = reason.removeprefix("Value error, ")
        out.append({"field": loc or "(message)", "reason": reason})
    return out
