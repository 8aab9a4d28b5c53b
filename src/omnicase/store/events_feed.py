"""Reading the event log as a live feed: what a user may see, and up to which id it is final.

Streams read new events from the ``events`` table by id (never from a notification's
payload), so a missed wake-up delays an event but never loses it. Two rules:

* **Scope**: only case events (``case.*``, ``message.*``, ``sla.*``) are streamed, and only
  those whose case passes :func:`omnicase.store.scope.case_filter`, evaluated at each read (an
  engagement that ends stops the stream's events at once). Audit entries (``access.*``),
  customer and job events are not streamed.
* **Horizon**: on PostgreSQL ids are drawn at insert but become visible at commit, so a
  slow transaction can commit id 10 after id 11 was read. :class:`Horizon` only lets a
  stream read up to an id once every transaction that could still hold a smaller one has
  ended (see ``docs/architecture.md``, Live events). On SQLite writers are serialised
  (``BEGIN IMMEDIATE``), so the visible maximum is final.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from omnicase.model import Case, Event, Message, Organisation
from omnicase.store.references import format_reference
from omnicase.store.scope import Principal, case_filter

STREAMED_PREFIXES = ("case.", "message.", "sla.")


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """One streamed event: ids only, never message text or a customer's identities."""

    id: int
    kind: str
    brand: str
    case_id: int
    case: str
    message_id: int | None
    channel: str
    at: datetime

    def payload(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "brand": self.brand,
            "case_id": self.case_id,
            "case": self.case,
            "message_id": self.message_id,
            "channel": self.channel,
            "at": self.at.isoformat(),
        }


def read_events(
    session: Session, who: Principal, after: int, upto: int, limit: int = 500
) -> list[LiveEvent]:
    """Events ``after < id <= upto`` that ``who`` may see, oldest first."""
    if upto <= after:
        return []
    stmt = (
        select(
            Event.id,
            Event.kind,
            Organisation.slug,
            Organisation.case_prefix,
            Case.id,
            Event.message_id,
            func.coalesce(Message.channel, Case.channel),
            Event.at,
        )
        .join(Case, Case.id == Event.case_id)
        .join(Organisation, Organisation.id == Case.brand_id)
        .outerjoin(Message, Message.id == Event.message_id)
        .where(
            Event.id > after,
            Event.id <= upto,
            or_(*(Event.kind.startswith(p) for p in STREAMED_PREFIXES)),
            case_filter(session, who),
        )
        .order_by(Event.id)
        .limit(limit)
    )
    return [
        LiveEvent(eid, kind, slug, cid, format_reference(prefix or "", cid), mid, channel, at)
        for eid, kind, slug, prefix, cid, mid, channel, at in session.execute(stmt)
    ]


@dataclass
class Horizon:
    """The highest event id below which nothing can still appear, for one reader.

    PostgreSQL: each sample reads the visible maximum id and the snapshot's ``xmin`` and
    ``xmax`` in one statement. Every transaction holding a smaller id has a transaction id
    below that ``xmax`` (the table's BEFORE INSERT trigger makes sure it has one before it
    draws an id), so the sample's maximum is final once ``xmin`` has passed that ``xmax``
    (no such transaction still runs). Pending samples wait for a later read.
    """

    dialect: str
    safe: int = 0
    pending: list[tuple[int, int]] = field(default_factory=list)  # (max id, xmax)

    def advance(self, session: Session) -> int:
        if self.dialect != "postgresql":
            self.safe = max(self.safe, session.scalar(select(func.max(Event.id))) or 0)
            return self.safe
        top, xmin, xmax = session.execute(
            text(
                "SELECT (SELECT coalesce(max(id), 0) FROM events), "
                "pg_snapshot_xmin(pg_current_snapshot())::text, "
                "pg_snapshot_xmax(pg_current_snapshot())::text"
            )
        ).one()
        if not self.pending or self.pending[-1][0] != top:  # the first bound is the lowest
            self.pending.append((int(top), int(xmax)))
        done = [top for top, bound in self.pending if bound <= int(xmin)]
        self.pending = [(t, b) for t, b in self.pending if b > int(xmin) and t > self.safe]
        if done:
            self.safe = max(self.safe, *done)
        return self.safe

    @property
    def waiting(self) -> bool:
        """A sample is not final yet: read again soon even without a wake-up."""
        return bool(self.pending)

    def start(self, session: Session) -> int:
        """Where a stream without ``Last-Event-ID`` begins: the newest visible event."""
        self.advance(session)
        if self.pending:
            self.safe = max(self.safe, max(t for t, _ in self.pending))
        return self.safe
