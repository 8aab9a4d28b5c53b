"""Building routing set-ups for tests: agents with profiles, queues, overflow rules."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from omnicase.model import Case, Engagement, Organisation, Team, User
from omnicase.routing.agents import do_set_presence
from omnicase.routing.configure import (
    do_create_overflow_rule,
    do_create_queue,
    do_set_agent_profile,
)
from omnicase.services.orgs import do_create_user
from omnicase.store.db import Database
from omnicase.store.scope import Principal, principal_for
from tests.factories import T0, World

_n = iter(range(1, 1_000_000))


def who(db: Database, user_id: int) -> Principal:
    with db.reading() as s:
        user = s.get(User, user_id)
        assert user is not None
        return principal_for(s, user)


def admin(db: Database, world: World, org: str = "acme") -> Principal:
    return who(db, world.ids[f"{org}:admin"])


def add_agent(
    db: Database,
    world: World,
    org: str = "acme",
    *,
    team: int | None = None,
    skills: dict[str, Any] | None = None,
    capacity: dict[str, int] | None = None,
    level: int = 1,
    presence: str = "online",
    at: datetime = T0,
) -> int:
    """A new agent of ``org`` (on ``team``), with a profile, set to ``presence``."""
    with db.transaction() as s:
        organisation = s.scalar(select(Organisation).where(Organisation.slug == org))
        assert organisation is not None
        team_row = s.get(Team, team) if team is not None else None
        user = do_create_user(
            s,
            organisation,
            email=f"routed-agent{next(_n)}@{org}.test",  # the world has agent2@callpro.test
            name="agent",
            role="agent",
            team=team_row,
        )
        boss = principal_for(s, s.get(User, world.ids[f"{org}:supervisor"]) or user)
        do_set_agent_profile(
            s, user, {"skills": skills or {}, "capacity": capacity or {}, "level": level}, boss
        )
        do_set_presence(s, user, presence, at, boss)
        return user.id


def set_presence(db: Database, world: World, user_id: int, presence: str, at: datetime) -> None:
    with db.transaction() as s:
        user = s.get(User, user_id)
        assert user is not None
        do_set_presence(s, user, presence, at, principal_for(s, user))


def queue(db: Database, world: World, body: dict[str, Any], brand: str = "acme") -> None:
    with db.transaction() as s:
        org = s.scalar(select(Organisation).where(Organisation.slug == brand))
        assert org is not None
        do_create_queue(s, org, body, admin(db, world, brand))


def overflow(db: Database, world: World, body: dict[str, Any], brand: str = "acme") -> int:
    with db.transaction() as s:
        org = s.scalar(select(Organisation).where(Organisation.slug == brand))
        assert org is not None
        body.setdefault("engagement_id", engagement_id(db, world))
        return do_create_overflow_rule(s, org, body, admin(db, world, brand)).id


def engagement_id(db: Database, world: World) -> int:
    with db.reading() as s:
        found = s.scalar(select(Engagement.id).where(Engagement.team_id == world.ids["team"]))
        assert found is not None
        return found


def case(db: Database, case_id: int) -> Case:
    with db.reading() as s:
        row = s.get(Case, case_id)
        assert row is not None
        return row
