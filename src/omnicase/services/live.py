"""Live events: wake a web process's streams when events are committed, anywhere.

Wake-ups only say "look again": every stream reads what is new from the ``events`` table
(:mod:`omnicase.store.events_feed`), so nothing here is needed for correctness, only for
latency. On PostgreSQL a statement trigger on ``events`` sends ``NOTIFY omnicase_events``
in the writing transaction (any process: web, worker, CLI), and each web process LISTENs on
one dedicated connection. On SQLite (one process) a commit on the app's engine wakes the
streams; both also poll, so a lost notification or a reconnect costs at most a poll.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable

import psycopg
from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from omnicase.store.db import WRITE_OPTION, Database
from omnicase.store.events_feed import Horizon, read_events
from omnicase.store.scope import Principal

log = logging.getLogger(__name__)

CHANNEL = "omnicase_events"


class Hub:
    """Per-process wake-up for the streams of one app (never a source of events)."""

    def __init__(
        self, db: Database, poll_seconds: float = 5.0, heartbeat_seconds: float = 15.0
    ) -> None:
        self.db = db
        #: SSE comment lines so that proxies keep an idle stream open.
        self.heartbeat_seconds = heartbeat_seconds
        #: Backstop poll; SQLite polls more often (its wake-up fires just before commit).
        self.poll_seconds = poll_seconds if db.dialect == "postgresql" else 0.5
        self._waiters: set[asyncio.Event] = set()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        for waiter in self._waiters:
            waiter.set()

    def _on_commit(self, conn: Connection) -> None:
        """SQLite: a writing transaction commits (reads commit too: they must not wake
        the streams, whose own reads would then wake them again)."""
        if conn.get_execution_options().get(WRITE_OPTION, False):
            self._wake_threadsafe()

    def _wake_threadsafe(self) -> None:
        loop = self._loop
        if loop is not None and not loop.is_closed():
            loop.call_soon_threadsafe(self.wake)
            loop.call_soon_threadsafe(loop.call_later, 0.05, self.wake)

    @contextlib.asynccontextmanager
    async def waiter(self) -> AsyncIterator[asyncio.Event]:
        ev = asyncio.Event()
        self._waiters.add(ev)
        try:
            yield ev
        finally:
            self._waiters.discard(ev)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self.db.dialect == "postgresql":
            # not awaited: a process starts (and is alive) while the database is down;
            # the listener wakes every stream once it is connected
            self._task = asyncio.create_task(self._listen(), name="omnicase-listen")
        else:
            event.listen(self.db.engine, "commit", self._on_commit)

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        elif event.contains(self.db.engine, "commit", self._on_commit):
            event.remove(self.db.engine, "commit", self._on_commit)
        self.wake()

    async def _listen(self) -> None:
        """LISTEN on one dedicated connection; reconnect with backoff, waking every stream
        after a reconnect (notifications sent while disconnected are gone)."""
        url = make_url(self.db.url).set(drivername="postgresql").render_as_string(False)
        delay = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(url, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {CHANNEL}")
                    delay = 0.5
                    self.wake()
                    async for _ in conn.notifies():
                        self.wake()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # the database went away: streams keep polling
                log.warning("event listener disconnected: %s; retrying", type(exc).__name__)
            await asyncio.sleep(delay)
            delay = min(delay * 2, 10.0)


class LiveStream:
    """One user's stream: everything after ``Last-Event-ID`` (replayed from the table),
    else what is committed after :meth:`begin`. ``principal`` re-checks the token at every
    read, so a revoked token or an ended engagement stops the flow without a reconnect."""

    def __init__(
        self,
        hub: Hub,
        principal: Callable[[Session], Principal | None],
        batch: int = 500,
    ) -> None:
        self.hub = hub
        self.principal = principal
        self.batch = batch
        self.horizon = Horizon(hub.db.dialect)
        self.cursor = 0

    def begin(self, session: Session, last_event_id: int | None) -> None:
        """Fix the starting point before the response starts, so that an event committed
        once the client has the headers is never missed."""
        start = self.horizon.start(session)
        self.cursor = start if last_event_id is None else last_event_id

    def _read(self) -> tuple[list[dict[str, str]], bool]:
        with self.hub.db.reading() as session:
            who = self.principal(session)
            if who is None:
                return [], False
            upto = self.horizon.advance(session)
            rows = read_events(session, who, self.cursor, upto, self.batch)
        self.cursor = rows[-1].id if len(rows) == self.batch else max(self.cursor, upto)
        return [
            {"id": str(e.id), "event": e.kind, "data": json.dumps(e.payload())} for e in rows
        ], True

    async def messages(self) -> AsyncIterator[dict[str, str]]:
        async with self.hub.waiter() as woken:
            while True:
                woken.clear()
                messages, allowed = await asyncio.to_thread(self._read)
                if not allowed:
                    return
                for message in messages:
                    yield message
                if len(messages) == self.batch:
                    continue
                timeout = 0.2 if self.horizon.waiting else self.hub.poll_seconds
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(woken.wait(), timeout)
