"""Per-token and per-IP rate limits on the API and the webhooks: 429 with ``Retry-After``.

Two counters, chosen by ``OMNICASE_RATE_LIMIT_BACKEND``:

* ``memory``: a token bucket per caller in this process (capacity = the per-minute limit,
  refilled continuously). Right for one process (the SQLite deployment).
* ``database``: a fixed one-minute window per caller in ``rate_windows``, counted with one
  ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` (no lock held beyond that row, no
  advisory lock), so any number of web processes on one PostgreSQL share one limit.
  Windows older than two minutes are deleted now and then. On PostgreSQL the counter's
  commit does not wait for the WAL flush (``synchronous_commit = off``): a counter lost
  in a crash only lets a caller a few more requests, and the check costs a round trip
  instead of a disk flush.
* ``auto`` (default): ``database`` on PostgreSQL, ``memory`` on SQLite.

The caller is the bearer token (hashed: it is never kept in the clear) and, for every
request, the client IP. A limit of 0 turns that counter off. Health, metrics, docs and
the chat widget are never limited.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import anyio
from fastapi import FastAPI
from sqlalchemy import delete, text
from starlette.types import ASGIApp, Receive, Scope, Send

from omnicase.model import RateWindow
from omnicase.store.db import Database

LIMITED_PREFIXES = ("/api/", "/webhooks/", "/forms/")
WINDOW = 60


@dataclass(frozen=True, slots=True)
class Verdict:
    allowed: bool
    retry_after: int = 0


class MemoryLimiter:
    """Token buckets in this process."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}  # key → (tokens, at)
        self._lock = threading.Lock()

    def hit(self, key: str, per_minute: int) -> Verdict:
        rate = per_minute / WINDOW
        now = self.clock()
        with self._lock:
            tokens, at = self._buckets.get(key, (float(per_minute), now))
            tokens = min(float(per_minute), tokens + (now - at) * rate)
            if tokens >= 1:
                self._buckets[key] = (tokens - 1, now)
                if len(self._buckets) > 100_000:  # forget full buckets: they are defaults
                    self._buckets = {
                        k: v for k, v in self._buckets.items() if v[0] < per_minute - 1
                    }
                return Verdict(True)
            self._buckets[key] = (tokens, now)
            return Verdict(False, max(1, math.ceil((1 - tokens) / rate)))


class DatabaseLimiter:
    """Fixed windows shared by every process through the database."""

    def __init__(self, db: Database, clock: Callable[[], float] = time.time) -> None:
        self.db = db
        self.clock = clock
        self._hits = 0

    def hit(self, key: str, per_minute: int) -> Verdict:
        now = self.clock()
        start = int(now // WINDOW) * WINDOW
        with self.db.transaction() as session:
            if self.db.dialect == "postgresql":
                # a counter lost in a crash is harmless: do not wait for the WAL flush
                session.execute(text("SET LOCAL synchronous_commit = off"))
            count = session.execute(
                text(
                    "INSERT INTO rate_windows (key, window_start, count) VALUES (:k, :w, 1) "
                    "ON CONFLICT (key, window_start) "
                    "DO UPDATE SET count = rate_windows.count + 1 RETURNING count"
                ),
                {"k": key, "w": start},
            ).scalar_one()
            self._hits += 1
            if self._hits % 500 == 0:
                session.execute(delete(RateWindow).where(RateWindow.window_start < start - WINDOW))
        if count <= per_minute:
            return Verdict(True)
        return Verdict(False, max(1, math.ceil(start + WINDOW - now)))


Limiter = MemoryLimiter | DatabaseLimiter


def caller_keys(scope: Scope) -> tuple[str | None, str | None]:
    """(token key, IP key), both hashed."""
    headers = dict(scope.get("headers") or [])
    token = None
    authorization = headers.get(b"authorization", b"")
    if authorization[:7].lower() == b"bearer " and len(authorization) > 7:
        token = "token:" + hashlib.sha256(authorization[7:].strip()).hexdigest()[:40]
    client = scope.get("client")
    ip = "ip:" + hashlib.sha256(str(client[0]).encode()).hexdigest()[:40] if client else None
    return token, ip


class RateLimit:
    """ASGI middleware: count the caller, answer 429 when over a limit."""

    def __init__(self, app: ASGIApp, limiter: Limiter, per_token: int, per_ip: int) -> None:
        self.app = app
        self.limiter = limiter
        self.per_token = per_token
        self.per_ip = per_ip

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = str(scope.get("path", ""))
        if scope["type"] != "http" or not path.startswith(LIMITED_PREFIXES):
            await self.app(scope, receive, send)
            return
        token, ip = caller_keys(scope)
        checks = [(k, n) for k, n in ((token, self.per_token), (ip, self.per_ip)) if k and n > 0]
        wait = 0
        for key, limit in checks:
            verdict = await anyio.to_thread.run_sync(self.limiter.hit, key, limit)
            if not verdict.allowed:
                wait = max(wait, verdict.retry_after)
        if not wait:
            await self.app(scope, receive, send)
            return
        body = json.dumps(
            {"detail": f"too many requests: retry in {wait} s", "errors": []}
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 429,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"retry-after", str(wait).encode()),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})


def make_limiter(backend: str, db: Database) -> Limiter:
    if backend == "database" or (backend == "auto" and db.dialect == "postgresql"):
        return DatabaseLimiter(db)
    return MemoryLimiter()


TOO_MANY = {
    "description": "rate limit reached (per token or per client IP); retry after the "
    "`Retry-After` header's seconds",
    "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "seconds"}},
    "content": {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorBody"}}},
}


def document_rate_limits(app: FastAPI) -> None:
    """Every operation this middleware guards may answer 429: say so in the OpenAPI
    document (the schema fuzz checks that no status code is undocumented)."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is not None:
            return dict(app.openapi_schema)
        schema: dict[str, Any] = build()
        for path, operations in schema.get("paths", {}).items():
            if not path.startswith(LIMITED_PREFIXES):
                continue
            for operation in operations.values():
                if isinstance(operation, dict) and "responses" in operation:
                    operation["responses"].setdefault("429", TOO_MANY)
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]
