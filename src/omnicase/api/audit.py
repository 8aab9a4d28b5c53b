"""GET /api/v1/audit-log: a brand's own audit trail (who did and read what)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Query
from pydantic import BaseModel
from sqlalchemy import select

from omnicase.api.deps import Reader
from omnicase.api.errors import ERRORS
from omnicase.api.paging import newest_page
from omnicase.api.schemas import EventOut
from omnicase.model import Event
from omnicase.store.queries import escape_like

router = APIRouter(prefix="/api/v1/audit-log", tags=["audit"])


class AuditPage(BaseModel):
    items: list[EventOut]
    next_cursor: str | None


@router.get("", response_model=AuditPage, responses=ERRORS)
def get_audit_log(
    auth: Reader,
    kind: Annotated[str | None, Query(max_length=64, description="prefix, e.g. access.")] = None,
    cursor: Annotated[str | None, Query(max_length=40)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> AuditPage:
    """Newest first. Brand admins and supervisors only, and only their brand's events."""
    session, who = auth
    if not who.is_brand_staff or not who.can_manage:
        raise HTTPException(403, "only the brand's admins and supervisors read its audit log")
    stmt = select(Event).where(Event.brand_id == who.organisation_id)
    if kind:
        stmt = stmt.where(Event.kind.like(f"{escape_like(kind)}%", escape="\\"))
    rows, next_cursor = newest_page(session, stmt, Event.id, cursor, limit)
    return AuditPage(
        items=[EventOut.of(e) for e in rows],
        next_cursor=next_cursor,
    )
