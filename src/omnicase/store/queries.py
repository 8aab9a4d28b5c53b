"""Read queries shared by the API, the CLI and (later) the web app; all of them filter
through :mod:`omnicase.store.scope`."""

from __future__ import annotations

import base64
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import Select, exists, or_, select
from sqlalchemy.orm import Session

from omnicase.model import Case, Customer, Message, Organisation
from omnicase.store.references import parse_reference
from omnicase.store.scope import Principal, case_filter, customer_filter


@dataclass(frozen=True, slots=True)
class CaseQuery:
    status: str | None = None
    channel: str | None = None
    reason: str | None = None
    queue: str | None = None
    assignee_id: int | None = None
    customer_id: int | None = None
    text: str | None = None
    include_merged: bool = False


def escape_like(text: str) -> str:
    """``text`` for a LIKE pattern with ``escape="\\"``: its % and _ are literal."""
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def encode_cursor(last_id: int) -> str:
    return base64.urlsafe_b64encode(f"c{last_id}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> int:
    """Raises ValueError on anything that is not one of our cursors."""
    raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
    if not raw.startswith("c") or not raw[1:].isdigit():
        raise ValueError("not a cursor returned by this API")
    return int(raw[1:])


def case_select(session: Session, who: Principal, q: CaseQuery) -> Select[Case]:
    stmt = select(Case).where(case_filter(session, who))
    if not q.include_merged:
        stmt = stmt.where(Case.merged_into_id.is_(None))
    if q.status:
        stmt = stmt.where(Case.status == q.status)
    if q.reason:
        stmt = stmt.where(Case.reason == q.reason)
    if q.queue:
        stmt = stmt.where(Case.queue == q.queue)
    if q.assignee_id is not None:
        stmt = stmt.where(Case.assignee_id == q.assignee_id)
    if q.customer_id is not None:
        stmt = stmt.where(Case.customer_id == q.customer_id)
    if q.channel:
        stmt = stmt.where(
            exists(
                select(Message.id).where(Message.case_id == Case.id, Message.channel == q.channel)
            )
        )
    if q.text:
        pattern = f"%{escape_like(q.text)}%"
        stmt = stmt.where(
            or_(
                Case.subject.ilike(pattern, escape="\\"),
                exists(
                    select(Message.id).where(
                        Message.case_id == Case.id, Message.text.ilike(pattern, escape="\\")
                    )
                ),
            )
        )
    return stmt


def list_cases(
    session: Session, who: Principal, q: CaseQuery, *, limit: int, before_id: int | None
) -> tuple[list[Case], int | None]:
    """Newest first; returns the page and the id to continue before (or None at the end)."""
    stmt = case_select(session, who, q)
    if before_id is not None:
        stmt = stmt.where(Case.id < before_id)
    rows = list(session.scalars(stmt.order_by(Case.id.desc()).limit(limit + 1)))
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, (rows[-1].id if more and rows else None)


def channels_of(session: Session, case_ids: Sequence[int]) -> dict[int, list[str]]:
    out: dict[int, list[str]] = defaultdict(list)
    if not case_ids:
        return out
    rows = session.execute(
        select(Message.case_id, Message.channel)
        .where(Message.case_id.in_(case_ids))
        .group_by(Message.case_id, Message.channel)
        .order_by(Message.case_id)
    )
    for case_id, channel in rows:
        out[case_id].append(channel)
    return out


def brand_prefixes(session: Session) -> dict[int, tuple[str, str]]:
    """brand id → (slug, case prefix); small table, read once per request."""
    rows = session.execute(
        select(Organisation.id, Organisation.slug, Organisation.case_prefix).where(
            Organisation.kind == "brand"
        )
    )
    return {i: (slug, prefix or slug[:2].upper()) for i, slug, prefix in rows}


def find_case(session: Session, who: Principal, reference: str) -> Case | None:
    """A case by reference (``AC-000123``) or id, if ``who`` may see it."""
    parsed = parse_reference(reference)
    if parsed is not None:
        prefix, case_id = parsed
        stmt = (
            select(Case)
            .join(Organisation, Organisation.id == Case.brand_id)
            .where(Case.id == case_id, Organisation.case_prefix == prefix)
        )
    elif reference.isdigit():
        stmt = select(Case).where(Case.id == int(reference))
    else:
        return None
    return session.scalar(stmt.where(case_filter(session, who)))


def find_customer(session: Session, who: Principal, customer_id: int) -> Customer | None:
    return session.scalar(
        select(Customer).where(Customer.id == customer_id, customer_filter(session, who))
    )
