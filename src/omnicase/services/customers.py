"""Customer-level actions: merging two customers of one brand."""

from __future__ import annotations

from sqlalchemy import Connection, bindparam, select, text, update
from sqlalchemy.orm import Session

from omnicase.model import Case, CaseReference, Customer, Identity, Message
from omnicase.model.base import utcnow
from omnicase.services.cases import ActionError, follow_redirects, record_event
from omnicase.store.scope import Principal

_MOVES = [
    (
        str(model.__tablename__),
        update(model)
        .where(model.customer_id == bindparam("drop_id"))
        .values(customer_id=bindparam("keep_id")),
    )
    for model in (Identity, Case, Message, CaseReference)
]
_REDIRECT = (
    update(Customer)
    .where(Customer.id == bindparam("drop_id"))
    .values(merged_into_id=bindparam("keep_id"))
)
#: PostgreSQL: the same five updates in one statement (one round trip instead of five;
#: the pipeline merges customers on its hot path). Each data-modifying CTE runs once.
_MOVE_ALL = text(
    "WITH "
    + ", ".join(
        f"m_{name} AS (UPDATE {name} SET customer_id = :keep_id"
        + (", updated_at = :now" if name == "cases" else "")
        + " WHERE customer_id = :drop_id RETURNING 1)"
        for name, _ in _MOVES
    )
    + ", redirect AS (UPDATE customers SET merged_into_id = :keep_id WHERE id = :drop_id)"
    + " SELECT "
    + ", ".join(f"(SELECT count(*) FROM m_{name})" for name, _ in _MOVES)
)


def move_customer_rows(conn: Connection | Session, drop_id: int, keep_id: int) -> dict[str, int]:
    """Re-point everything of customer ``drop_id`` to ``keep_id`` and leave a redirect.

    Shared by the agent's customer merge and the pipeline's automatic link (an order
    number or an email of one customer written by another identity). The statements are
    built once: the pipeline runs this on its hot path.
    """
    params = {"drop_id": drop_id, "keep_id": keep_id}
    if isinstance(conn, Connection) and conn.dialect.name == "postgresql":
        # the pipeline's own connection (a session keeps the ORM path: its objects follow)
        counts = conn.execute(_MOVE_ALL, {**params, "now": utcnow()}).one()
        return {name: int(n) for (name, _), n in zip(_MOVES, counts, strict=True)}
    moved = {}
    for name, stmt in _MOVES:
        result = conn.execute(stmt, params)
        moved[name] = int(result.rowcount)  # type: ignore[attr-defined]
    conn.execute(_REDIRECT, params)
    return moved


def final_customer(session: Session, customer: Customer) -> Customer:
    """The customer record this one was merged into (itself when never merged)."""
    return follow_redirects(session, customer)


def do_merge_customers(
    session: Session, source_id: int, target_id: int, who: Principal
) -> Customer:
    """Two customer records are one person: identities, cases and messages move over."""
    if source_id == target_id:
        raise ActionError("a customer cannot be merged into itself", field="target")
    rows = {
        c.id: c
        for c in session.scalars(
            select(Customer)
            .where(Customer.id.in_(sorted((source_id, target_id))))
            .order_by(Customer.id)
            .with_for_update()
        )
    }
    if source_id not in rows or target_id not in rows:
        raise ActionError("customer not found", status=404)
    source, target = rows[source_id], final_customer(session, rows[target_id])
    if source.merged_into_id is not None:
        raise ActionError("this customer was already merged", field="source")
    if target.id == source.id:
        raise ActionError(
            "the target is merged into this customer: merging would loop", field="target"
        )
    if source.brand_id != target.brand_id:
        raise ActionError("customers of two brands are never merged", field="target")
    moved = move_customer_rows(session, source.id, target.id)
    session.refresh(source)
    if not target.name:
        target.name = source.name
    record_event(
        session,
        "customer.merged",
        brand_id=source.brand_id,
        actor=who.actor,
        customer_id=target.id,
        data={"source": source.id, "moved": moved},
    )
    return target
