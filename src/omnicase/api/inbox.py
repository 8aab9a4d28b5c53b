"""/api/v1/inbox: a brand's raw inbound input that was quarantined or failed, and retry."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from pydantic import BaseModel

from omnicase.api.deps import Reader, Writer
from omnicase.api.errors import CONFLICT, ERRORS, NOT_FOUND
from omnicase.channels.inbox import do_retry_inbox, list_inbox
from omnicase.model import InboxItem, InboxStatus

router = APIRouter(prefix="/api/v1/inbox", tags=["inbox"])


class InboxOut(BaseModel):
    id: int
    channel: str
    account_id: int
    status: str
    attempts: int
    dedup_key: str
    size: int
    received_at: datetime
    processed_at: datetime | None
    last_error: str | None
    quarantine_id: int | None

    @classmethod
    def of(cls, row: InboxItem) -> InboxOut:
        return cls(
            id=row.id,
            channel=row.channel,
            account_id=row.account_id,
            status=row.status,
            attempts=row.attempts,
            dedup_key=row.dedup_key,
            size=len(row.body or b""),
            received_at=row.received_at,
            processed_at=row.processed_at,
            last_error=row.last_error,
            quarantine_id=row.quarantine_id,
        )


@router.get("", response_model=list[InboxOut], responses=ERRORS)
def get_inbox(
    auth: Reader,
    status: Annotated[list[str] | None, Query(description="default: quarantined, failed")] = None,
    before: int | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> list[InboxOut]:
    """Inbox rows of the brand, newest first (brand admins only)."""
    session, who = auth
    statuses = tuple(status) if status else (InboxStatus.quarantined, InboxStatus.failed)
    rows = list_inbox(session, who, statuses=statuses, before=before, limit=limit)
    return [InboxOut.of(r) for r in rows]


@router.post(
    "/{inbox_id}/retry", response_model=InboxOut, responses={**ERRORS, **NOT_FOUND, **CONFLICT}
)
def retry_inbox(inbox_id: int, auth: Writer) -> InboxOut:
    """Process a quarantined or failed row again (after a fix in the adapter)."""
    session, who = auth
    row = do_retry_inbox(session, who, inbox_id)
    session.commit()
    return InboxOut.of(row)
