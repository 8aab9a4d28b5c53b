"""The one ingestion pipeline: API, CLI and every channel adapter call :func:`ingest`.

Steps per message: idempotency → customer (identity graph) → case (explicit thread →
cross-channel match → new) → store + events. A batch runs in one transaction; if anything
in it fails, the batch is rolled back and replayed one message per transaction so a single
bad message cannot take the others down, and nothing is ever half-written.

Hot-path notes: identities and duplicates are looked up once per batch, case updates are
kept in memory and flushed once per batch, events and references are inserted with one
executemany each (see docs/benchmarks.md for the figures).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    Table,
    Connection,
    and_,
    bindparam,
    func,
    insert,
    or_,
    select,
    text,
    tuple_,
    update,
)
from sqlalchemy.exc import DBAPIError, IntegrityError

from omnicase.ingest.identities import (
    IdentityError,
    normalise_email,
    normalise_phone,
    party_identities,
)
from omnicase.ingest.locks import lock_keys
from omnicase.ingest.schema import Channel, InboundMessage
from omnicase.ingest.threading import (
    CONFIDENT_REASON,
    OPEN,
    CaseState,
    Decision,
    MessageFeatures,
    choose_case,
)
from omnicase.model import Case, CaseReference, Customer, Event, Identity, Message, Organisation
from omnicase.model.base import utcnow
from omnicase.services.customers import move_customer_rows
from omnicase.store.db import Database
from omnicase.store.references import format_reference
from omnicase.understand import Analysis, OrderMatcher, analyse, compile_order_patterns

CASES = cast(Table, Case.__table__)
MESSAGES = cast(Table, Message.__table__)
IDENTITIES = cast(Table, Identity.__table__)
CUSTOMERS = cast(Table, Customer.__table__)
EVENTS = cast(Table, Event.__table__)
REFERENCES = cast(Table, CaseReference.__table__)
C = CASES.c
M = MESSAGES.c
I = IDENTITIES.c  # noqa: E741

#: Identity kinds by how strongly they designate one person (first wins on conflicts).
IDENTITY_STRENGTH = ("email", "phone", "whatsapp", "messenger", "instagram", "x", "chat")

#: Chat sessions are one conversation each; Meta/X DM "conversations" last forever and
#: are only evidence, not a thread (see ingest.threading).
SESSION_CHANNELS = frozenset({Channel.chat.value})


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


class InvalidBatch(ValueError):
    """An all-or-nothing batch had invalid messages; nothing was written."""

    def __init__(self, results: list[IngestResult]) -> None:
        super().__init__("invalid messages in an all-or-nothing batch")
        self.results = results


@dataclass(frozen=True, slots=True)
class BrandContext:
    id: int
    slug: str
    region: str
    case_prefix: str
    orders: OrderMatcher
    window: timedelta
    reference_re: re.Pattern[str]


@lru_cache(maxsize=256)
def _reference_re(prefix: str) -> re.Pattern[str]:
    return re.compile(rf"\b{re.escape(prefix)}-(\d{{6,}})\b", re.IGNORECASE)


def load_brands(
    conn: Connection, slugs: Iterable[str], default_window: int
) -> dict[str, BrandContext]:
    org_c = Organisation.__table__.c
    rows = conn.execute(
        select(org_c.id, org_c.slug, org_c.region, org_c.case_prefix, org_c.settings).where(
            org_c.slug.in_(sorted(set(slugs))), org_c.kind == "brand"
        )
    )
    out = {}
    for org in rows:
        settings = org.settings or {}
        prefix = org.case_prefix or org.slug[:2].upper()
        out[org.slug] = BrandContext(
            id=org.id,
            slug=org.slug,
            region=org.region,
            case_prefix=prefix,
            orders=compile_order_patterns(tuple(settings.get("order_patterns", ()))),
            window=timedelta(days=int(settings.get("thread_window_days", default_window))),
            reference_re=_reference_re(prefix),
        )
    return out


@dataclass(slots=True)
class Prepared:
    """A validated message with everything computed that needs no database."""

    index: int
    msg: InboundMessage
    brand: BrandContext
    identities: list[tuple[str, str]]
    revealed: list[tuple[str, str]]
    analysis: Analysis
    features: MessageFeatures
    references: list[str]


def _message_text(msg: InboundMessage) -> str:
    parts = [p for p in (msg.subject, msg.text) if p]
    if not msg.text and msg.html:
        parts.append(re.sub(r"<[^>]+>", " ", msg.html))
    return "\n".join(parts)


def prepare(index: int, msg: InboundMessage, brand: BrandContext) -> Prepared:
    """Normalise identities and analyse the text; raises IdentityError on a bad identity."""
    party = msg.customer_party
    assert party is not None  # the schema guarantees it
    side = "from" if msg.direction == "inbound" else "to"
    identities = party_identities(party.identities(), brand.region, side)
    body = _message_text(msg)
    analysis = analyse(body, brand.orders)
    orders = set(analysis.entities.order_numbers)
    meta_order = msg.meta.get("order_number")
    if isinstance(meta_order, str) and meta_order.strip():
        found = analyse(meta_order, brand.orders).entities.order_numbers
        orders.update(found or (meta_order.strip().upper(),))
    reason, confidence = analysis.reason, analysis.reason_confidence
    meta_reason = msg.meta.get("reason")
    if isinstance(meta_reason, str) and meta_reason:
        reason, confidence = meta_reason, 1.0
    known = set(identities)
    revealed: list[tuple[str, str]] = []
    for email in analysis.entities.emails:
        try:
            pair = ("email", normalise_email(email))
        except ValueError:
            continue
        if pair not in known:
            revealed.append(pair)
            known.add(pair)
    for phone in analysis.entities.phones:
        try:
            pair = ("phone", normalise_phone(phone, brand.region))
        except ValueError:
            continue
        if pair not in known:
            revealed.append(pair)
            known.add(pair)
    refs = [r for r in (msg.thread.in_reply_to, *msg.thread.references) if r]
    # A missed call, "ok merci", "?": nothing that could start a request of its own.
    contentless = (
        not orders
        and not analysis.follow_up
        and len(analysis.keywords) <= 3
        and (confidence < CONFIDENT_REASON or reason == "other")
    )
    conversation = msg.thread.conversation_id
    features = MessageFeatures(
        at=msg.received_at,
        channel=msg.channel.value,
        direction=msg.direction.value,
        orders=frozenset(orders),
        reason=reason,
        reason_confidence=confidence,
        keywords=analysis.keywords,
        follow_up=analysis.follow_up,
        conversation=f"{msg.channel.value}:{conversation}" if conversation else None,
        contentless=contentless,
    )
    return Prepared(index, msg, brand, identities, revealed, analysis, features, refs)


class Batch:
    """Caches and pending writes of one transaction of the pipeline."""

    def __init__(self, conn: Connection, now: datetime) -> None:
        self.conn = conn
        self.now = now
        self.identities: dict[tuple[int, str, str], int] = {}
        self.customer_cases: dict[int, list[CaseState]] = {}
        self.cases: dict[int, CaseState] = {}
        self.existing: dict[tuple[int, str, str], tuple[int, int, int]] = {}
        self._conv_loaded: set[int] = set()
        #: (brand, order number) → customer whose case carries it.
        self.orders: dict[tuple[int, str], int] = {}
        self.events: list[dict[str, Any]] = []
        self.references: list[dict[str, Any]] = []

    # ---- prefetch -------------------------------------------------------------------
    def prefetch(self, items: Sequence[Prepared]) -> None:
        by_brand: dict[int, set[tuple[str, str]]] = {}
        keys: dict[int, set[tuple[str, str]]] = {}
        orders: dict[int, set[str]] = {}
        for p in items:
            by_brand.setdefault(p.brand.id, set()).update(p.identities, p.revealed)
            keys.setdefault(p.brand.id, set()).add((p.msg.channel.value, p.msg.external_id))
            orders.setdefault(p.brand.id, set()).update(p.features.orders)
        R = REFERENCES.c
        for brand_id, values in orders.items():
            for chunk in _chunks(sorted(values), 400):
                order_rows = self.conn.execute(
                    select(R.value, func.min(R.customer_id))
                    .where(R.brand_id == brand_id, R.kind == "order", R.value.in_(chunk))
                    .group_by(R.value)
                )
                for value, customer_id in order_rows:
                    self.orders[(brand_id, value)] = customer_id
        for brand_id, pairs in by_brand.items():
            for chunk in _chunks(sorted(pairs), 400):
                rows = self.conn.execute(
                    select(I.kind, I.value, I.customer_id).where(
                        I.brand_id == brand_id, tuple_(I.kind, I.value).in_(chunk)
                    )
                )
                for kind, value, customer_id in rows:
                    self.identities[(brand_id, kind, value)] = customer_id
        for brand_id, ext in keys.items():
            for chunk in _chunks(sorted(ext), 400):
                message_rows = self.conn.execute(
                    select(M.channel, M.external_id, M.id, M.case_id, M.customer_id).where(
                        M.brand_id == brand_id, tuple_(M.channel, M.external_id).in_(chunk)
                    )
                )
                for channel, ext_id, mid, cid, cust in message_rows:
                    self.existing[(brand_id, channel, ext_id)] = (mid, cid, cust)

    # ---- customers ------------------------------------------------------------------
    def resolve_customer(self, p: Prepared) -> tuple[int, list[dict[str, Any]]]:
        """Find or create the customer; link new identities with their evidence.

        Evidence, strongest first: the channel's own identities, an email/phone written in
        the text, an order number already on one of the brand's cases. When it points to
        several customers of the brand they are one person: the newer records are merged
        into the oldest, and the rule that showed it is recorded.
        """
        b = p.brand.id
        evidence: list[dict[str, Any]] = []
        owners = {pair: self.identities.get((b, *pair)) for pair in p.identities}
        found: list[tuple[int, str]] = []
        for pair in sorted(p.identities, key=lambda pair: IDENTITY_STRENGTH.index(pair[0])):
            if (cid := owners[pair]) is not None:
                found.append((cid, f"known_{pair[0]}"))
        revealed_known = set()
        for pair in p.revealed:
            if (cid := self.identities.get((b, *pair))) is not None:
                found.append((cid, f"revealed_{pair[0]}"))
                revealed_known.add(pair)
        for order in sorted(p.features.orders):
            if (cid := self.orders.get((b, order))) is not None:
                found.append((cid, "order_number"))
        customer_id: int
        if found:
            customer_id = min(cid for cid, _ in found)
            rules: dict[int, str] = {}
            for cid, rule in found:
                rules.setdefault(cid, rule)
            evidence.append({"rule": rules[customer_id]})
            for other in sorted(set(rules) - {customer_id}):
                self._merge_customers(p, customer_id, other, rules[other])
                evidence.append(
                    {"rule": "merged_customer", "merged": other, "because": rules[other]}
                )
        else:
            party = p.msg.customer_party
            customer_id = self.conn.execute(
                insert(CUSTOMERS)
                .values(brand_id=b, name=party.name if party else None, created_at=self.now)
                .returning(CUSTOMERS.c.id)
            ).scalar_one()
            self.customer_cases[customer_id] = []
            self.events.append(self._event(p, "customer.created", customer_id=customer_id))
            evidence.append({"rule": "new_customer"})
        new_rows = [
            (pair, "channel_identity", 1.0) for pair in p.identities if owners.get(pair) is None
        ]
        new_rows += [
            (pair, "revealed_in_text", 0.9) for pair in p.revealed if pair not in revealed_known
        ]
        if new_rows:
            self.conn.execute(
                insert(IDENTITIES),
                [
                    {
                        "brand_id": b,
                        "customer_id": customer_id,
                        "kind": kind,
                        "value": value,
                        "rule": rule,
                        "score": score,
                        "created_at": self.now,
                    }
                    for (kind, value), rule, score in new_rows
                ],
            )
            for (kind, value), rule, _ in new_rows:
                self.identities[(b, kind, value)] = customer_id
                if found:
                    self.events.append(
                        self._event(
                            p,
                            "identity.linked",
                            customer_id=customer_id,
                            data={"kind": kind, "rule": rule},
                        )
                    )
        return customer_id, evidence

    def _merge_customers(self, p: Prepared, keep: int, drop: int, rule: str) -> None:
        """The pipeline found that two customer records are one person."""
        moved = move_customer_rows(self.conn, drop, keep)
        for ikey, owner in self.identities.items():
            if owner == drop:
                self.identities[ikey] = keep
        for okey, owner in self.orders.items():
            if owner == drop:
                self.orders[okey] = keep
        for state in self.cases.values():
            if state.customer_id == drop:
                state.customer_id = keep
        self.customer_cases.pop(drop, None)
        self.customer_cases.pop(keep, None)  # reloaded with both customers' cases
        self.events.append(
            self._event(
                p,
                "customer.merged",
                customer_id=keep,
                data={"source": drop, "rule": rule, "moved": moved},
            )
        )

    # ---- cases ----------------------------------------------------------------------
    def candidates(self, customer_id: int, at: datetime, window: timedelta) -> list[CaseState]:
        cached = self.customer_cases.get(customer_id)
        if cached is not None:
            return cached
        rows = self.conn.execute(
            select(CASES).where(
                C.customer_id == customer_id,
                C.merged_into_id.is_(None),
                or_(
                    C.status.in_(sorted(OPEN)),
                    and_(C.status == "resolved", C.resolved_at >= at - window),
                ),
            )
        ).mappings()
        states = [self._state(row) for row in rows]
        listed = {s.id for s in states}
        states += [
            s for s in self.cases.values() if s.customer_id == customer_id and s.id not in listed
        ]
        self._load_conversations([s for s in states if s.id not in self._conv_loaded])
        self.customer_cases[customer_id] = states
        return states

    def _state(self, row: Any) -> CaseState:
        cached = self.cases.get(row["id"])
        if cached is not None:
            return cached
        state = CaseState(
            id=row["id"],
            customer_id=row["customer_id"],
            status=row["status"],
            channel=row["channel"],
            reason=row["reason"],
            reason_confidence=1.0 if row["reason"] else 0.0,
            language=row["language"],
            priority=row["priority"],
            orders=set(row["order_numbers"] or ()),
            keywords=set(row["keywords"] or ()),
            conversations=set(),
            message_count=row["message_count"],
            first_inbound_at=row["first_inbound_at"],
            first_response_at=row["first_response_at"],
            last_inbound_at=row["last_inbound_at"],
            last_message_at=row["last_message_at"],
            resolved_at=row["resolved_at"],
            created_at=row["created_at"],
            merged_into_id=row["merged_into_id"],
        )
        self.cases[state.id] = state
        return state

    def _load_conversations(self, states: list[CaseState]) -> None:
        self._conv_loaded.update(s.id for s in states)
        if not states:
            return
        rows = self.conn.execute(
            select(M.case_id, M.channel, M.conversation_id, func.max(M.received_at))
            .where(M.case_id.in_([s.id for s in states]))
            .group_by(M.case_id, M.channel, M.conversation_id)
        )
        by_id = {s.id: s for s in states}
        latest: dict[int, datetime] = {}
        for case_id, channel, conv, last in rows:
            state = by_id[case_id]
            if conv is not None:
                state.conversations.add(f"{channel}:{conv}")
            if last is not None and (case_id not in latest or last > latest[case_id]):
                latest[case_id] = last
                state.last_channel = channel

    def case_by_id(self, case_id: int) -> CaseState | None:
        state = self.cases.get(case_id)
        if state is None:
            row = self.conn.execute(select(CASES).where(C.id == case_id)).mappings().first()
            if row is None:
                return None
            state = self._state(row)
            self._load_conversations([state])
        seen = {state.id}
        while state.merged_into_id is not None:  # merged cases redirect (loop-safe)
            target = self.case_by_id_raw(state.merged_into_id)
            if target is None or target.id in seen:
                break
            seen.add(target.id)
            state = target
        return state

    def case_by_id_raw(self, case_id: int) -> CaseState | None:
        if case_id in self.cases:
            return self.cases[case_id]
        row = self.conn.execute(select(CASES).where(C.id == case_id)).mappings().first()
        return None if row is None else self._state(row)

    def explicit_case(self, p: Prepared, customer_id: int) -> Decision | None:
        """Mail headers, our case reference, or a chat session name the case outright."""
        b = p.brand.id
        if p.references:
            row = self.conn.execute(
                select(M.case_id, M.external_id)
                .where(
                    M.brand_id == b,
                    M.channel == p.msg.channel.value,
                    M.external_id.in_(p.references[-50:]),
                )
                .order_by(M.received_at.desc())
                .limit(1)
            ).first()
            if row is not None:
                case = self.case_by_id(row[0])
                if case is not None:
                    return Decision(case, "reply_header", 1.0, {"header": row[1]})
        for match in p.brand.reference_re.finditer(
            " ".join(x for x in (p.msg.subject, p.msg.text) if x)
        ):
            case = self.case_by_id(int(match.group(1)))
            if case is not None and case.customer_id == customer_id:
                return Decision(case, "case_reference", 1.0, {"reference": match.group(0)})
        conv = p.msg.thread.conversation_id
        if conv and p.msg.channel.value in SESSION_CHANNELS:
            row = self.conn.execute(
                select(M.case_id)
                .where(M.brand_id == b, M.channel == p.msg.channel.value, M.conversation_id == conv)
                .order_by(M.id.desc())
                .limit(1)
            ).first()
            if row is not None:
                case = self.case_by_id(row[0])
                if case is not None:
                    return Decision(case, "conversation", 1.0, {"conversation_id": conv})
        return None

    def decide(self, p: Prepared, customer_id: int) -> Decision:
        explicit = self.explicit_case(p, customer_id)
        candidates = self.candidates(customer_id, p.msg.received_at, p.brand.window)
        if explicit is not None and explicit.case is not None:
            case = explicit.case
            orders = p.features.orders
            if not case.is_open() and orders and case.orders and not orders & case.orders:
                # Replying to an old thread about another order: a new request.
                return Decision(
                    None,
                    "new_request",
                    1.0,
                    {"previous_case": case.id, "different_orders": sorted(orders)},
                )
            if case.is_open() or (
                case.status == "resolved"
                and case.resolved_at is not None
                and p.msg.received_at - case.resolved_at <= p.brand.window
            ):
                return explicit
            # Explicitly about a closed request: a new case that says so.
            return Decision(None, "follow_up_of_closed", 1.0, {"previous_case": case.id})
        return choose_case(candidates, p.features, p.brand.window)

    def new_case(self, p: Prepared, customer_id: int) -> CaseState:
        f = p.features
        inbound = f.direction == "inbound"
        state = CaseState(
            id=0,
            customer_id=customer_id,
            status="new" if inbound else "open",
            channel=f.channel,
            reason=f.reason or None,
            reason_confidence=f.reason_confidence,
            language=p.analysis.language,
            priority=p.analysis.urgency,
            orders=set(f.orders),
            keywords=set(f.keywords),
            conversations=set(),
            message_count=0,
            first_inbound_at=f.at if inbound else None,
            first_response_at=None,
            last_inbound_at=f.at if inbound else None,
            last_message_at=f.at,
            resolved_at=None,
            created_at=self.now,
            new_orders=set(f.orders),
        )
        state.id = case_id = self.conn.execute(
            insert(CASES)
            .values(
                brand_id=p.brand.id,
                customer_id=customer_id,
                status=state.status,
                channel=state.channel,
                subject=p.msg.subject or (p.msg.text or "")[:120] or None,
                reason=state.reason,
                language=state.language,
                priority=state.priority,
                order_numbers=sorted(state.orders),
                keywords=sorted(state.keywords)[:64],
                message_count=0,
                first_inbound_at=state.first_inbound_at,
                last_inbound_at=state.last_inbound_at,
                last_message_at=state.last_message_at,
                created_at=self.now,
                updated_at=self.now,
            )
            .returning(C.id)
        ).scalar_one()
        for order in state.orders:
            self.orders.setdefault((p.brand.id, order), customer_id)
        self.cases[case_id] = state
        self._conv_loaded.add(case_id)
        self.customer_cases.setdefault(customer_id, []).append(state)
        return state

    def apply(self, case: CaseState, p: Prepared) -> str | None:
        """Fold the message into the case state; returns an event kind if status changed."""
        f = p.features
        change = None
        case.message_count += 1
        if f.conversation:
            case.conversations.add(f.conversation)
        new_orders = f.orders - case.orders
        if new_orders:
            case.orders |= new_orders
            case.new_orders |= new_orders
            for order in new_orders:
                self.orders.setdefault((p.brand.id, order), case.customer_id)
        if len(case.keywords) < 64:
            case.keywords |= set(sorted(f.keywords)[: 64 - len(case.keywords)])
        if (not case.reason or case.reason == "other") and f.reason not in ("", "other"):
            case.reason, case.reason_confidence = f.reason, f.reason_confidence
        if case.language is None:
            case.language = p.analysis.language
        case.priority = max(case.priority, p.analysis.urgency)
        if case.last_message_at is None or f.at >= case.last_message_at:
            case.last_message_at = f.at
            case.last_channel = f.channel
        if f.direction == "inbound":
            if case.first_inbound_at is None or f.at < case.first_inbound_at:
                case.first_inbound_at = f.at
            if case.last_inbound_at is None or f.at > case.last_inbound_at:
                case.last_inbound_at = f.at
            if case.status in ("resolved", "closed", "pending"):
                change = "case.reopened" if case.status != "pending" else "case.customer_replied"
                case.status = "open"
                case.resolved_at = None
        else:
            if case.first_response_at is None and (
                case.first_inbound_at is None or f.at >= case.first_inbound_at
            ):
                case.first_response_at = f.at
            if case.status == "new":
                case.status = "open"
        case.dirty = True
        return change

    # ---- writes ---------------------------------------------------------------------
    def _event(self, p: Prepared, kind: str, **kw: Any) -> dict[str, Any]:
        return {
            "brand_id": p.brand.id,
            "kind": kind,
            "case_id": kw.get("case_id"),
            "customer_id": kw.get("customer_id"),
            "message_id": kw.get("message_id"),
            "actor": "system",
            "at": self.now,
            "data": kw.get("data", {}),
        }

    def flush(self) -> None:
        dirty = [c for c in self.cases.values() if c.dirty]
        if dirty:
            stmt = (
                update(CASES)
                .where(C.id == bindparam("_id"))
                .values(
                    status=bindparam("status"),
                    reason=bindparam("reason"),
                    language=bindparam("language"),
                    priority=bindparam("priority"),
                    order_numbers=bindparam("order_numbers"),
                    keywords=bindparam("keywords"),
                    message_count=bindparam("message_count"),
                    first_inbound_at=bindparam("first_inbound_at"),
                    first_response_at=bindparam("first_response_at"),
                    last_inbound_at=bindparam("last_inbound_at"),
                    last_message_at=bindparam("last_message_at"),
                    resolved_at=bindparam("resolved_at"),
                    updated_at=bindparam("updated_at"),
                )
            )
            self.conn.execute(
                stmt,
                [
                    {
                        "_id": c.id,
                        "status": c.status,
                        "reason": c.reason,
                        "language": c.language,
                        "priority": c.priority,
                        "order_numbers": sorted(c.orders),
                        "keywords": sorted(c.keywords),
                        "message_count": c.message_count,
                        "first_inbound_at": c.first_inbound_at,
                        "first_response_at": c.first_response_at,
                        "last_inbound_at": c.last_inbound_at,
                        "last_message_at": c.last_message_at,
                        "resolved_at": c.resolved_at,
                        "updated_at": self.now,
                    }
                    for c in dirty
                ],
            )
            for c in dirty:
                for value in sorted(c.new_orders):
                    self.references.append(
                        {
                            "brand_id": None,
                            "case_id": c.id,
                            "customer_id": c.customer_id,
                            "kind": "order",
                            "value": value,
                        }
                    )
                c.new_orders = set()
                c.dirty = False
        if self.references:
            brands = dict(
                self.conn.execute(
                    select(C.id, C.brand_id).where(
                        C.id.in_({r["case_id"] for r in self.references})
                    )
                ).all()
            )
            for r in self.references:
                r["brand_id"] = brands[r["case_id"]]
            self.conn.execute(insert(REFERENCES), self.references)
            self.references = []
        if self.events:
            self.conn.execute(insert(EVENTS), self.events)
            self.events = []

    def store(self, p: Prepared) -> IngestResult:
        b = p.brand.id
        key = (b, p.msg.channel.value, p.msg.external_id)
        found = self.existing.get(key)
        if found is not None:
            mid, cid, cust = found
            case = self.case_by_id(cid)
            ref_id = case.id if case is not None else cid
            return IngestResult(
                IngestStatus.duplicate,
                mid,
                ref_id,
                format_reference(p.brand.case_prefix, ref_id),
                cust,
            )
        customer_id, identity_evidence = self.resolve_customer(p)
        decision = self.decide(p, customer_id)
        created = decision.case is None
        case = decision.case if decision.case is not None else self.new_case(p, customer_id)
        change = self.apply(case, p)
        msg = p.msg
        detail = dict(decision.detail)
        detail["customer"] = identity_evidence
        party = msg.from_
        message_id = self.conn.execute(
            insert(MESSAGES)
            .values(
                brand_id=b,
                case_id=case.id,
                customer_id=customer_id,
                channel=msg.channel.value,
                direction=msg.direction.value,
                external_id=msg.external_id,
                conversation_id=msg.thread.conversation_id,
                in_reply_to=msg.thread.in_reply_to,
                references=msg.thread.references[-20:],
                author_name=party.name if party else None,
                subject=msg.subject,
                text=msg.text,
                html=msg.html,
                attachments=[a.model_dump() for a in msg.attachments],
                meta=msg.meta,
                entities=_entities_json(p.analysis),
                language=p.analysis.language,
                reason=p.features.reason or None,
                delivery_status="received",
                received_at=msg.received_at,
                created_at=self.now,
                link_rule=decision.rule,
                link_score=decision.score,
                link_detail=detail,
            )
            .returning(M.id)
        ).scalar_one()
        self.existing[key] = (message_id, case.id, customer_id)
        if created:
            self.events.append(
                self._event(
                    p,
                    "case.created",
                    case_id=case.id,
                    customer_id=customer_id,
                    message_id=message_id,
                    data={"rule": decision.rule},
                )
            )
        elif change:
            self.events.append(
                self._event(
                    p, change, case_id=case.id, customer_id=customer_id, message_id=message_id
                )
            )
        self.events.append(
            self._event(
                p,
                "message.received",
                case_id=case.id,
                customer_id=customer_id,
                message_id=message_id,
                data={
                    "channel": msg.channel.value,
                    "direction": msg.direction.value,
                    "rule": decision.rule,
                },
            )
        )
        return IngestResult(
            IngestStatus.created,
            message_id,
            case.id,
            format_reference(p.brand.case_prefix, case.id),
            customer_id,
            decision.rule,
        )


def _entities_json(a: Analysis) -> dict[str, Any]:
    e = a.entities
    out: dict[str, Any] = {}
    if e.order_numbers:
        out["order_numbers"] = list(e.order_numbers)
    if e.tracking_numbers:
        out["tracking_numbers"] = list(e.tracking_numbers)
    if e.emails:
        out["emails"] = list(e.emails)
    if e.phones:
        out["phones"] = list(e.phones)
    if e.amounts:
        out["amounts"] = [{"value": str(x.value), "currency": x.currency} for x in e.amounts]
    if e.delays:
        out["delays"] = list(e.delays)
    if a.signals:
        out["signals"] = list(a.signals)
    return out


def _chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _lock_keys(items: Sequence[Prepared]) -> list[str]:
    """Everything that can decide a message's customer: its identities, the ones written
    in its text, its order numbers."""
    names: set[str] = set()
    for p in items:
        names.update(f"{p.brand.id}:{k}:{v}" for k, v in (*p.identities, *p.revealed))
        names.update(f"{p.brand.id}:order:{o}" for o in p.features.orders)
    return sorted(names)


def ingest(
    db: Database,
    messages: Sequence[InboundMessage],
    *,
    batch_size: int = 500,
    default_window_days: int = 7,
    atomic: bool = False,
) -> list[IngestResult]:
    """Ingest validated messages; results are in input order.

    Messages of an unknown brand, or with an identity that cannot be normalised, come back
    ``invalid`` with the field and reason; they never stop the others. With ``atomic`` any
    invalid message raises :class:`InvalidBatch` before anything is written, and the
    whole batch is one transaction.
    """
    results: list[IngestResult | None] = [None] * len(messages)
    with db.engine.connect() as conn:
        brands = load_brands(conn, {m.brand for m in messages}, default_window_days)
        conn.rollback()
    prepared: list[Prepared] = []
    for i, msg in enumerate(messages):
        brand = brands.get(msg.brand)
        if brand is None:
            results[i] = IngestResult(
                IngestStatus.invalid,
                errors=[{"field": "brand", "reason": f"no brand named {msg.brand!r}"}],
            )
            continue
        try:
            prepared.append(prepare(i, msg, brand))
        except IdentityError as exc:
            results[i] = IngestResult(
                IngestStatus.invalid, errors=[{"field": exc.field, "reason": exc.reason}]
            )
    if atomic:
        if any(r is not None for r in results):
            raise InvalidBatch([r or IngestResult(IngestStatus.invalid) for r in results])
        batch_size = max(len(prepared), 1)
    for chunk in _chunks(prepared, batch_size):
        try:
            _run_batch(db, chunk, results)
        except (IntegrityError, DBAPIError):
            # A concurrent writer got there first (or a deadlock was broken): replay one
            # message per transaction; each sees what the other process committed.
            if atomic:
                _run_batch(db, chunk, results, retries=5)
                continue
            for p in chunk:
                _run_batch(db, [p], results, retries=5)
    return [r if r is not None else IngestResult(IngestStatus.invalid) for r in results]


def _run_batch(
    db: Database, chunk: Sequence[Prepared], results: list[IngestResult | None], retries: int = 0
) -> None:
    attempt = 0
    while True:
        try:
            out: list[tuple[int, IngestResult]] = []
            with db.write_engine.connect() as conn, conn.begin():
                if db.dialect == "postgresql":
                    lock_keys(conn, _lock_keys(chunk))
                batch = Batch(conn, utcnow())
                batch.prefetch(chunk)
                for p in chunk:
                    out.append((p.index, batch.store(p)))
                batch.flush()
            for index, result in out:
                results[index] = result
            return
        except (IntegrityError, DBAPIError):
            attempt += 1
            if attempt > retries:
                raise


def ingest_one(db: Database, message: InboundMessage) -> IngestResult:
    return ingest(db, [message])[0]


def healthcheck(conn: Connection) -> None:
    conn.execute(text("SELECT 1"))
