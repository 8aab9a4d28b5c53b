"""The raw inbox: every inbound input is stored before anything reads it, then processed
by a retried job.

``accept_inbound`` (in the caller's transaction: a webhook answers 200 only once the row
is committed) stores the body and headers and defers ``channels.process_inbox``. The job
calls the channel adapter's ``parse``; the messages go through the one pipeline
(idempotent on (brand, channel, external_id)), delivery statuses update our outbound
messages, other events are recorded. Then the row is ``processed``.

* A replay or provider retry (same channel, account and dedup key) stores nothing.
* :class:`~omnicase.channels.base.ParseError`, or a message the pipeline refuses →
  ``quarantined`` (a ``quarantine`` row with the error, linked from the inbox row); no
  retry, since reading it again gives the same answer.
* Any other exception (a crash, the database away) → the job is retried with backoff;
  the row stays, with its attempts and last error; after the last attempt it is
  ``failed``. Reprocessing never duplicates: the pipeline answers ``duplicate``.
* A brand admin lists quarantined/failed rows and retries them (API, ``omnicase inbox``).
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm import defer as orm_defer

from omnicase.channels.attachments import AttachmentStore
from omnicase.channels.base import InboxInput, ParseError, ParseResult, StatusUpdate
from omnicase.channels.registry import get_adapter
from omnicase.ingest.pipeline import IngestStatus, ingest
from omnicase.jobs import JobContext, RetryPolicy, defer, get_spec, job
from omnicase.jobs.run import describe_error
from omnicase.model import (
    ChannelAccount,
    InboxItem,
    InboxStatus,
    Message,
    Organisation,
    QuarantinedInput,
)
from omnicase.model.base import utcnow
from omnicase.security.secrets import SecretBox
from omnicase.services.cases import ActionError, record_event
from omnicase.services.channel_accounts import account_view
from omnicase.store.db import Database
from omnicase.store.scope import Principal

log = logging.getLogger(__name__)

JOB = "channels.process_inbox"
#: Bodies above this are refused before they are stored (edges answer 413/552 first).
MAX_BODY = 50 * 1024 * 1024
#: Header names never stored: credentials and signatures (checked before accepting).
_DROPPED = ("authorization", "cookie", "signature", "secret", "token", "api-key", "apikey")
#: Forward-only delivery states of an outbound message.
_RANK = {"queued": 0, "sending": 1, "sent": 2, "delivered": 3, "read": 4}


class InboxError(ValueError):
    """Input refused before it was stored (too large, inactive account)."""


@dataclass(frozen=True, slots=True)
class Accepted:
    inbox_id: int
    duplicate: bool


def clean_headers(headers: Mapping[str, Any]) -> dict[str, Any]:
    """Headers worth keeping: credentials and signature headers dropped, names
    lowercased, values as strings (or lists of strings)."""
    out: dict[str, Any] = {}
    for name, value in headers.items():
        key = str(name).lower()
        if any(word in key for word in _DROPPED):
            continue
        out[key] = [str(v) for v in value] if isinstance(value, list | tuple) else str(value)
    return out


def accept_inbound(
    session: Session,
    channel: str,
    account: ChannelAccount,
    body: bytes | str,
    headers: Mapping[str, Any] | None = None,
    dedup_key: str | None = None,
    received_at: datetime | None = None,
) -> Accepted:
    """Store raw input and queue its processing, in the caller's transaction.

    ``dedup_key``: the provider's id of this delivery (Message-ID, event id); without one,
    the body's sha256. The same key again returns the stored row, ``duplicate=True``, and
    queues nothing. Verify signatures before calling: signature headers are not kept.
    """
    raw = body.encode("utf-8") if isinstance(body, str) else bytes(body)
    if len(raw) > MAX_BODY:
        raise InboxError(f"body of {len(raw)} bytes is over the limit of {MAX_BODY} bytes")
    if not account.active:
        raise InboxError(f"channel account {account.id} is disabled")
    if account.channel != channel:
        raise InboxError(f"account {account.id} is a {account.channel} account, not {channel}")
    key = (dedup_key or "").strip()[:500] or "sha256:" + hashlib.sha256(raw).hexdigest()
    existing = _find(session, channel, account.id, key)
    if existing is not None:
        return Accepted(existing, True)
    row = InboxItem(
        channel=channel,
        account_id=account.id,
        brand_id=account.brand_id,
        received_at=received_at or utcnow(),
        headers=clean_headers(headers or {}),
        body=raw,
        dedup_key=key,
        status=InboxStatus.received,
        attempts=0,
        result={},
        updated_at=utcnow(),
    )
    try:
        with session.begin_nested():
            session.add(row)
    except IntegrityError:  # the same delivery, accepted by another process meanwhile
        found = _find(session, channel, account.id, key)
        if found is None:
            raise
        return Accepted(found, True)
    defer(session, JOB, inbox_id=row.id, brand_id=row.brand_id)
    return Accepted(row.id, False)


def _find(session: Session, channel: str, account_id: int, key: str) -> int | None:
    return session.scalar(
        select(InboxItem.id).where(
            InboxItem.channel == channel,
            InboxItem.account_id == account_id,
            InboxItem.dedup_key == key,
        )
    )


# ---- processing ------------------------------------------------------------------------


@job(
    JOB,
    queue="channels",
    retry=RetryPolicy(max_attempts=5, backoff=2, factor=4, max_delay=600),
    lock=lambda kwargs: f"inbox:{kwargs['inbox_id']}",
)
def process_inbox_job(ctx: JobContext, inbox_id: int, brand_id: int | None = None) -> str:
    """Parse one inbox row and ingest what it holds; the row's final status."""
    final = ctx.attempt >= get_spec(JOB).retry.max_attempts
    try:
        return process_inbox(
            ctx.db,
            inbox_id,
            SecretBox.from_settings(ctx.settings),
            AttachmentStore.from_settings(ctx.settings),
        )
    except Exception as exc:
        _record_crash(ctx.db, inbox_id, exc, final)
        raise


def process_inbox(db: Database, inbox_id: int, box: SecretBox, store: AttachmentStore) -> str:
    item = _load(db, inbox_id, box, store)
    if isinstance(item, str):
        return item
    adapter = get_adapter(item.channel)
    try:
        parsed = adapter.parse(item)
        messages = [_stamp(m, item) for m in parsed.messages]
    except ParseError as exc:
        return _quarantine(db, inbox_id, str(exc))
    results = ingest(db, messages) if messages else []
    refused = _refused(results)
    if refused:
        return _quarantine(db, inbox_id, f"the pipeline refused message(s): {refused}")
    with db.transaction() as session:
        return _finish(session, inbox_id, parsed, results)


def process_inbox_many(
    db: Database, inbox_ids: list[int], box: SecretBox, store: AttachmentStore
) -> dict[int, str]:
    """Several rows at once (a backlog, a benchmark): parsed one by one, their messages
    through one pipeline call, finished in one transaction. Same outcome as
    :func:`process_inbox` row by row — a batch the pipeline refuses part of is redone
    row by row so each row gets its own verdict."""
    out: dict[int, str] = {}
    done: list[tuple[int, ParseResult, int]] = []
    messages: list[Any] = []
    loaded = _load_many(db, inbox_ids, box, store)
    for inbox_id in inbox_ids:
        item = loaded[inbox_id]
        if isinstance(item, str):
            out[inbox_id] = item
            continue
        try:
            parsed = get_adapter(item.channel).parse(item)
            stamped = [_stamp(m, item) for m in parsed.messages]
        except ParseError as exc:
            out[inbox_id] = _quarantine(db, inbox_id, str(exc))
            continue
        done.append((inbox_id, parsed, len(stamped)))
        messages += stamped
    results = ingest(db, messages) if messages else []
    if _refused(results):
        for inbox_id, _, _ in done:
            out[inbox_id] = process_inbox(db, inbox_id, box, store)
        return out
    with db.transaction() as session:
        at = 0
        for inbox_id, parsed, n in done:
            out[inbox_id] = _finish(session, inbox_id, parsed, results[at : at + n])
            at += n
    return out


def _load(db: Database, inbox_id: int, box: SecretBox, store: AttachmentStore) -> InboxInput | str:
    """The row as the adapter sees it (attempts counted), or its status when done."""
    return _load_many(db, [inbox_id], box, store)[inbox_id]


def _load_many(
    db: Database, inbox_ids: list[int], box: SecretBox, store: AttachmentStore
) -> dict[int, InboxInput | str]:
    """:func:`_load` for several rows in one transaction (one read of each account)."""
    out: dict[int, InboxInput | str] = dict.fromkeys(inbox_ids, "missing")
    with db.transaction() as session:
        rows = session.scalars(select(InboxItem).where(InboxItem.id.in_(sorted(set(inbox_ids)))))
        views: dict[int, Any] = {}
        for row in rows:
            if row.status == InboxStatus.processed:
                out[row.id] = row.status
                continue
            row.attempts += 1
            if row.account_id not in views:
                account = session.get(ChannelAccount, row.account_id)
                assert account is not None
                views[row.account_id] = account_view(session, box, account)
            out[row.id] = InboxInput(
                id=row.id,
                channel=row.channel,
                account=views[row.account_id],
                received_at=row.received_at,
                headers=dict(row.headers or {}),
                body=bytes(row.body),
                dedup_key=row.dedup_key,
                attachments=store,
            )
    return out


def _refused(results: list[Any]) -> list[dict[str, Any]]:
    return [
        {"index": i, "errors": r.errors}
        for i, r in enumerate(results)
        if r.status is IngestStatus.invalid
    ]


def _finish(session: Session, inbox_id: int, parsed: ParseResult, results: list[Any]) -> str:
    """Statuses applied, events recorded, the row ``processed`` (caller's transaction)."""
    # the raw body was read already: not again (emails with attachments weigh megabytes)
    row = session.get(InboxItem, inbox_id, options=[orm_defer(InboxItem.body)])
    assert row is not None
    applied = [_apply_status(session, row.brand_id, s, inbox_id) for s in parsed.statuses]
    for event in parsed.events:
        record_event(
            session,
            f"channel.{event.kind}",
            brand_id=row.brand_id,
            case_id=_event_case(session, row.brand_id, row.channel, event.data),
            data={"inbox": inbox_id, "channel": row.channel, **dict(event.data)},
        )
    row.status = InboxStatus.processed
    row.processed_at = utcnow()
    row.last_error = None
    row.result = {
        "messages": [r.message_id for r in results],
        "duplicates": sum(r.status is IngestStatus.duplicate for r in results),
        "statuses": sum(applied),
        "events": len(parsed.events),
    }
    return row.status


def _stamp(message: Any, item: InboxInput) -> Any:
    """The brand is the account's; the message remembers its raw input."""
    if message.brand != item.account.brand:
        raise ParseError(
            f"the adapter produced a message for brand {message.brand!r}, "
            f"but the account belongs to {item.account.brand!r}"
        )
    meta = {**message.meta, "inbox_id": item.id, "account_id": item.account.id}
    return message.model_copy(update={"meta": meta})


def _event_case(
    session: Session, brand_id: int, channel: str, data: Mapping[str, Any]
) -> int | None:
    """The case an event belongs to: the one holding a message its ``thread`` names
    (external ids, most relevant first), e.g. the reply an auto-reply answers."""
    thread = [t for t in data.get("thread") or () if isinstance(t, str)][:20]
    for external_id in thread:
        case_id = session.scalar(
            select(Message.case_id)
            .where(
                Message.brand_id == brand_id,
                Message.channel == channel,
                Message.external_id == external_id,
            )
            .limit(1)
        )
        if case_id is not None:
            return int(case_id)
    return None


def _apply_status(session: Session, brand_id: int, update: StatusUpdate, inbox_id: int) -> bool:
    """Move an outbound message's delivery status forward (never back; failed always
    wins); False when no such message or nothing changed."""
    message = session.scalar(
        select(Message).where(
            Message.brand_id == brand_id,
            Message.channel == update.channel,
            Message.external_id == update.external_id,
            Message.direction == "outbound",
        )
    )
    if message is None:
        return False
    old = message.delivery_status
    if update.status == "failed":
        if old == "failed":
            return False
    elif _RANK.get(update.status, -1) <= _RANK.get(old, -1):
        return False
    message.delivery_status = update.status
    meta = dict(message.meta or {})
    delivery = dict(meta.get("delivery") or {})
    delivery[update.status] = (update.at or utcnow()).isoformat()
    if update.error:
        delivery["error"] = update.error[:1000]
    meta["delivery"] = delivery
    message.meta = meta
    record_event(
        session,
        "message.delivery",
        brand_id=brand_id,
        case_id=message.case_id,
        message_id=message.id,
        data={"status": update.status, "previous": old, "inbox": inbox_id},
    )
    return True


def _pg_text(value: str) -> str:
    """PostgreSQL text cannot hold NUL (found by the security tests: a body of NUL bytes
    crashed the quarantine); the raw bytes stay in the inbox row."""
    return value.replace("\x00", "\ufffd")


def _quarantine(db: Database, inbox_id: int, error: str) -> str:
    error = _pg_text(error)
    with db.transaction() as session:
        row = session.get(InboxItem, inbox_id)
        assert row is not None
        q = QuarantinedInput(
            source=f"inbox:{row.id}:{row.channel}",
            payload=_pg_text(bytes(row.body).decode("utf-8", errors="replace")),
            error=error[:4000],
            received_at=row.received_at,
        )
        session.add(q)
        session.flush()
        row.status = InboxStatus.quarantined
        row.quarantine_id = q.id
        row.last_error = error[:4000]
        record_event(
            session,
            "inbox.quarantined",
            brand_id=row.brand_id,
            data={"inbox": row.id, "channel": row.channel, "quarantine": q.id},
        )
    log.warning("inbox row %s quarantined", inbox_id)
    return InboxStatus.quarantined


def _record_crash(db: Database, inbox_id: int, exc: BaseException, final: bool) -> None:
    """Keep the error on the row (its own transaction: the job's failure must not lose
    it); after the last attempt the row is ``failed``."""
    with db.transaction() as session:
        row = session.get(InboxItem, inbox_id)
        if row is None:
            return
        row.last_error = describe_error(exc)
        if final:
            row.status = InboxStatus.failed
            record_event(
                session,
                "inbox.failed",
                brand_id=row.brand_id,
                data={"inbox": row.id, "channel": row.channel, "attempts": row.attempts},
            )


# ---- the admins' view ------------------------------------------------------------------


def check_may_see_inbox(who: Principal | None) -> None:
    if who is not None and not (who.is_brand_staff and who.role == "admin"):
        raise ActionError("only the brand's admins see its inbox", status=403)


def list_inbox(
    session: Session,
    who: Principal | None,
    *,
    statuses: tuple[str, ...] = (InboxStatus.quarantined, InboxStatus.failed),
    before: int | None = None,
    limit: int = 100,
) -> list[InboxItem]:
    """Newest first; ``who=None`` is the operator (every brand)."""
    check_may_see_inbox(who)
    for status in statuses:
        if status not in InboxStatus.ALL:
            raise ActionError(f"status is one of {', '.join(InboxStatus.ALL)}", "status", 422)
    stmt = select(InboxItem).where(InboxItem.status.in_(statuses))
    if who is not None:
        stmt = stmt.where(InboxItem.brand_id == who.organisation_id)
    if before is not None:
        stmt = stmt.where(InboxItem.id < before)
    return list(session.scalars(stmt.order_by(InboxItem.id.desc()).limit(limit)))


def do_retry_inbox(session: Session, who: Principal | None, inbox_id: int) -> InboxItem:
    """Queue a quarantined or failed row for processing again."""
    check_may_see_inbox(who)
    row = session.get(InboxItem, inbox_id)
    if row is None or (who is not None and row.brand_id != who.organisation_id):
        raise ActionError(f"no inbox row {inbox_id}", status=404)
    if row.status not in (InboxStatus.quarantined, InboxStatus.failed):
        raise ActionError(f"the row is {row.status}: only quarantined or failed rows are retried")
    row.status = InboxStatus.received
    row.updated_at = utcnow()
    defer(session, JOB, inbox_id=row.id, brand_id=row.brand_id)
    record_event(
        session,
        "inbox.retried",
        brand_id=row.brand_id,
        actor=who.actor if who is not None else "operator",
        data={"inbox": row.id, "previous_error": (row.last_error or "")[:200]},
    )
    return row


def brand_slug(session: Session, brand_id: int) -> str:
    brand = session.get(Organisation, brand_id)
    return brand.slug if brand is not None else str(brand_id)
