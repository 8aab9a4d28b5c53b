"""Agents' open-case counters (``agent_loads``): reading them, checking them against a
count of the cases, repairing them, and the locks that make a capacity check hold across
processes.

The counters are written by database triggers on ``cases`` (migration 0014), in the
transaction of every write that changes an assignee, a status or a channel, so no code
path can forget them. ``omnicase routing recount`` is the proof and the repair: it counts
the open cases per agent and kind the way routing used to on every batch, and compares.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import (
    Connection,
    Table,
    bindparam,
    delete,
    func,
    insert,
    select,
    text,
    type_coerce,
)
from sqlalchemy.types import NullType

from omnicase.ingest.locks import lock_keys
from omnicase.model import AgentLoad, AgentProfile, Case, Presence
from omnicase.routing.rules import KINDS, channel_kind

LOADS = cast(Table, AgentLoad.__table__)
PROFILES = cast(Table, AgentProfile.__table__)
C = cast(Table, Case.__table__).c
OPEN = ("new", "open", "pending")
COLUMN = {"call": "load_call", "chat": "load_chat", "async": "load_async"}

_READ = select(LOADS.c.user_id, LOADS.c.load_call, LOADS.c.load_chat, LOADS.c.load_async).where(
    LOADS.c.user_id.in_(bindparam("ids", expanding=True))
)


def read_loads(conn: Connection, user_ids: Iterable[int]) -> dict[int, Counter[str]]:
    """Open cases per channel kind of these agents, from the counters (one indexed read)."""
    ids = sorted(set(user_ids))
    out: dict[int, Counter[str]] = {}
    if not ids:
        return out
    for user_id, calls, chats, asyncs in conn.execute(_READ, {"ids": ids}):
        out[user_id] = Counter({"call": calls, "chat": chats, "async": asyncs})
    return out


#: no result processing: :func:`_when` parses (and caches) the raw value
_RAW = NullType()
_ONLINE = (
    select(
        PROFILES.c.user_id,
        type_coerce(PROFILES.c.last_assigned_at, _RAW),
        LOADS.c.load_call,
        LOADS.c.load_chat,
        LOADS.c.load_async,
    )
    .select_from(PROFILES.outerjoin(LOADS, LOADS.c.user_id == PROFILES.c.user_id))
    .where(
        PROFILES.c.user_id.in_(bindparam("ids", expanding=True)),
        PROFILES.c.presence == Presence.online,
    )
)


def read_online(
    conn: Connection, user_ids: Iterable[int]
) -> dict[int, tuple[datetime | None, int, int, int]]:
    """For those of these agents who are online now: when they last got a case and their
    open calls, chats and asynchronous cases (one indexed read per batch: the state a
    cached profile lacks)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    return {
        user_id: (_when(last), calls or 0, chats or 0, asyncs or 0)
        for user_id, last, calls, chats, asyncs in conn.execute(_ONLINE, {"ids": ids})
    }


_WHEN: dict[Any, datetime] = {}


def _when(raw: Any) -> datetime | None:
    """The column's raw value (SQLite: text) as an aware UTC datetime, parsed once per
    distinct value: most agents' last assignment is the same from one batch to the next."""
    if raw is None:
        return None
    value = _WHEN.get(raw)
    if value is None:
        if len(_WHEN) > 50_000:
            _WHEN.clear()
        value = _WHEN[raw] = _parse(raw)
    return value


def _parse(raw: Any) -> datetime:
    if isinstance(raw, datetime):
        return raw.replace(tzinfo=UTC) if raw.tzinfo is None else raw.astimezone(UTC)
    return datetime.fromisoformat(str(raw)).replace(tzinfo=UTC)


def count_loads(conn: Connection) -> dict[int, Counter[str]]:
    """The same figures counted from the cases (what the counters must equal)."""
    out: dict[int, Counter[str]] = {}
    for assignee, channel, n in conn.execute(
        select(C.assignee_id, C.channel, func.count())
        .where(C.assignee_id.is_not(None), C.status.in_(OPEN))
        .group_by(C.assignee_id, C.channel)
    ):
        out.setdefault(assignee, Counter())[channel_kind(channel)] += int(n)
    return out


@dataclass(frozen=True, slots=True)
class Drift:
    user_id: int
    kind: str
    stored: int
    counted: int


def _drifts(stored: Mapping[int, Counter[str]], counted: Mapping[int, Counter[str]]) -> list[Drift]:
    out = []
    for user_id in sorted(set(stored) | set(counted)):
        have, want = stored.get(user_id, Counter()), counted.get(user_id, Counter())
        for kind in KINDS:
            if have[kind] != want[kind]:
                out.append(Drift(user_id, kind, have[kind], want[kind]))
    return out


def check_loads(conn: Connection) -> list[Drift]:
    """Every counter that differs from the count (empty: they all agree)."""
    stored: dict[int, Counter[str]] = {}
    for user_id, calls, chats, asyncs in conn.execute(select(LOADS)):
        stored[user_id] = Counter({"call": calls, "chat": chats, "async": asyncs})
    return _drifts(stored, count_loads(conn))


def do_recount_loads(conn: Connection, *, repair: bool) -> list[Drift]:
    """Compare the counters with a count and, with ``repair``, set the differing ones to
    the count. On PostgreSQL the counters are locked against writers first (readers go
    on), so no assignment commits between the count and the repair."""
    if conn.dialect.name == "postgresql":
        conn.execute(text("LOCK TABLE agent_loads IN EXCLUSIVE MODE"))
    drifts = check_loads(conn)
    if repair and drifts:
        counted = count_loads(conn)
        users = sorted({d.user_id for d in drifts})
        conn.execute(delete(LOADS).where(LOADS.c.user_id.in_(users)))
        rows = [_row(u, counted[u]) for u in users if u in counted]
        if rows:
            conn.execute(insert(LOADS), rows)
    return drifts


def _row(user_id: int, load: Mapping[str, int]) -> dict[str, Any]:
    return {"user_id": user_id, **{COLUMN[k]: int(load.get(k, 0)) for k in KINDS}}


def lock_routing(conn: Connection, brands: Sequence[int], teams: Sequence[int] = ()) -> None:
    """PostgreSQL: transaction-scoped advisory locks serialising capacity decisions on the
    brands' own agents (``routing:<brand>``) and the provider teams engaged on them
    (``routing:team:<team>``, whose agents may serve several brands). Brand keys are
    always taken before team keys, each set sorted, so two transactions never wait on
    each other in a cycle. SQLite serialises writers already."""
    if conn.dialect.name != "postgresql":
        return
    lock_keys(conn, [f"routing:{b}" for b in brands])
    if teams:
        lock_keys(conn, [f"routing:team:{t}" for t in teams])


__all__ = [
    "Drift",
    "check_loads",
    "count_loads",
    "do_recount_loads",
    "lock_routing",
    "read_loads",
    "read_online",
]
