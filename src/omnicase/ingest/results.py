"""What the pipeline answers for each message."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class IngestStatus(StrEnum):
    created = "created"
    duplicate = "duplicate"
    invalid = "invalid"


@dataclass(slots=True)
class IngestResult:
    status: IngestStatus
    message_id: int | None = None
    case_id: int | None = None
    reference: str | None = None
    customer_id: int | None = None
    rule: str | None = None
    errors: list[dict[str, str]] = field(default_factory=list)
    #: The message's channel when known (metrics label; None for unreadable input).
    channel: str | None = None


class InvalidBatch(ValueError):
    """An all-or-nothing batch had invalid messages; nothing was written."""

    def __init__(self, results: list[IngestResult]) -> None:
        super().__init__("invalid messages in an all-or-nothing batch")
        self.results = results
