"""GET /api/v1/audit-log: a brand's own audit trail (who did and read what), and
``/export?format=csv|jsonl`` for its admins."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Iterator
from typing import Annotated, Literal

from fastapi import APIRouter, HTTPException, Query, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel
from sqlalchemy import select

from omnicase.api.deps import Reader, get_db
from omnicase.api.errors import ERRORS
from omnicase.api.paging import newest_page
from omnicase.api.schemas import EventOut
from omnicase.model import Event
from omnicase.services.audit import do_record_access
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


EXPORT_BATCH = 1000
CSV_FIELDS = ("id", "at", "kind", "actor", "case_id", "customer_id", "message_id", "data")


@router.get(
    "/export",
    responses={
        **ERRORS,
        200: {"content": {"text/csv": {}, "application/x-ndjson": {}}},
    },
)
def export_audit_log(
    request: Request,
    auth: Reader,
    format: Annotated[Literal["csv", "jsonl"], Query(description="csv or jsonl")] = "jsonl",
    kind: Annotated[str | None, Query(max_length=64, description="prefix, e.g. access.")] = None,
) -> StreamingResponse:
    """The brand's whole audit log, oldest first, as CSV or JSON lines. Brand admins only;
    the export is itself written to the log (who, when, from where)."""
    _, who = auth
    if not who.is_brand_staff or who.role != "admin":
        raise HTTPException(403, "only the brand's admins export its audit log")
    brand_id = who.organisation_id
    do_record_access(get_db(request), who, "audit_exported", brand_id=brand_id, force=True)
    db = get_db(request)

    def rows() -> Iterator[str]:
        after = 0
        if format == "csv":
            yield _csv_line(CSV_FIELDS)
        while True:
            with db.reading() as s:
                stmt = select(Event).where(Event.brand_id == brand_id, Event.id > after)
                if kind:
                    stmt = stmt.where(Event.kind.like(f"{escape_like(kind)}%", escape="\\"))
                batch = list(s.scalars(stmt.order_by(Event.id).limit(EXPORT_BATCH)))
                for e in batch:
                    record = {
                        "id": e.id,
                        "at": e.at.isoformat(),
                        "kind": e.kind,
                        "actor": e.actor,
                        "case_id": e.case_id,
                        "customer_id": e.customer_id,
                        "message_id": e.message_id,
                        "data": e.data or {},
                    }
                    if format == "csv":
                        values = [record[f] for f in CSV_FIELDS]
                        values[-1] = json.dumps(record["data"], ensure_ascii=False, sort_keys=True)
                        yield _csv_line(values)
                    else:
                        yield json.dumps(record, ensure_ascii=False, sort_keys=True) + "\n"
            if len(batch) < EXPORT_BATCH:
                return
            after = batch[-1].id

    media = "text/csv; charset=utf-8" if format == "csv" else "application/x-ndjson"
    return StreamingResponse(
        rows(),
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="audit.{format}"',
            "Cache-Control": "no-store",
        },
    )


def _csv_line(values: Iterable[object]) -> str:
    out = io.StringIO()
    csv.writer(out).writerow(["" if v is None else _no_formula(str(v)) for v in values])
    return out.getvalue()


def _no_formula(value: str) -> str:
    """A cell a spreadsheet would run as a formula is quoted with a leading apostrophe."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
