"""Erasing a customer on request (GDPR art. 17), and anonymising cases (retention).

What goes: every text a person wrote or that was written to them (message subject, text,
HTML, the raw inbox body and headers, notes, the reason corrections' copy of the text),
the channel metadata (headers, display names, provider payload details), threading
evidence (keywords, order numbers, references), attachments (deleted from disk after the
commit when no other message refers to them), and the customer's name and identities.

What stays: the case and message rows with their timestamps, channel, direction, team,
queue, reason, status and SLA clocks, so every KPI (contacts, first response, service
level) still counts the contact, without anyone in it.

Identities are **deleted, not hashed**: a hash of an email address is still personal
data (anyone holding the address can test it), and a kept identity would make the
person's next message join the erased record. After erasure a new message from the same
address starts a new customer with no history. Message ids the channel gave
(``external_id``, ``conversation_id``: a WhatsApp conversation id is the phone number)
are replaced by a digest; a provider replaying an old delivery may therefore create a
new message, which is the lesser evil.

The erasure event names ids and counts only. Nothing is committed here; the request or
the CLI commits, and the files are deleted only once it has (a rollback keeps them).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import String, cast, delete, event, or_, select
from sqlalchemy.orm import Session

from omnicase.channels.attachments import SHA256_RE, AttachmentStore
from omnicase.model import (
    Case,
    CaseLink,
    CaseNote,
    CaseReference,
    Customer,
    Event,
    Identity,
    InboxItem,
    Message,
    ReasonCorrection,
)
from omnicase.model.base import utcnow
from omnicase.services.cases import record_event

MARKER = "[erased]"

#: Extra per-customer data owned by other features (surveys…): name → eraser, called with
#: the customer ids and the case ids; returns how many rows it erased.
Eraser = Callable[[Session, list[int], list[int]], int]
ERASERS: dict[str, Eraser] = {}


def affected(result: Any) -> int:
    """The row count of an UPDATE/DELETE result."""
    return int(result.rowcount)


def register_eraser(name: str, eraser: Eraser) -> None:
    ERASERS[name] = eraser


@dataclass
class Erasure:
    """What an erasure or anonymisation touched (counts and ids only)."""

    customers: list[int] = field(default_factory=list)
    cases: int = 0
    messages: int = 0
    identities: int = 0
    notes: int = 0
    corrections: int = 0
    references: int = 0
    inbox: int = 0
    events: int = 0
    attachments: set[str] = field(default_factory=set)
    extra: dict[str, int] = field(default_factory=dict)

    def counts(self) -> dict[str, Any]:
        return {
            "customers": self.customers,
            "cases": self.cases,
            "messages": self.messages,
            "identities": self.identities,
            "notes": self.notes,
            "reason_corrections": self.corrections,
            "references": self.references,
            "inbox": self.inbox,
            "events": self.events,
            "attachments": len(self.attachments),
            **self.extra,
        }


def related_customer_ids(session: Session, customer: Customer) -> list[int]:
    """The customer and every record merged into it (directly or through a chain)."""
    ids = [customer.id]
    frontier = [customer.id]
    while frontier:
        frontier = list(
            session.scalars(select(Customer.id).where(Customer.merged_into_id.in_(frontier)))
        )
        ids.extend(frontier)
    return ids


def _digest(value: str | None) -> str | None:
    if not value:
        return value
    if value.startswith("erased:"):
        return value
    return "erased:" + hashlib.sha256(value.encode()).hexdigest()[:40]


def scrub(value: Any, secrets: Iterable[str]) -> tuple[Any, bool]:
    """``value`` (JSON) with every string containing one of ``secrets`` replaced by the
    marker; and whether anything changed."""
    needles = [s.lower() for s in secrets if s and len(s) >= 3]
    changed = False

    def walk(v: Any) -> Any:
        nonlocal changed
        if isinstance(v, str):
            low = v.lower()
            if any(n in low for n in needles):
                changed = True
                return MARKER
            return v
        if isinstance(v, list):
            return [walk(x) for x in v]
        if isinstance(v, dict):
            return {k: walk(x) for k, x in v.items()}
        return v

    return walk(value), changed


def personal_values(session: Session, customer_ids: list[int]) -> set[str]:
    """What identifies the people: identity values, names, emails and phones written."""
    values: set[str] = set()
    for value in session.scalars(
        select(Identity.value).where(Identity.customer_id.in_(customer_ids))
    ):
        values.add(value)
        values.add(value.lstrip("+"))
    for name in session.scalars(select(Customer.name).where(Customer.id.in_(customer_ids))):
        if name:
            values.add(name)
    for author, entities in session.execute(
        select(Message.author_name, Message.entities).where(
            Message.customer_id.in_(customer_ids), Message.direction == "inbound"
        )
    ):
        if author:
            values.add(author)
        for key in ("emails", "phones"):
            for v in (entities or {}).get(key, []) or []:
                if isinstance(v, str):
                    values.add(v)
    return values


def anonymise_cases(
    session: Session, case_ids: list[int], secrets: set[str], result: Erasure
) -> None:
    """Replace the personal data of these cases, their messages, notes, corrections,
    references, raw inbox rows and events; rows stay."""
    if not case_ids:
        return
    now = utcnow()
    message_ids: list[int] = []
    for case in session.scalars(select(Case).where(Case.id.in_(case_ids))):
        case.subject = MARKER if case.subject else None
        case.keywords = []
        case.order_numbers = []
        case.anonymised_at = case.anonymised_at or now
        result.cases += 1
    for msg in session.scalars(select(Message).where(Message.case_id.in_(case_ids))):
        message_ids.append(msg.id)
        for a in msg.attachments or []:
            sha = str(a.get("sha256") or "")
            if SHA256_RE.match(sha):
                result.attachments.add(sha)
        msg.subject = MARKER if msg.subject else None
        msg.text = MARKER if msg.text is not None else None
        msg.html = None
        msg.attachments = [{"erased": True, "size": a.get("size")} for a in msg.attachments or []]
        msg.meta = {"erased": True} if msg.meta else {}
        msg.entities = {}
        msg.link_detail = {}
        msg.author_name = (
            MARKER if msg.author_name and msg.direction == "inbound" else msg.author_name
        )
        msg.external_id = _digest(msg.external_id) or f"erased:{msg.id}"
        msg.conversation_id = _digest(msg.conversation_id)
        msg.in_reply_to = None
        msg.references = []
        result.messages += 1
    for note in session.scalars(select(CaseNote).where(CaseNote.case_id.in_(case_ids))):
        if note.text != MARKER:
            note.text = MARKER
            result.notes += 1
    result.corrections += affected(
        session.execute(delete(ReasonCorrection).where(ReasonCorrection.case_id.in_(case_ids)))
    )
    result.references += affected(
        session.execute(delete(CaseReference).where(CaseReference.case_id.in_(case_ids)))
    )
    for link in session.scalars(
        select(CaseLink).where(
            or_(CaseLink.source_case_id.in_(case_ids), CaseLink.target_case_id.in_(case_ids))
        )
    ):
        link.detail, _ = scrub(link.detail, secrets)
    _anonymise_inbox(session, case_ids, set(message_ids), result)
    for ev in session.scalars(
        select(Event).where(
            or_(Event.case_id.in_(case_ids), Event.message_id.in_(message_ids or [-1]))
        )
    ):
        data, changed = scrub(ev.data, secrets)
        if changed:
            ev.data = data
            result.events += 1


def _anonymise_inbox(
    session: Session, case_ids: list[int], message_ids: set[int], result: Erasure
) -> None:
    """The raw deliveries that produced these messages lose body and headers (the row
    stays so the provider's retry of the same delivery is still recognised)."""
    if not message_ids:
        return
    brands = list(session.scalars(select(Case.brand_id).where(Case.id.in_(case_ids)).distinct()))
    rows = session.execute(
        select(InboxItem.id, InboxItem.result).where(InboxItem.brand_id.in_(brands))
    ).all()
    ids = [
        row_id
        for row_id, outcome in rows
        if message_ids.intersection((outcome or {}).get("messages", []) or [])
    ]
    for item in session.scalars(select(InboxItem).where(InboxItem.id.in_(ids or [-1]))):
        if item.body or item.headers or item.last_error:
            item.body = b""
            item.headers = {}
            item.last_error = None
            result.inbox += 1


def shared_attachments(session: Session, shas: set[str]) -> set[str]:
    """Those of ``shas`` another message still refers to (kept on disk)."""
    kept: set[str] = set()
    text = cast(Message.attachments, String)
    for sha in shas:
        if session.scalar(select(Message.id).where(text.contains(sha)).limit(1)) is not None:
            kept.add(sha)
    return kept


def delete_files_after_commit(session: Session, store: AttachmentStore, shas: set[str]) -> None:
    """Remove the files once the transaction that stopped referring to them commits."""
    if not shas:
        return

    def remove(_session: Session) -> None:
        for sha in shas:
            store.path_of(sha).unlink(missing_ok=True)

    event.listen(session, "after_commit", remove, once=True)


def do_erase_customer(
    session: Session, customer: Customer, store: AttachmentStore, *, actor: str = "system"
) -> Erasure:
    """Erase the customer (and every record merged into it); idempotent."""
    customer_ids = related_customer_ids(session, customer)
    secrets = personal_values(session, customer_ids)
    result = Erasure(customers=customer_ids)
    case_ids = list(session.scalars(select(Case.id).where(Case.customer_id.in_(customer_ids))))
    already = customer.erased_at is not None
    anonymise_cases(session, case_ids, secrets, result)
    # messages of the customer filed on a case of someone else (split, moved)
    stray = list(
        session.scalars(
            select(Message.case_id).where(
                Message.customer_id.in_(customer_ids), Message.case_id.not_in(case_ids or [-1])
            )
        )
    )
    if stray:
        anonymise_cases(session, sorted(set(stray)), secrets, result)
    result.identities = affected(
        session.execute(delete(Identity).where(Identity.customer_id.in_(customer_ids)))
    )
    now = utcnow()
    for row in session.scalars(select(Customer).where(Customer.id.in_(customer_ids))):
        row.name = row.name_first = row.name_last = None
        row.tags = []
        row.erased_at = row.erased_at or now
    for ev in session.scalars(select(Event).where(Event.customer_id.in_(customer_ids))):
        data, changed = scrub(ev.data, secrets)
        if changed:
            ev.data = data
            result.events += 1
    for name, eraser in ERASERS.items():
        result.extra[name] = eraser(session, customer_ids, case_ids)
    session.flush()
    gone = result.attachments - shared_attachments(session, result.attachments)
    result.attachments = gone
    delete_files_after_commit(session, store, gone)
    if not already:
        record_event(
            session,
            "customer.erased",
            brand_id=customer.brand_id,
            actor=actor,
            customer_id=customer.id,
            data=result.counts(),
        )
    return result
