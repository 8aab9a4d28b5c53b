"""State changes of cases made by people: patch, merge, split, undo.

Each ``do_*`` function is one action: it checks what it must, changes the store, writes the
audit event, and leaves the commit to the caller's transaction (so an API request that
fails half-way writes nothing).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from omnicase.model import (
    Case,
    CaseLink,
    CaseReference,
    CaseStatus,
    Customer,
    Event,
    Message,
    User,
)
from omnicase.model.base import utcnow
from omnicase.sla import track as sla
from omnicase.store.scope import Principal


class ActionError(ValueError):
    """An action refused for a reason the person can act on (maps to 409/422)."""

    def __init__(self, message: str, field: str | None = None, status: int = 409) -> None:
        super().__init__(message)
        self.field = field
        self.status = status


def record_event(
    session: Session,
    kind: str,
    *,
    brand_id: int | None,
    actor: str = "system",
    case_id: int | None = None,
    customer_id: int | None = None,
    message_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> None:
    session.add(
        Event(
            brand_id=brand_id,
            kind=kind,
            actor=actor,
            case_id=case_id,
            customer_id=customer_id,
            message_id=message_id,
            at=utcnow(),
            data=data or {},
        )
    )


Redirected = TypeVar("Redirected", Case, Customer)


def follow_redirects(session: Session, row: Redirected) -> Redirected:
    """Follow ``merged_into_id`` to the row that now holds everything (loop-safe)."""
    seen = {row.id}
    while row.merged_into_id is not None:
        target = session.get(type(row), row.merged_into_id)
        if target is None or target.id in seen:
            break
        seen.add(target.id)
        row = target
    return row


def final_case(session: Session, case: Case) -> Case:
    """The case that now holds the request this case was merged into."""
    return follow_redirects(session, case)


def recompute_case(session: Session, case: Case) -> None:
    """Derive counters and timestamps from the case's messages after messages moved."""
    session.flush()
    m = Message
    row = session.execute(
        select(
            func.count(m.id),
            func.min(m.received_at).filter(m.direction == "inbound"),
            func.max(m.received_at).filter(m.direction == "inbound"),
            func.max(m.received_at),
        ).where(m.case_id == case.id)
    ).one()
    count, first_in, last_in, last_any = row
    case.message_count = int(count)
    case.first_inbound_at = first_in
    case.last_inbound_at = last_in
    case.last_message_at = last_any
    first_out = None
    if case.first_inbound_at is not None:
        first_out = session.scalar(
            select(func.min(m.received_at)).where(
                m.case_id == case.id,
                m.direction == "outbound",
                m.received_at >= case.first_inbound_at,
            )
        )
    case.first_response_at = first_out
    orders: set[str] = set()
    for (entities,) in session.execute(select(m.entities).where(m.case_id == case.id)):
        orders.update((entities or {}).get("order_numbers", ()))
    case.order_numbers = sorted(orders)
    session.execute(delete(CaseReference).where(CaseReference.case_id == case.id))
    for value in case.order_numbers:
        session.add(
            CaseReference(
                brand_id=case.brand_id,
                case_id=case.id,
                customer_id=case.customer_id,
                kind="order",
                value=value,
            )
        )


def _lock_case(session: Session, case_id: int) -> Case:
    case = session.execute(
        select(Case).where(Case.id == case_id).with_for_update()
    ).scalar_one_or_none()
    if case is None:
        raise ActionError(f"case {case_id} does not exist", status=404)
    return case


def do_merge_cases(
    session: Session,
    source_id: int,
    target_id: int,
    who: Principal | None,
    rule: str | None = None,
) -> CaseLink:
    """Move every message of ``source`` into ``target``; ``source`` then redirects there.

    ``who`` is None when the pipeline merges by itself (``rule`` says why); the audit log
    then names the system as the actor."""
    if source_id == target_id:
        raise ActionError("a case cannot be merged into itself", field="target")
    first, second = sorted((source_id, target_id))  # lock in a fixed order: no deadlock
    locked = {first: _lock_case(session, first), second: _lock_case(session, second)}
    source, target = locked[source_id], locked[target_id]
    if source.merged_into_id is not None:
        raise ActionError("this case was already merged into another one", field="source")
    target = final_case(session, target)
    if target.id == source.id:
        raise ActionError(
            "the target case is merged into this one: merging would loop", field="target"
        )
    if source.brand_id != target.brand_id:
        raise ActionError("cases of two different brands cannot be merged", field="target")
    moved = list(session.scalars(select(Message.id).where(Message.case_id == source.id)))
    before = {
        "status": source.status,
        "resolved_at": _iso(source.resolved_at),
        "closed_at": _iso(source.closed_at),
    }
    session.execute(update(Message).where(Message.case_id == source.id).values(case_id=target.id))
    source.merged_into_id = target.id
    source.status = CaseStatus.closed
    source.closed_at = utcnow()
    recompute_case(session, source)
    recompute_case(session, target)
    _merge_case_fields(source, target)
    link = _record_link(
        session,
        "merge",
        source,
        target,
        who,
        {"message_ids": moved, "source_before": before, **({"rule": rule} if rule else {})},
    )
    actor = who.actor if who is not None else "system"
    record_event(
        session,
        "case.merged",
        brand_id=source.brand_id,
        actor=actor,
        case_id=target.id,
        data={
            "source": source.id,
            "link": link.id,
            "messages": len(moved),
            **({"rule": rule} if rule else {}),
        },
    )
    record_event(
        session,
        "case.merged_away",
        brand_id=source.brand_id,
        actor=actor,
        case_id=source.id,
        data={"target": target.id, "link": link.id},
    )
    return link


def _record_link(
    session: Session,
    kind: str,
    source: Case,
    target: Case,
    who: Principal | None,
    detail: dict[str, Any],
) -> CaseLink:
    """What a merge or split moved, kept so it can be shown and undone."""
    link = CaseLink(
        brand_id=source.brand_id,
        kind=kind,
        source_case_id=source.id,
        target_case_id=target.id,
        actor_user_id=who.user_id if who is not None else None,
        detail=detail,
        created_at=utcnow(),
    )
    session.add(link)
    session.flush()
    return link


def _merge_case_fields(source: Case, target: Case) -> None:
    target.keywords = sorted(set(target.keywords or ()) | set(source.keywords or ()))[:64]
    target.priority = max(target.priority, source.priority)
    if not target.reason or target.reason == "other":
        target.reason = source.reason
        target.reason_confidence = source.reason_confidence
    if target.status in (CaseStatus.resolved, CaseStatus.closed) and source.status in (
        CaseStatus.new,
        CaseStatus.open,
        CaseStatus.pending,
    ):
        target.status = CaseStatus.open


def do_split_message(session: Session, message_id: int, who: Principal) -> CaseLink:
    """Take one message off its case into a new case (it was another request)."""
    message = session.get(Message, message_id)
    if message is None:
        raise ActionError(f"message {message_id} does not exist", status=404)
    source = _lock_case(session, message.case_id)
    if source.message_count <= 1:
        raise ActionError(
            "the message is the only one of its case: nothing to split", field="message_id"
        )
    now = utcnow()
    new_case = Case(
        brand_id=source.brand_id,
        customer_id=message.customer_id,
        status=CaseStatus.open,
        channel=message.channel,
        subject=message.subject or (message.text or "")[:120],
        reason=message.reason,
        language=message.language,
        priority=0,
        queue=source.queue,
        order_numbers=[],
        keywords=[],
        message_count=0,
        created_at=now,
        updated_at=now,
    )
    session.add(new_case)
    session.flush()
    message.case_id = new_case.id
    message.link_rule = "split"
    message.link_score = 1.0
    message.link_detail = {"split_from": source.id, "by": who.actor}
    recompute_case(session, source)
    recompute_case(session, new_case)
    link = _record_link(session, "split", source, new_case, who, {"message_ids": [message_id]})
    record_event(
        session,
        "case.split",
        brand_id=source.brand_id,
        actor=who.actor,
        case_id=source.id,
        message_id=message_id,
        data={"new_case": new_case.id, "link": link.id},
    )
    record_event(
        session,
        "case.created",
        brand_id=source.brand_id,
        actor=who.actor,
        case_id=new_case.id,
        customer_id=new_case.customer_id,
        data={"rule": "split", "from": source.id},
    )
    return link


def do_undo_link(session: Session, link_id: int, who: Principal) -> CaseLink:
    """Undo a merge (messages go back, the source case lives again) or a split."""
    link = session.execute(
        select(CaseLink).where(CaseLink.id == link_id).with_for_update()
    ).scalar_one_or_none()
    if link is None:
        raise ActionError(f"link {link_id} does not exist", status=404)
    if link.undone_at is not None:
        raise ActionError("this merge/split was already undone")
    source = _lock_case(session, link.source_case_id)
    target = _lock_case(session, link.target_case_id)
    ids = [int(i) for i in link.detail.get("message_ids", [])]
    if link.kind == "merge":
        if source.merged_into_id != target.id:
            raise ActionError("the case was changed since the merge; undo the later change first")
        session.execute(
            update(Message)
            .where(Message.id.in_(ids), Message.case_id == target.id)
            .values(case_id=source.id)
        )
        before = link.detail.get("source_before", {})
        source.merged_into_id = None
        source.status = before.get("status", CaseStatus.open)
        source.resolved_at = _parse_iso(before.get("resolved_at"))
        source.closed_at = _parse_iso(before.get("closed_at"))
        event = "case.unmerged"
    else:
        session.execute(
            update(Message)
            .where(Message.id.in_(ids), Message.case_id == target.id)
            .values(case_id=source.id, link_rule="unsplit")
        )
        target.merged_into_id = source.id
        target.status = CaseStatus.closed
        target.closed_at = utcnow()
        event = "case.unsplit"
    recompute_case(session, source)
    recompute_case(session, target)
    link.undone_at = utcnow()
    record_event(
        session,
        event,
        brand_id=link.brand_id,
        actor=who.actor,
        case_id=source.id,
        data={"link": link.id, "other_case": target.id},
    )
    return link


PATCHABLE = ("status", "assignee_id", "reason", "priority", "queue")


def do_patch_case(
    session: Session,
    case: Case,
    changes: dict[str, Any],
    who: Principal,
    now: datetime | None = None,
) -> Case:
    """Change status / assignee / reason / priority / queue, with before→after in the log."""
    if case.merged_into_id is not None:
        raise ActionError("this case was merged; change the case it redirects to")
    diff: dict[str, Any] = {}
    now = now or utcnow()
    for key, value in changes.items():
        if key not in PATCHABLE:
            raise ActionError(f"{key} cannot be changed", field=key, status=422)
        old = getattr(case, key)
        if old == value:
            continue
        if key == "assignee_id" and value is not None:
            user = session.get(User, value)
            if user is None or not user.active:
                raise ActionError("no active user with this id", field="assignee_id", status=422)
        if key == "reason":
            from omnicase.services import reason_models  # imports this module

            reason_models.check_reason(session, case, value)
            reason_models.do_record_correction(session, case, old, value, who)
        diff[key] = [old, value]
        setattr(case, key, value)
        if key == "reason":
            case.reason_confidence = None  # a person decided: confident
        if key == "status":
            sla.on_status_change(session, case, old, value, now)
            if value == CaseStatus.resolved:
                case.resolved_at = now
            elif value == CaseStatus.closed:
                case.closed_at = now
                case.resolved_at = case.resolved_at or now
            else:
                case.resolved_at = None
                case.closed_at = None
    if diff:
        case.updated_at = now
        record_event(
            session,
            "case.updated",
            brand_id=case.brand_id,
            actor=who.actor,
            case_id=case.id,
            data={"changes": diff},
        )
        from omnicase.routing.agents import on_case_changed  # routing builds on this module

        on_case_changed(session, case, list(diff), now, who)
        finished = (CaseStatus.resolved, CaseStatus.closed)
        if "status" in diff and diff["status"][1] in finished and diff["status"][0] not in finished:
            from omnicase.quality.csat.service import on_case_resolved  # builds on this module

            on_case_resolved(session, case, now)  # the satisfaction survey, once per case
    return case


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def _parse_iso(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None
