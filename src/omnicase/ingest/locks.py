"""PostgreSQL advisory locks that serialise work on one customer across processes.

Two processes ingesting messages of the same person at the same instant must end with one
case. Each transaction first takes a transaction-scoped advisory lock per identity it
carries (sorted, so two batches never wait on each other in a cycle); the second process
then sees the first one's customer and case once it gets the lock. SQLite needs none of
this: every transaction there starts with BEGIN IMMEDIATE (see store.db).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from sqlalchemy import Connection, text


def lock_key(name: str) -> int:
    """A stable signed 64-bit key for ``pg_advisory_xact_lock``."""
    return int.from_bytes(
        hashlib.blake2b(name.encode(), digest_size=8).digest(), "big", signed=True
    )


def lock_keys(conn: Connection, names: Sequence[str]) -> None:
    keys = sorted({lock_key(n) for n in names})
    if not keys:
        return
    conn.execute(
        text("SELECT count(pg_advisory_xact_lock(k)) FROM unnest(CAST(:keys AS bigint[])) AS k"),
        {"keys": keys},
    )
