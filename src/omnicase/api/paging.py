"""Keyset paging shared by the list endpoints: newest first, opaque cursors."""

from __future__ import annotations

from typing import Any

from fastapi import HTTPException
from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute, Session

from omnicase.store.queries import decode_cursor, encode_cursor


def before_id(cursor: str | None) -> int | None:
    """The id a page continues before; a foreign cursor is a 422 naming the field."""
    if not cursor:
        return None
    try:
        return decode_cursor(cursor)
    except ValueError as exc:
        raise HTTPException(
            422, {"detail": "invalid cursor", "errors": [{"field": "cursor", "reason": str(exc)}]}
        ) from exc


def newest_page(
    session: Session,
    stmt: Select[Any],
    id_column: InstrumentedAttribute[int],
    cursor: str | None,
    limit: int,
) -> tuple[list[Any], str | None]:
    """One page of ``stmt`` by descending id, and the cursor of the next one (or None)."""
    before = before_id(cursor)
    if before is not None:
        stmt = stmt.where(id_column < before)
    rows = list(session.scalars(stmt.order_by(id_column.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (encode_cursor(rows[-1].id) if more and rows else None)
