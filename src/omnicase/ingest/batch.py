"""One transaction of the pipeline: the decisions that need the store, and the writes.

Everything the decisions read is fetched once per batch (identities, duplicates, order
numbers, referenced messages, chat sessions, the customers' open and recent cases); the
decisions then run in memory, and every row is written at the end with one executemany
per table. Ids of new customers, cases and messages are taken up front (a PostgreSQL
sequence, or SQLite's max id under the writer lock), so nothing waits for a RETURNING.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Table,
    and_,
    bindparam,
    func,
    insert,
    or_,
    select,
    text,
    update,
)

from omnicase.ingest.contact_lookup import anonymous_chats, name_conditions, named_contacts
from omnicase.ingest.prepare import Prepared, entities_json
from omnicase.ingest.refer_back import (
    NAMED_WINDOW,
    EarlierContact,
    Match,
    find_earlier_contact,
    name_keys,
    name_tokens,
)
from omnicase.ingest.results import IngestResult, IngestStatus
from omnicase.ingest.threading import (
    CHANNEL_WORDS,
    CONFIDENT_REASON,
    OPEN,
    CaseState,
    Decision,
    choose_case,
    new_matter,
)
from omnicase.model import Case, CaseReference, Customer, Event, Identity, Message
from omnicase.services.customers import move_customer_rows
from omnicase.store.references import format_reference
from omnicase.understand import fold
from omnicase.understand.taxonomy import TRIAGE

CASES = cast(Table, Case.__table__)
MESSAGES = cast(Table, Message.__table__)
IDENTITIES = cast(Table, Identity.__table__)
CUSTOMERS = cast(Table, Customer.__table__)
EVENTS = cast(Table, Event.__table__)
REFERENCES = cast(Table, CaseReference.__table__)
C = CASES.c
M = MESSAGES.c
I = IDENTITIES.c  # noqa: E741
R = REFERENCES.c
CU = CUSTOMERS.c

#: Identity kinds by how strongly they designate one person.
IDENTITY_STRENGTH = ("email", "phone", "whatsapp", "messenger", "instagram", "x", "chat")

#: Chat sessions are one conversation each; Meta/X DM "conversations" last forever and
#: are only evidence, not a thread (see ingest.threading).
SESSION_CHANNELS = frozenset({"chat"})

CHUNK = 400

UPDATE_CASE = (
    update(CASES)
    .where(C.id == bindparam("_id"))
    .values(
        status=bindparam("status"),
        reason=bindparam("reason"),
        reason_confidence=bindparam("reason_confidence"),
        language=bindparam("language"),
        priority=bindparam("priority"),
        signals=bindparam("signals"),
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


def _group(pairs_by_brand: dict[int, set[tuple[str, str]]]) -> dict[tuple[int, str], set[str]]:
    """{brand: {(kind, value)}} → {(brand, kind): {value}}."""
    out: dict[tuple[int, str], set[str]] = {}
    for brand, pairs in pairs_by_brand.items():
        for kind, value in pairs:
            out.setdefault((brand, kind), set()).add(value)
    return out


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class IdAllocator:
    """Primary keys taken before the rows are written.

    PostgreSQL: blocks from the table's own sequence (safe across processes). SQLite: the
    current max id, incremented in memory; safe because the batch holds the writer lock
    (BEGIN IMMEDIATE) from its first statement to its commit.
    """

    def __init__(self, conn: Connection, block: int = 256) -> None:
        self.conn = conn
        self.block = max(1, min(block, 1000))
        self.postgres = conn.dialect.name == "postgresql"
        self.free: dict[str, list[int]] = {}
        self.next: dict[str, int] = {}

    def take(self, table: str) -> int:
        if not self.postgres:
            if table not in self.next:
                current = self.conn.execute(text(f"SELECT max(id) FROM {table}")).scalar()
                self.next[table] = int(current or 0) + 1
            value = self.next[table]
            self.next[table] = value + 1
            return value
        free = self.free.setdefault(table, [])
        if not free:
            rows = self.conn.execute(
                text(
                    "SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"
                ),
                {"t": table, "n": self.block},
            )
            free.extend(sorted((int(r[0]) for r in rows), reverse=True))
        return free.pop()


@dataclass(slots=True)
class PendingMessage:
    row: dict[str, Any]
    case: CaseState


class Batch:
    """Caches, decisions and pending writes of one transaction of the pipeline."""

    def __init__(self, conn: Connection, now: datetime, size: int = 256) -> None:
        self.conn = conn
        self.now = now
        self.ids = IdAllocator(conn, block=size)
        #: (brand, kind, value) → customer
        self.identities: dict[tuple[int, str, str], int] = {}
        #: (brand, order number) → customer whose case carries it
        self.orders: dict[tuple[int, str], int] = {}
        #: (brand, channel, external id) → (message id, case id, customer id)
        self.existing: dict[tuple[int, str, str], tuple[int, int, int]] = {}
        #: (brand, channel, external id) of stored messages referenced by this batch → case
        self.referenced: dict[tuple[int, str, str], int] = {}
        #: (brand, channel, conversation id) of chat sessions → case
        self.sessions: dict[tuple[int, str, str], int] = {}
        self.customer_cases: dict[int, list[CaseState]] = {}
        self.cases: dict[int, CaseState] = {}
        self.new_customers: list[dict[str, Any]] = []
        self.new_identities: list[dict[str, Any]] = []
        self.new_cases: dict[int, dict[str, Any]] = {}
        self.new_messages: list[PendingMessage] = []
        self.references: list[dict[str, Any]] = []
        self.events: list[dict[str, Any]] = []
        #: (case, into): cases of only content-less contacts that the request the customer
        #: then explained absorbs, merged once the batch is written (see :meth:`absorbable`).
        self.absorb: list[tuple[int, int]] = []
        #: for routing, once the batch is written: cases created, and existing cases whose
        #: reason changed (they may move queue)
        self.created_cases: list[int] = []
        self.reason_changed: set[int] = set()
        self.reopened: set[int] = set()

    # ---- reads, once per batch ---------------------------------------------------------
    def prefetch(self, items: Sequence[Prepared]) -> None:
        idents: dict[int, set[tuple[str, str]]] = {}
        keys: dict[int, set[tuple[str, str]]] = {}
        orders: dict[int, set[str]] = {}
        refs: dict[int, set[tuple[str, str]]] = {}
        convs: dict[int, set[tuple[str, str]]] = {}
        earliest: datetime | None = None
        window = timedelta(0)
        long_window = timedelta(0)
        chasers: set[tuple[int, str, str]] = set()  # identities/orders of follow-ups
        for p in items:
            b = p.brand.id
            idents.setdefault(b, set()).update(p.identities, p.revealed)
            keys.setdefault(b, set()).add((p.msg.channel.value, p.msg.external_id))
            orders.setdefault(b, set()).update(p.features.orders)
            refs.setdefault(b, set()).update((p.msg.channel.value, r) for r in p.references[-50:])
            conv = p.msg.thread.conversation_id
            if conv and p.msg.channel.value in SESSION_CHANNELS:
                convs.setdefault(b, set()).add((p.msg.channel.value, conv))
            if earliest is None or p.msg.received_at < earliest:
                earliest = p.msg.received_at
            window = max(window, p.brand.window.span)
            # a chase, or a report on what the agent did, may continue a request resolved
            # longer ago (threading._continues)
            if p.features.follow_up or p.features.reports_back:
                long_window = max(long_window, p.brand.reply_window.span)
                chasers.update((b, *pair) for pair in (*p.identities, *p.revealed))
                chasers.update((b, "order", o) for o in p.features.orders)
        # One IN list per (brand, kind/channel): each lookup then walks the unique index
        # (SQLite does not use an index for a row-value IN over two columns).
        for (b, kind), values in _group(idents).items():
            for part in chunks(sorted(values)):
                for value, cust in self.conn.execute(
                    select(I.value, I.customer_id).where(
                        I.brand_id == b, I.kind == kind, I.value.in_(part)
                    )
                ):
                    self.identities[(b, kind, value)] = cust
        for (b, channel), values in _group(keys).items():
            for part in chunks(sorted(values)):
                for ext_id, mid, cid, cust in self.conn.execute(
                    select(M.external_id, M.id, M.case_id, M.customer_id).where(
                        M.brand_id == b, M.channel == channel, M.external_id.in_(part)
                    )
                ):
                    self.existing[(b, channel, ext_id)] = (mid, cid, cust)
        for b, values in orders.items():
            for part in chunks(sorted(values)):
                for value, cust in self.conn.execute(
                    select(R.value, func.min(R.customer_id))
                    .where(R.brand_id == b, R.kind == "order", R.value.in_(part))
                    .group_by(R.value)
                ):
                    self.orders[(b, value)] = cust
        for (b, channel), values in _group(refs).items():
            for part in chunks(sorted(values)):
                for ext_id, cid in self.conn.execute(
                    select(M.external_id, M.case_id).where(
                        M.brand_id == b, M.channel == channel, M.external_id.in_(part)
                    )
                ):
                    self.referenced[(b, channel, ext_id)] = cid
        for (b, channel), values in _group(convs).items():
            for part in chunks(sorted(values)):
                for conv, cid in self.conn.execute(
                    select(M.conversation_id, func.max(M.case_id))
                    .where(M.brand_id == b, M.channel == channel, M.conversation_id.in_(part))
                    .group_by(M.conversation_id)
                ):
                    self.sessions[(b, channel, conv)] = cid
        customers = set(self.identities.values()) | set(self.orders.values())
        if customers and earliest is not None:
            # Resolved cases back to the reply window only for the senders of follow-ups.
            long = {c for key, c in self.identities.items() if key in chasers} | {
                c for (b, o), c in self.orders.items() if (b, "order", o) in chasers
            }
            if long and long_window > window:
                self._load_cases(sorted(long), earliest - long_window)
            rest = customers - long
            if rest:
                self._load_cases(sorted(rest), earliest - window)

    def _load_cases(self, customer_ids: Sequence[int], resolved_after: datetime) -> None:
        """Open and recently resolved cases of these customers, with their conversations."""
        for part in chunks(customer_ids):
            rows = self.conn.execute(
                select(CASES).where(
                    C.customer_id.in_(part),
                    C.merged_into_id.is_(None),
                    or_(
                        C.status.in_(sorted(OPEN)),
                        and_(C.status == "resolved", C.resolved_at >= resolved_after),
                    ),
                )
            ).mappings()
            states = [self._state(row) for row in rows]
            for cid in part:
                self.customer_cases.setdefault(cid, [])
            for state in states:
                self.customer_cases[state.customer_id].append(state)
            self._load_details(states)

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
            reason_confidence=(
                row["reason_confidence"]
                if row["reason_confidence"] is not None
                else (1.0 if row["reason"] else 0.0)
            ),
            language=row["language"],
            priority=row["priority"],
            signals=list(row["signals"] or ()),
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

    def _load_details(self, states: Sequence[CaseState]) -> None:
        """Conversations, reasons seen and the last channel of each case."""
        if not states:
            return
        by_id = {s.id: s for s in states}
        latest: dict[int, datetime] = {}
        for part in chunks(sorted(by_id)):
            rows = self.conn.execute(
                select(
                    M.case_id,
                    M.channel,
                    M.conversation_id,
                    M.reason,
                    M.direction,
                    func.max(M.received_at),
                )
                .where(M.case_id.in_(part))
                .group_by(M.case_id, M.channel, M.conversation_id, M.reason, M.direction)
            )
            for case_id, channel, conv, reason, direction, last in rows:
                state = by_id[case_id]
                state.channels.add(channel)
                if direction == "inbound" and reason not in (None, "", "other"):
                    state.substantive = True
                if conv is not None:
                    state.conversations.add(f"{channel}:{conv}")
                if reason and reason != "other":
                    state.reasons.add(reason)
                if last is not None and (case_id not in latest or last > latest[case_id]):
                    latest[case_id] = last
                    state.last_channel = channel
                    state.last_direction = direction

    def case_by_id(self, case_id: int) -> CaseState | None:
        """A case by id, following merge redirects (loop-safe)."""
        state = self._raw_case(case_id)
        seen = set()
        while state is not None and state.merged_into_id is not None and state.id not in seen:
            seen.add(state.id)
            target = self._raw_case(state.merged_into_id)
            if target is None:
                break
            state = target
        return state

    def _raw_case(self, case_id: int) -> CaseState | None:
        if case_id in self.cases:
            return self.cases[case_id]
        row = self.conn.execute(select(CASES).where(C.id == case_id)).mappings().first()
        if row is None:
            return None
        state = self._state(row)
        self._load_details([state])
        return state

    # ---- customers ---------------------------------------------------------------------
    def resolve_customer(
        self, p: Prepared, message_id: int | None = None
    ) -> tuple[int, list[dict[str, Any]]]:
        """Find or create the customer; link new identities with their evidence.

        Evidence, strongest first: the channel's own identities, an email/phone written in
        the text, an order number already on one of the brand's cases. When it points to
        several customers of the brand they are one person: the newer records are merged
        into the oldest, and the rule that showed it is recorded.
        """
        b = p.brand.id
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
        evidence: list[dict[str, Any]] = []
        earlier = None
        if (
            p.refers_back
            and (p.sender_name or p.features.refers_to)
            and self._unseen_reference(p, {cid for cid, _ in found})
        ):
            earlier = self.earlier_contact(p, {cid for cid, _ in found})
            if earlier is None and p.relative and p.features.refers_to:
                # "Ma fille Elsa vous a écrit sur WhatsApp": her contact, named by her
                earlier = self.earlier_contact(p, {cid for cid, _ in found}, p.relative)
            if earlier is not None:
                found.append((earlier.contact.customer_id, earlier.rule))
        if found and p.introduced:
            self._name_if_unnamed(min(cid for cid, _ in found), p.introduced)
        if found:
            rules: dict[int, str] = {}
            for cid, rule in found:
                rules.setdefault(cid, rule)
            customer_id = min(rules)
            evidence.append({"rule": rules[customer_id]})
            if earlier is not None:
                evidence[-1].update(
                    score=earlier.score,
                    earlier_case=earlier.contact.case_id,
                    channels=sorted(p.features.refers_to),
                )
            for other in sorted(set(rules) - {customer_id}):
                self._merge_customers(p, customer_id, other, rules[other])
                evidence.append(
                    {"rule": "merged_customer", "merged": other, "because": rules[other]}
                )
        else:
            customer_id = self.ids.take("customers")
            name = _fuller(p.display_name, p.introduced)
            first_key, last_key = name_keys(name)
            self.new_customers.append(
                {
                    "id": customer_id,
                    "brand_id": b,
                    "name": name,
                    "name_first": first_key,
                    "name_last": last_key,
                    "merged_into_id": None,
                    "created_at": self.now,
                }
            )
            self.customer_cases[customer_id] = []
            self.events.append(self._event(p, "customer.created", customer_id=customer_id))
            evidence.append({"rule": "new_customer"})
        linked = [(pair, "channel_identity", 1.0) for pair in p.identities if owners[pair] is None]
        linked += [
            (pair, "revealed_in_text", 0.9) for pair in p.revealed if pair not in revealed_known
        ]
        for (kind, value), rule, score in linked:
            self.identities[(b, kind, value)] = customer_id
            self.new_identities.append(
                {
                    "brand_id": b,
                    "customer_id": customer_id,
                    "kind": kind,
                    "value": value,
                    "rule": rule,
                    "score": score,
                    "source_message_id": message_id,
                    "created_at": self.now,
                }
            )
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

    def _pending_contacts(
        self, p: Prepared, known_sender: bool, sender: tuple[str, ...]
    ) -> list[Any]:
        """The same look-up over the customers this batch created and has not written yet
        (a contact earlier in the same batch), so a batch decides as single messages do."""
        if not self.new_customers:
            return []
        at = p.msg.received_at
        keys = {t[:64] for t in sender[1:] if len(t) >= 3} if sender else set()
        keys |= {t[0] for t in keys}
        first = sender[0][:64] if sender else ""
        rows: list[Any] = []
        for row in self.new_customers:
            if row["merged_into_id"] is not None:
                continue
            named = row["name"] is not None and (
                row["name_last"] in keys
                or row["name_first"] in keys
                or (len(first) >= 3 and row["name_first"] == first)
                or (
                    len(first) >= 4
                    and row["name_first"] is not None
                    and (first.startswith(row["name_first"]) or row["name_first"].startswith(first))
                )
            )
            named = named or (
                row["name"] is not None
                and (
                    fold(row["name"]).lstrip("@") in p.handles
                    or (
                        len(first) >= 4
                        and row["name_first"] is not None
                        and row["name_first"].startswith(first[:3])
                        and row["name_last"] is not None
                        and row["name_last"][:1] in {t[0] for t in keys}
                    )
                )
            )
            anonymous = row["name"] is None and "chat" in p.features.refers_to and not known_sender
            if not (named or anonymous):
                continue
            for case in self.customer_cases.get(row["id"], ()):
                last = case.last_message_at
                if (
                    case.merged_into_id is None
                    and last is not None
                    and at - NAMED_WINDOW <= last <= at
                    and (named or case.channel == "chat")
                ):
                    rows.append(
                        (case.id, row["id"], case.channel, case.keywords, last, row["name"])
                    )
        return rows

    def _name_if_unnamed(self, customer_id: int, name: str) -> None:
        """A record created by a missed call gets the name its voicemail gives."""
        first, last = name_keys(name)
        for row in self.new_customers:
            if row["id"] == customer_id:
                if not row["name"]:
                    row.update(name=name, name_first=first, name_last=last)
                return
        self.conn.execute(
            update(CUSTOMERS)
            .where(CU.id == customer_id, CU.name.is_(None))
            .values(name=name, name_first=first, name_last=last)
        )

    def _unseen_reference(self, p: Prepared, customers: set[int]) -> bool:
        """Worth looking for the earlier contact the message refers to: nobody knows the
        sender, or their known record has no recent case on the channel they name (the
        WhatsApp number that says "I emailed you last night" is new to us)."""
        if not customers:
            return True
        if not p.features.refers_to or not p.sender_name:
            return False
        for cid in customers:
            for case in self.candidates(cid):
                if p.features.refers_to & (case.channels | {case.channel}):
                    return False
        return True

    def earlier_contact(
        self, p: Prepared, known: set[int] | None = None, look_for: tuple[str, ...] | None = None
    ) -> Match | None:
        """The earlier contact a message refers back to: the brand's recent cases whose
        customer bears the sender's name (through the name-key indexes) or, for an unknown
        sender, an anonymous web chat, plus what this batch has not written yet; judged by
        :func:`refer_back.find_earlier_contact`. ``known``: the sender's own records.
        ``look_for``: this name instead of the sender's (a relative's)."""
        at = p.msg.received_at
        sender = p.sender_name if look_for is None else look_for
        sender_handle = p.sender_handle and look_for is None
        b = p.brand.id
        known = known or set()
        known_sender = bool(known)
        handles = p.handles
        if (
            known_sender
            and look_for is None
            and not handles
            and not any(len(t) >= 3 for t in sender[1:])
        ):
            return None  # joining two known records takes a full name: none to look for
        rows: list[Any] = []
        names = name_conditions(sender, sender_handle, handles)
        if names is not None:
            # customers by the indexed name keys and their recent cases in one statement,
            # then those opened by this batch and not written yet
            people, rows = named_contacts(self.conn, b, names, at, NAMED_WINDOW)
            if people:
                for case_id in self.new_cases:
                    case = self.cases[case_id]
                    if case.customer_id in people and case.last_message_at is not None:
                        rows.append(
                            (
                                case.id,
                                case.customer_id,
                                case.channel,
                                case.keywords,
                                case.last_message_at,
                                people[case.customer_id],
                            )
                        )
        if "chat" in p.features.refers_to and not known_sender:  # anonymous chats: unknown senders
            rows += anonymous_chats(self.conn, b, at, NAMED_WINDOW)
        rows += self._pending_contacts(p, known_sender, sender)
        if not rows:
            return None
        contacts = []
        for case_id, customer_id, channel, keywords, last, name in rows:
            if customer_id in known:
                continue  # the sender's own record is not the earlier contact
            # This batch may already have moved the case on since it was stored.
            state = self.cases.get(case_id)
            channels = {channel}
            if state is not None:
                keywords, last = state.keywords, state.last_message_at or last
                channels.add(state.last_channel or channel)
            contacts.append(
                EarlierContact(
                    case_id=case_id,
                    customer_id=customer_id,
                    customer_name=name,
                    channels=frozenset(channels),
                    keywords=frozenset(keywords or ()),
                    last_message_at=last,
                )
            )
        return find_earlier_contact(
            sender,
            p.features.refers_to,
            p.features.keywords,
            at,
            contacts,
            sender_handle,
            # a relative named as the one who wrote is the evidence a full name would be
            known_sender and look_for is None,
            handles,
        )

    def _merge_customers(self, p: Prepared, keep: int, drop: int, rule: str) -> None:
        """The pipeline found that two customer records are one person."""
        # Read both customers' cases before they change owner (the kept one may be known
        # only from an order number or an earlier contact, never prefetched).
        unread = [c for c in (keep, drop) if c not in self.customer_cases]
        if unread:
            self._load_cases(unread, self.now - timedelta(days=3650))
        moved = move_customer_rows(self.conn, drop, keep)
        for ikey, owner in self.identities.items():
            if owner == drop:
                self.identities[ikey] = keep
        for okey, owner in self.orders.items():
            if owner == drop:
                self.orders[okey] = keep
        for row in self.new_customers:
            if row["id"] == drop:
                row["merged_into_id"] = keep
        for rows in (self.new_identities, self.references):
            for row in rows:
                if row["customer_id"] == drop:
                    row["customer_id"] = keep
        for pending in self.new_messages:
            if pending.row["customer_id"] == drop:
                pending.row["customer_id"] = keep
        for case_row in self.new_cases.values():
            if case_row["customer_id"] == drop:
                case_row["customer_id"] = keep
        dropped = self.customer_cases.pop(drop, [])
        for state in dropped:
            state.customer_id = keep
        self.customer_cases.setdefault(keep, []).extend(
            s for s in dropped if s not in self.customer_cases.get(keep, [])
        )
        self.events.append(
            self._event(
                p,
                "customer.merged",
                customer_id=keep,
                data={"source": drop, "rule": rule, "moved": moved},
            )
        )

    # ---- cases -------------------------------------------------------------------------
    def absorbable(self, p: Prepared, case: CaseState) -> list[CaseState]:
        """Open cases of this customer made only of content-less contacts ("allo ?", "?",
        a missed call) on this message's channel in the last 24 hours, when the message
        says what the request is and goes to another case: those contacts were this
        request's first attempts (the WhatsApp number that wrote "allo ?" turns out to be
        the customer who emailed last night)."""
        f = p.features
        if f.direction != "inbound" or f.contentless or f.new_topic:
            return []
        out = []
        for other in self.customer_cases.get(case.customer_id, ()):
            if (
                other is not case
                and other.is_open()
                and other.merged_into_id is None
                and not other.substantive
                and not other.orders
                and other.channel == f.channel
                and other.last_message_at is not None
                and timedelta(0) <= f.at - other.last_message_at <= timedelta(hours=24)
            ):
                out.append(other)
        return out

    def candidates(self, customer_id: int) -> list[CaseState]:
        cached = self.customer_cases.get(customer_id)
        if cached is None:
            self._load_cases([customer_id], self.now - timedelta(days=3650))
            cached = self.customer_cases.setdefault(customer_id, [])
        return cached

    def explicit_case(self, p: Prepared, customer_id: int) -> Decision | None:
        """Mail headers, our case reference, or a chat session name the case outright."""
        b = p.brand.id
        channel = p.msg.channel.value
        for ref in reversed(p.references[-50:]):
            case_id = self.referenced.get((b, channel, ref))
            if case_id is not None and (case := self.case_by_id(case_id)) is not None:
                return Decision(case, "reply_header", 1.0, {"header": ref})
        body = " ".join(x for x in (p.msg.subject, p.msg.text) if x)
        for match in p.brand.reference_re.finditer(body):
            case = self.case_by_id(int(match.group(1)))
            if case is not None and case.customer_id == customer_id:
                return Decision(case, "case_reference", 1.0, {"reference": match.group(0)})
        conv = p.msg.thread.conversation_id
        if conv and channel in SESSION_CHANNELS:
            case_id = self.sessions.get((b, channel, conv))
            if case_id is not None and (case := self.case_by_id(case_id)) is not None:
                return Decision(case, "conversation", 1.0, {"conversation_id": conv})
        return None

    def decide(self, p: Prepared, customer_id: int) -> Decision:
        explicit = self.explicit_case(p, customer_id)
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
            if not case.is_open() and new_matter(case, p.features):
                return Decision(
                    None, "new_request", 1.0, {"previous_case": case.id, "new_matter": True}
                )
            if not case.is_open() and p.features.new_topic:
                # "Rien à voir avec la robe": the old thread is only a convenient address.
                return Decision(
                    None, "new_request", 1.0, {"previous_case": case.id, "new_topic": True}
                )
            if case.is_open() and _second_request(case, p):
                # "Also, while I have you: I was charged twice for another order" in the
                # same chat session or mail thread: a request of its own from here on.
                return Decision(
                    None,
                    "new_request",
                    1.0,
                    {"same_thread_as": case.id, "new_topic": True, "rule_was": explicit.rule},
                )
            if case.is_open() or (
                case.status == "resolved"
                and case.resolved_at is not None
                and p.brand.reply_window.allows(case.resolved_at, p.msg.received_at)
            ):
                other = self._about_another_case(p, case, customer_id)
                if explicit.rule == "reply_header" and other is not None:
                    # "the parka turned up after all", sent on the jeans' thread
                    return Decision(other, "words_of_another_case", 0.8, {"thread_of": case.id})
                return explicit
            # Explicitly about a closed request: a new case that says so.
            return Decision(None, "follow_up_of_closed", 1.0, {"previous_case": case.id})
        return choose_case(
            self.candidates(customer_id), p.features, p.brand.window, p.brand.reply_window
        )

    def _about_another_case(
        self, p: Prepared, thread_case: CaseState, customer_id: int
    ) -> CaseState | None:
        """An open case of the customer that the reply's words are about (two content
        words or its order) when they share nothing with the thread's own case."""
        f = p.features
        words = f.keywords - CHANNEL_WORDS
        if f.direction != "inbound" or not words or f.orders & thread_case.orders:
            return None
        on_thread = len(words & thread_case.keywords)
        fits = [
            c
            for c in self.candidates(customer_id)
            if c is not thread_case
            and c.is_open()
            and c.merged_into_id is None
            and (
                f.orders & c.orders
                # clearly more of the other case's words than of the thread's own
                or len(words & c.keywords) >= max(2, 2 * on_thread + 1)
            )
        ]
        return fits[0] if len(fits) == 1 else None

    def new_case(self, p: Prepared, customer_id: int) -> CaseState:
        f = p.features
        inbound = f.direction == "inbound"
        state = CaseState(
            id=self.ids.take("cases"),
            customer_id=customer_id,
            status="new" if inbound else "open",
            channel=f.channel,
            reason=(TRIAGE if p.triage else p.case_reason) or None,
            reason_confidence=p.case_confidence,
            language=p.analysis.language,
            priority=p.analysis.urgency,
            signals=[],
            orders=set(),
            keywords=set(),
            conversations=set(),
            message_count=0,
            first_inbound_at=None,
            first_response_at=None,
            last_inbound_at=None,
            last_message_at=None,
            resolved_at=None,
            created_at=self.now,
        )
        self.new_cases[state.id] = {
            "id": state.id,
            "brand_id": p.brand.id,
            "customer_id": customer_id,
            "channel": f.channel,
            "subject": (p.msg.subject or (p.msg.text or "")[:120] or None),
            "queue": None,
            "team_id": None,
            "assignee_id": None,
            "closed_at": None,
            "merged_into_id": None,
            "created_at": self.now,
        }
        self.cases[state.id] = state
        self.customer_cases.setdefault(customer_id, []).append(state)
        self.created_cases.append(state.id)
        return state

    def apply(self, case: CaseState, p: Prepared) -> str | None:
        """Fold the message into the case; returns an event kind if the status changed."""
        f = p.features
        change = None
        case.message_count += 1
        case.channels.add(f.channel)
        if f.direction == "inbound" and (f.orders or f.reason not in ("", "other")):
            case.substantive = True
        if f.conversation:
            case.conversations.add(f.conversation)
        if f.channel in SESSION_CHANNELS and p.msg.thread.conversation_id:
            self.sessions[(p.brand.id, f.channel, p.msg.thread.conversation_id)] = case.id
        new_orders = f.orders - case.orders
        if new_orders:
            case.orders |= new_orders
            case.new_orders |= new_orders
            for order in new_orders:
                self.orders.setdefault((p.brand.id, order), case.customer_id)
        if len(case.keywords) < 64:
            case.keywords |= set(sorted(f.keywords)[: 64 - len(case.keywords)])
        if f.reason not in ("", "other") and f.reason_confidence >= CONFIDENT_REASON:
            case.reasons.add(f.reason)
        if (
            (not case.reason or case.reason in ("other", TRIAGE))
            and p.case_reason not in ("", "other")
            # the customer's words say what the request is; an agent's only when the
            # agent spoke first (an outbound call)
            and (f.direction == "inbound" or case.first_inbound_at is None)
            # a guess the model is unsure of never replaces "to triage"
            and not (p.triage and case.reason == TRIAGE)
        ):
            reason = TRIAGE if p.triage else p.case_reason
            if case.reason != reason and case.id not in self.new_cases:
                self.reason_changed.add(case.id)
            case.reason, case.reason_confidence = reason, p.case_confidence
        if case.language is None:
            case.language = p.analysis.language
        case.priority = max(case.priority, p.analysis.urgency)
        if f.direction == "inbound":
            case.signals.extend(s for s in p.analysis.signals if s not in case.signals)
        if case.last_message_at is None or f.at >= case.last_message_at:
            case.last_message_at = f.at
            case.last_channel = f.channel
            case.last_direction = f.direction
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

    # ---- one message ---------------------------------------------------------------------
    def store(self, p: Prepared) -> IngestResult:
        b = p.brand.id
        msg = p.msg
        key = (b, msg.channel.value, msg.external_id)
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
        message_id = self.ids.take("messages")
        customer_id, identity_evidence = self.resolve_customer(p, message_id)
        decision = self.decide(p, customer_id)
        created = decision.case is None
        case = decision.case if decision.case is not None else self.new_case(p, customer_id)
        for empty in self.absorbable(p, case):
            self.absorb.append((empty.id, case.id))
            empty.merged_into_id = case.id  # this batch's later messages follow it too
        change = self.apply(case, p)
        party = msg.from_
        self.new_messages.append(
            PendingMessage(
                {
                    "id": message_id,
                    "brand_id": b,
                    "case_id": case.id,
                    "customer_id": customer_id,
                    "channel": msg.channel.value,
                    "direction": msg.direction.value,
                    "external_id": msg.external_id,
                    "conversation_id": msg.thread.conversation_id,
                    "in_reply_to": msg.thread.in_reply_to,
                    "references": msg.thread.references[-20:],
                    "author_user_id": None,
                    "author_name": party.name if party else None,
                    "subject": msg.subject,
                    "text": msg.text,
                    "html": msg.html,
                    "attachments": [a.model_dump() for a in msg.attachments],
                    "meta": msg.meta,
                    "entities": entities_json(p.analysis),
                    "language": p.analysis.language,
                    "reason": p.features.reason or None,
                    "delivery_status": "received",
                    "received_at": msg.received_at,
                    "created_at": self.now,
                    "link_rule": decision.rule,
                    "link_score": decision.score,
                    "link_detail": {
                        **decision.detail,
                        "customer": identity_evidence,
                        **({"ignored_identities": p.ignored} if p.ignored else {}),
                    },
                },
                case,
            )
        )
        self.existing[key] = (message_id, case.id, customer_id)
        self.referenced[(b, msg.channel.value, msg.external_id)] = case.id
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
            if change == "case.reopened":
                self.reopened.add(case.id)
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

    # ---- writes, once per batch --------------------------------------------------------
    def flush(self) -> None:
        """Write everything decided, parents before children."""
        conn = self.conn
        if self.new_customers:
            conn.execute(insert(CUSTOMERS), self.new_customers)
        if self.new_identities:
            conn.execute(insert(IDENTITIES), self.new_identities)
        new_rows = []
        updates = []
        for state in self.cases.values():
            if not state.dirty:
                continue
            values = _case_values(state, self.now)
            row = self.new_cases.get(state.id)
            if row is not None:
                row.update(values)
                row["customer_id"] = state.customer_id
                new_rows.append(row)
            else:
                updates.append({"_id": state.id, **values})
            for value in sorted(state.new_orders):
                self.references.append(
                    {
                        "brand_id": None,
                        "case_id": state.id,
                        "customer_id": state.customer_id,
                        "kind": "order",
                        "value": value,
                    }
                )
            state.new_orders = set()
            state.dirty = False
        if new_rows:
            conn.execute(insert(CASES), new_rows)
        if updates:
            conn.execute(UPDATE_CASE, updates)
        if self.new_messages:
            conn.execute(insert(MESSAGES), [pm.row for pm in self.new_messages])
        if self.references:
            brand_of = {pm.case.id: pm.row["brand_id"] for pm in self.new_messages}
            for ref in self.references:
                ref["brand_id"] = brand_of[ref["case_id"]]
            conn.execute(insert(REFERENCES), self.references)
        if self.events:
            conn.execute(insert(EVENTS), self.events)
        self.new_customers, self.new_identities, self.new_messages = [], [], []
        self.new_cases, self.references, self.events = {}, [], []


def _fuller(display: str | None, introduced: str | None) -> str | None:
    """The channel's name, unless the text gives a fuller one for the same first name."""
    if introduced is None:
        return display
    if display is None:
        return introduced
    shown, said = name_tokens(display), name_tokens(introduced)
    if len(said) > len(shown) and shown and said[0].startswith(shown[0][:3]):
        return introduced
    return display


def _second_request(case: CaseState, p: Prepared) -> bool:
    """The customer announces another topic and names another order or a confidently
    different reason: "also" alone often adds detail to the same request."""
    f = p.features
    if f.direction != "inbound" or not f.new_topic:
        return False
    if case.orders and f.orders - case.orders:
        return True  # another order than the thread's own (whose number a subject repeats)
    known = f.reason not in ("", "other") and f.reason_confidence >= CONFIDENT_REASON
    seen = case.reasons | ({case.reason} if case.reason else set())
    return known and bool(seen - {"other"}) and f.reason not in seen


def _case_values(state: CaseState, now: datetime) -> dict[str, Any]:
    return {
        "status": state.status,
        "reason": state.reason,
        "reason_confidence": state.reason_confidence if state.reason else None,
        "language": state.language,
        "priority": state.priority,
        "signals": list(state.signals),
        "order_numbers": sorted(state.orders),
        "keywords": sorted(state.keywords)[:64],
        "message_count": state.message_count,
        "first_inbound_at": state.first_inbound_at,
        "first_response_at": state.first_response_at,
        "last_inbound_at": state.last_inbound_at,
        "last_message_at": state.last_message_at,
        "resolved_at": state.resolved_at,
        "updated_at": now,
    }
