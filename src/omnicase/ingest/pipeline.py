"""The one ingestion pipeline: API, CLI and every channel adapter call :func:`ingest`.

Steps per message: idempotency → customer (identity graph) → case (explicit thread →
cross-channel match → new) → store + events. Work that needs no database runs first
(:mod:`omnicase.ingest.prepare`); the decisions and writes of a batch run in one
transaction (:mod:`omnicase.ingest.batch`). If a batch fails, it is rolled back and
replayed one message per transaction, so one bad message cannot take the others down and
nothing is ever half-written.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.exc import DBAPIError, IntegrityError

from omnicase.ingest.batch import Batch, chunks
from omnicase.ingest.identities import IdentityError
from omnicase.ingest.locks import lock_keys
from omnicase.ingest.prepare import Prepared, load_brands, prepare
from omnicase.ingest.results import IngestResult, IngestStatus, InvalidBatch
from omnicase.ingest.schema import InboundMessage
from omnicase.model.base import utcnow
from omnicase.store.db import Database

__all__ = ["IngestResult", "IngestStatus", "InvalidBatch", "ingest", "ingest_one"]


def _lock_names(items: Sequence[Prepared]) -> list[str]:
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
    for chunk in chunks(prepared, batch_size):
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
                    lock_keys(conn, _lock_names(chunk))
                batch = Batch(conn, utcnow(), size=len(chunk))
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
