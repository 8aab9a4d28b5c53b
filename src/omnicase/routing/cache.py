"""A per-process cache of what routing reads per brand and rarely changes: the brand's
configuration (queues, overflow rules, engagements, settings, team hours) and the
profiles of the agents online on its sides (skills, level, capacity, team).

Correctness never rests on it: every batch first reads the database's routing stamp
(``routing_state``, redrawn by triggers on every change to those tables, see migration
0014) and uses a cached snapshot only if it was read at that very stamp; anything else
is read again. What changes with every decision (agents' loads, when they last got a
case, and whether they are still online) is read per batch by
:func:`omnicase.routing.loads.read_online`, after the routing locks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, cast

from sqlalchemy import Connection, Table, select

from omnicase.model import RoutingState
from omnicase.routing.assign import AgentState
from omnicase.routing.loads import read_online
from omnicase.routing.snapshot import (
    BrandConfig,
    load_agent_profiles,
    load_configs,
    team_hours,
)

STATE = cast(Table, RoutingState.__table__)
_STAMP = select(STATE.c.stamp).where(STATE.c.id == 1)
#: cached brands per process before the cache starts again from empty
LIMIT = 1000


@dataclass(frozen=True, slots=True)
class BrandSnapshot:
    config: BrandConfig
    #: team id → (organisation, timezone, weekly hours) of the brand's own teams
    hours: Mapping[int, tuple[Any, ...]]
    #: online agents on the brand's sides, load and idle time left empty
    agents: tuple[AgentState, ...]


_CACHE: dict[tuple[str, int], tuple[int, date, BrandSnapshot]] = {}


def routing_stamp(conn: Connection) -> int | None:
    """The database's current stamp; None before the first change (nothing cached)."""
    value = conn.execute(_STAMP).scalar()
    return None if value is None else int(value)


def brand_snapshots(
    conn: Connection, brand_ids: Iterable[int], today: date
) -> dict[int, BrandSnapshot]:
    """Each brand's snapshot: from the cache when read at the current stamp (and day:
    engagements run by date), otherwise read now (one query per table for all of them)."""
    stamp = routing_stamp(conn)
    url = str(conn.engine.url)
    out: dict[int, BrandSnapshot] = {}
    missing: list[int] = []
    for b in sorted(set(brand_ids)):
        hit = _CACHE.get((url, b)) if stamp is not None else None
        if hit is not None and hit[0] == stamp and hit[1] == today:
            out[b] = hit[2]
        else:
            missing.append(b)
    if missing:
        for b, snap in _read(conn, missing, today).items():
            out[b] = snap
            if stamp is not None:
                if len(_CACHE) >= LIMIT:
                    _CACHE.clear()
                _CACHE[(url, b)] = (stamp, today, snap)
    return out


def _read(conn: Connection, brands: list[int], today: date) -> dict[int, BrandSnapshot]:
    configs = load_configs(conn, brands)
    hours = team_hours(conn, configs)
    profiles = load_agent_profiles(conn, configs, today)
    out = {}
    for b, cfg in configs.items():
        teams = cfg.engaged_teams(today)
        out[b] = BrandSnapshot(
            cfg,
            {t: entry for t, entry in hours.items() if entry[0] == b},
            tuple(a for a in profiles.values() if a.organisation_id == b or a.team_id in teams),
        )
    return out


def live_agents(conn: Connection, snapshots: Mapping[int, BrandSnapshot]) -> dict[int, AgentState]:
    """The snapshots' agents who are online now, each with their current load and idle
    time: fresh objects (the batch moves them), one per agent however many brands."""
    profiles = {a.user_id: a for snap in snapshots.values() for a in snap.agents}
    return {
        user_id: profiles[user_id].live(*state)
        for user_id, state in read_online(conn, profiles).items()
    }


def clear() -> None:
    """Forget every snapshot (tests; never needed for correctness)."""
    _CACHE.clear()
