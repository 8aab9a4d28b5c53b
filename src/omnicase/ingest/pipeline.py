"""The one ingestion pipeline: API, CLI and every channel adapter call :func:`ingest`.

Steps per message: idempotency → customer (identity graph) → case (explicit thread →
cross-channel match → new) → store + events. Work that needs no database runs first
(:mod:`omnicase.ingest.prepare`); the decisions and writes of a batch run in one
transaction (:mod:`omnicase.ingest.batch`). If a batch fails, it is rolled back and
replayed one message per transaction, so one bad message cannot take the others down and
nothing is ever half-written.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any

from pydantic import ValidationError
from sqlalchemy import Connection
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from omnicase.ingest.batch import Batch, chunks
from omnicase.ingest.identities import IdentityError
from omnicase.ingest.locks import lock_keys
from omnicase.ingest.prepare import (
    BrandContext,
    Prepared,
    load_brands,
    prepare,
    reason_verdicts,
)
from omnicase.ingest.results import IngestResult, IngestStatus, InvalidBatch
from omnicase.ingest.schema import Channel, InboundMessage, format_validation_error
from omnicase.ingest.statistics import LoadStatistics
from omnicase.metrics import count_ingested
from omnicase.model.base import utcnow
from omnicase.quality.csat.hook import on_ingested as csat_answers
from omnicase.routing import route_new_cases
from omnicase.services.cases import do_merge_cases
from omnicase.sla import track as sla
from omnicase.store.db import Database
from omnicase.understand.reason_model import archives, load_archives
from omnicase.understand.taxonomy import Verdict

__all__ = [
    "IngestResult",
    "IngestStatus",
    "InvalidBatch",
    "ingest",
    "ingest_one",
    "ingest_stream",
]


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
    brands = _brands(db, {m.brand for m in messages}, default_window_days)
    prepared: list[Prepared] = []
    verdicts = reason_verdicts(messages, brands) if len(messages) > 1 else [None]
    for i, msg in enumerate(messages):
        item = prepare_or_refuse(i, msg, brands, verdicts[i])
        if isinstance(item, IngestResult):
            results[i] = item
        else:
            prepared.append(item)
    if atomic:
        if any(r is not None for r in results):
            raise InvalidBatch(_finish(results))
        batch_size = max(len(prepared), 1)
    _store(db, prepared, results, batch_size, atomic)
    return _finish(results)


def _finish(results: list[IngestResult | None]) -> list[IngestResult]:
    """Every result leaves the pipeline through here (so metrics count each one once); a
    slot never filled is an invalid message."""
    done = [r if r is not None else IngestResult(IngestStatus.invalid) for r in results]
    count_ingested(done)
    return done


def _brands(
    db: Database, slugs: set[str] | None, default_window_days: int
) -> dict[str, BrandContext]:
    with db.engine.connect() as conn:
        brands = load_brands(conn, slugs, default_window_days)
        conn.rollback()
    return brands


def prepare_or_refuse(
    index: int,
    msg: InboundMessage,
    brands: dict[str, BrandContext],
    verdict: Verdict | None = None,
) -> Prepared | IngestResult:
    brand = brands.get(msg.brand)
    if brand is None:
        return IngestResult(
            IngestStatus.invalid,
            errors=[{"field": "brand", "reason": f"no brand named {msg.brand!r}"}],
            channel=msg.channel.value,
        )
    try:
        return prepare(index, msg, brand, verdict)
    except IdentityError as exc:
        return IngestResult(
            IngestStatus.invalid,
            errors=[{"field": exc.field, "reason": exc.reason}],
            channel=msg.channel.value,
        )


def _store(
    db: Database,
    prepared: Sequence[Prepared],
    results: list[IngestResult | None],
    batch_size: int,
    atomic: bool = False,
) -> None:
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


# ---- bulk ingestion with preparation in worker processes -----------------------------

_WORKER_BRANDS: dict[str, BrandContext] = {}


def _init_worker(brands: dict[str, BrandContext], models: dict[str, bytes] | None = None) -> None:
    load_archives(models or {})  # the brands' trained models, named by digest
    _WORKER_BRANDS.clear()
    _WORKER_BRANDS.update(brands)


def _validate_raw(raw: Any) -> InboundMessage | IngestResult:
    if isinstance(raw, InboundMessage):
        return raw
    try:
        return InboundMessage.model_validate(raw)
    except ValidationError as exc:
        channel = raw.get("channel") if isinstance(raw, dict) else None
        known = isinstance(channel, str) and channel in Channel.__members__
        return IngestResult(
            IngestStatus.invalid,
            errors=format_validation_error(exc),
            channel=channel if known else None,
        )


def _prepare_chunk(chunk: list[tuple[int, Any]]) -> list[Prepared | IngestResult]:
    checked = [_validate_raw(raw) for _, raw in chunk]
    valid = [m for m in checked if isinstance(m, InboundMessage)]
    verdicts = iter(reason_verdicts(valid, _WORKER_BRANDS))
    return [
        m
        if isinstance(m, IngestResult)
        else prepare_or_refuse(index, m, _WORKER_BRANDS, next(verdicts))
        for (index, _), m in zip(chunk, checked, strict=True)
    ]


def ingest_stream(
    db: Database,
    raw_messages: Iterable[dict[str, Any] | InboundMessage],
    *,
    batch_size: int = 500,
    workers: int = 0,
    default_window_days: int = 7,
) -> Iterator[IngestResult]:
    """Bulk ingestion: validate and prepare in ``workers`` processes while this one runs
    the database transactions, one batch ahead. Yields one result per input, in order.

    ``workers=0`` does everything in this process. The decisions and writes stay in this
    one process, in input order, so the outcome is the same whatever ``workers`` is. On
    PostgreSQL the planner statistics follow the load (:mod:`omnicase.ingest.statistics`).
    """
    brands = _brands(db, None, default_window_days)
    numbered = ((i, raw) for i, raw in enumerate(raw_messages))
    statistics = LoadStatistics(db)

    def store(items: list[Prepared | IngestResult]) -> list[IngestResult]:
        results = _store_prepared(db, items, batch_size)
        statistics.ingested(len(results))
        return results

    if workers <= 0:
        _init_worker(brands)
        for chunk in _batches(numbered, batch_size):
            yield from store(_prepare_chunk(chunk))
        return
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(
        workers,
        mp_context=ctx,
        initializer=_init_worker,
        initargs=(brands, archives(b.reason_model for b in brands.values() if b.reason_model)),
    ) as pool:
        pending: deque[Future[list[Prepared | IngestResult]]] = deque()
        batches = _batches(numbered, batch_size)
        for chunk in batches:
            pending.append(pool.submit(_prepare_chunk, chunk))
            if len(pending) > workers:
                yield from store(pending.popleft().result())
        while pending:
            yield from store(pending.popleft().result())


def _batches(items: Iterator[tuple[int, Any]], size: int) -> Iterator[list[tuple[int, Any]]]:
    batch: list[tuple[int, Any]] = []
    for item in items:
        batch.append(item)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _store_prepared(
    db: Database, items: list[Prepared | IngestResult], batch_size: int
) -> list[IngestResult]:
    results: list[IngestResult | None] = [None] * len(items)
    prepared = []
    for pos, item in enumerate(items):
        if isinstance(item, IngestResult):
            results[pos] = item
        else:
            item.index = pos
            prepared.append(item)
    _store(db, prepared, results, batch_size)
    return _finish(results)


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
                    result = batch.store(p)
                    result.channel = p.msg.channel.value
                    out.append((p.index, result))
                stored = [pm.row for pm in batch.new_messages]
                batch.flush()
                if batch.absorb:
                    _absorb(conn, batch.absorb)
                csat_answers(conn, stored, batch)
                route_new_cases(
                    conn,
                    batch.created_cases,
                    batch.now,
                    changed=batch.reason_changed,
                    reopened=batch.reopened,
                )
                sla.on_ingested(conn, stored, batch.now, dict(batch.absorb))
            for index, result in out:
                results[index] = result
            return
        except (IntegrityError, DBAPIError):
            attempt += 1
            if attempt > retries:
                raise


def _absorb(conn: Connection, pairs: list[tuple[int, int]]) -> None:
    """Merge content-less cases into the request that explained them, in the batch's own
    transaction, through the same action an agent's merge uses (undo works the same)."""
    with Session(bind=conn) as session:
        for source, target in pairs:
            do_merge_cases(session, source, target, None, rule="absorbed_contentless")
        session.flush()


def ingest_one(db: Database, message: InboundMessage) -> IngestResult:
    return ingest(db, [message])[0]
