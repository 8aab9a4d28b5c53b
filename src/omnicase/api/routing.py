"""Routing configuration and agents' routing state under ``/api/v1``.

A brand's admins and supervisors configure its queues, overflow rules, team hours and
routing settings; its other staff read them; provider staff never see a brand's routing
configuration. An organisation's supervisors set their agents' skills, capacity and
presence; an agent sets their own presence and pulls their next case.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.api.deps import Reader, Writer
from omnicase.api.errors import CONFLICT, ERRORS, NOT_FOUND
from omnicase.model import (
    AgentProfile,
    Customer,
    Organisation,
    OverflowRule,
    RoutingQueue,
    TeamHours,
    User,
)
from omnicase.model.base import utcnow
from omnicase.routing.agents import do_set_presence, do_take_next_case
from omnicase.routing.configure import (
    brand_queues,
    do_create_overflow_rule,
    do_create_queue,
    do_delete_overflow_rule,
    do_delete_queue,
    do_set_agent_profile,
    do_set_customer_tags,
    do_set_routing_settings,
    do_set_team_hours,
    do_update_overflow_rule,
    do_update_queue,
    profile_of,
)
from omnicase.routing.snapshot import routing_settings
from omnicase.store.references import format_reference
from omnicase.store.scope import Principal

router = APIRouter(prefix="/api/v1", tags=["routing"])
ALL = {**ERRORS, **NOT_FOUND, **CONFLICT}


class QueueOut(BaseModel):
    key: str
    name: str
    position: int
    is_default: bool
    min_level: int
    rules: list[dict[str, Any]]

    @classmethod
    def of(cls, q: RoutingQueue) -> QueueOut:
        return cls(
            key=q.key,
            name=q.name,
            position=q.position,
            is_default=q.is_default,
            min_level=q.min_level,
            rules=q.rules,
        )


class QueueBody(BaseModel):
    """Rules: ``channels``, ``reasons``, ``languages``, ``customer_tags`` (lists, empty =
    any) and ``min_priority``; a queue matches when one of its rules does."""

    model_config = ConfigDict(extra="forbid")

    key: str | None = Field(None, max_length=64)
    name: str | None = Field(None, max_length=200)
    position: int | None = None
    is_default: bool | None = None
    min_level: int | None = None
    rules: list[dict[str, Any]] | None = None


class OverflowOut(BaseModel):
    id: int
    position: int
    kind: str
    params: dict[str, Any]
    engagement_id: int
    team_id: int | None
    active: bool


class OverflowBody(BaseModel):
    """``kind``: wait_over (``seconds``), backlog_over (``cases``), outside_hours
    (``team_id`` of the internal team, optional), channel_or_reason, share (``percent``);
    ``queues``/``channels``/``reasons`` in ``params`` say which cases the rule looks at."""

    model_config = ConfigDict(extra="forbid")

    kind: str | None = None
    params: dict[str, Any] | None = None
    engagement_id: int | None = None
    position: int | None = None
    active: bool | None = None


class HoursBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    timezone: str | None = None
    weekly: dict[str, list[list[str]]]


class HoursOut(BaseModel):
    team_id: int
    timezone: str
    weekly: dict[str, list[list[str]]]


class ProfileBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    skills: dict[str, Any] | None = None
    level: int | None = None
    capacity: dict[str, int] | None = None


class ProfileOut(BaseModel):
    user_id: int
    skills: dict[str, Any]
    level: int
    capacity: dict[str, int]
    presence: str
    presence_since: datetime
    last_assigned_at: datetime | None

    @classmethod
    def of(cls, p: AgentProfile) -> ProfileOut:
        return cls(
            user_id=p.user_id,
            skills=p.skills or {},
            level=p.level,
            capacity=p.capacity or {},
            presence=p.presence,
            presence_since=p.presence_since,
            last_assigned_at=p.last_assigned_at,
        )


class PresenceBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    presence: str = Field(description="online, away or offline")


class TagsBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    tags: list[str]


class NextCaseOut(BaseModel):
    id: int
    reference: str
    queue: str | None
    channel: str
    priority: int
    team_id: int | None
    assignee_id: int | None


def _body(model: BaseModel) -> dict[str, Any]:
    return model.model_dump(exclude_unset=True)


def _reading_brand(session: Session, who: Principal) -> Organisation:
    if not who.is_brand_staff:
        raise HTTPException(403, "provider staff do not see a brand's routing configuration")
    brand = session.get(Organisation, who.organisation_id)
    assert brand is not None
    return brand


def _managing_brand(session: Session, who: Principal) -> Organisation:
    brand = _reading_brand(session, who)
    if not who.can_manage:
        raise HTTPException(403, "only the brand's admins and supervisors configure routing")
    return brand


def _queue(session: Session, brand: Organisation, key: str) -> RoutingQueue:
    queue = session.scalar(
        select(RoutingQueue).where(RoutingQueue.brand_id == brand.id, RoutingQueue.key == key)
    )
    if queue is None:
        raise HTTPException(404, f"no queue {key!r}")
    return queue


def _rule(session: Session, brand: Organisation, rule_id: int) -> OverflowRule:
    rule = session.get(OverflowRule, rule_id)
    if rule is None or rule.brand_id != brand.id:
        raise HTTPException(404, f"no overflow rule {rule_id}")
    return rule


def _overflow_out(session: Session, rule: OverflowRule) -> OverflowOut:
    from omnicase.model import Engagement

    engagement = session.get(Engagement, rule.engagement_id)
    return OverflowOut(
        id=rule.id,
        position=rule.position,
        kind=rule.kind,
        params=rule.params,
        engagement_id=rule.engagement_id,
        team_id=engagement.team_id if engagement else None,
        active=rule.active,
    )


@router.get("/routing/queues", response_model=list[QueueOut], responses=ERRORS)
def list_queues(auth: Reader) -> list[QueueOut]:
    """The brand's queues in the order their rules are tried."""
    session, who = auth
    brand = _reading_brand(session, who)
    return [QueueOut.of(q) for q in brand_queues(session, brand.id)]


@router.post("/routing/queues", response_model=QueueOut, status_code=201, responses=ALL)
def create_queue(body: QueueBody, auth: Writer) -> QueueOut:
    session, who = auth
    brand = _managing_brand(session, who)
    queue = do_create_queue(session, brand, _body(body), who)
    session.commit()
    return QueueOut.of(queue)


@router.patch("/routing/queues/{key}", response_model=QueueOut, responses=ALL)
def update_queue(key: str, body: QueueBody, auth: Writer) -> QueueOut:
    session, who = auth
    brand = _managing_brand(session, who)
    queue = do_update_queue(session, brand, _queue(session, brand, key), _body(body), who)
    session.commit()
    return QueueOut.of(queue)


@router.delete("/routing/queues/{key}", status_code=204, responses=ALL)
def delete_queue(key: str, auth: Writer) -> Response:
    session, who = auth
    brand = _managing_brand(session, who)
    do_delete_queue(session, _queue(session, brand, key), who)
    session.commit()
    return Response(status_code=204)


@router.get("/routing/overflow-rules", response_model=list[OverflowOut], responses=ERRORS)
def list_overflow_rules(auth: Reader) -> list[OverflowOut]:
    session, who = auth
    brand = _reading_brand(session, who)
    rules = session.scalars(
        select(OverflowRule)
        .where(OverflowRule.brand_id == brand.id)
        .order_by(OverflowRule.position, OverflowRule.id)
    )
    return [_overflow_out(session, r) for r in rules]


@router.post("/routing/overflow-rules", response_model=OverflowOut, status_code=201, responses=ALL)
def create_overflow_rule(body: OverflowBody, auth: Writer) -> OverflowOut:
    session, who = auth
    brand = _managing_brand(session, who)
    rule = do_create_overflow_rule(session, brand, _body(body), who)
    session.commit()
    return _overflow_out(session, rule)


@router.patch("/routing/overflow-rules/{rule_id}", response_model=OverflowOut, responses=ALL)
def update_overflow_rule(rule_id: int, body: OverflowBody, auth: Writer) -> OverflowOut:
    session, who = auth
    brand = _managing_brand(session, who)
    rule = do_update_overflow_rule(session, brand, _rule(session, brand, rule_id), _body(body), who)
    session.commit()
    return _overflow_out(session, rule)


@router.delete("/routing/overflow-rules/{rule_id}", status_code=204, responses=ALL)
def delete_overflow_rule(rule_id: int, auth: Writer) -> Response:
    session, who = auth
    brand = _managing_brand(session, who)
    do_delete_overflow_rule(session, _rule(session, brand, rule_id), who)
    session.commit()
    return Response(status_code=204)


@router.get("/routing/settings", response_model=dict[str, Any], responses=ERRORS)
def get_settings(auth: Reader) -> dict[str, Any]:
    """Capacity per channel kind (call / chat / async), offline grace, handling rate."""
    session, who = auth
    brand = _reading_brand(session, who)
    return dict(routing_settings(brand.settings))


@router.put("/routing/settings", response_model=dict[str, Any], responses=ALL)
def put_settings(body: dict[str, Any], auth: Writer) -> dict[str, Any]:
    session, who = auth
    brand = _managing_brand(session, who)
    out = do_set_routing_settings(session, brand, body, who)
    session.commit()
    return out


@router.put("/routing/teams/{team_id}/hours", response_model=HoursOut, responses=ALL)
def put_team_hours(team_id: int, body: HoursBody, auth: Writer) -> HoursOut:
    """Weekly hours of one of the brand's teams (``outside_hours`` overflow looks at them)."""
    session, who = auth
    brand = _managing_brand(session, who)
    row = do_set_team_hours(session, brand, team_id, body.timezone, body.weekly, who)
    session.commit()
    return HoursOut(team_id=row.team_id, timezone=row.timezone, weekly=row.weekly)


@router.get("/routing/teams/{team_id}/hours", response_model=HoursOut, responses=ALL)
def get_team_hours(team_id: int, auth: Reader) -> HoursOut:
    session, who = auth
    brand = _reading_brand(session, who)
    row = session.get(TeamHours, team_id)
    from omnicase.model import Team

    team = session.get(Team, team_id)
    if team is None or team.organisation_id != brand.id or row is None:
        raise HTTPException(404, f"no hours for team {team_id}")
    return HoursOut(team_id=row.team_id, timezone=row.timezone, weekly=row.weekly)


@router.put("/routing/customers/{customer_id}/tags", response_model=TagsBody, responses=ALL)
def put_customer_tags(customer_id: int, body: TagsBody, auth: Writer) -> TagsBody:
    """Tags queue rules route on (``vip``…)."""
    session, who = auth
    brand = _managing_brand(session, who)
    customer = session.get(Customer, customer_id)
    if customer is None or customer.brand_id != brand.id:
        raise HTTPException(404, f"no customer {customer_id}")
    do_set_customer_tags(session, customer, body.tags, who)
    session.commit()
    return TagsBody(tags=customer.tags)


def _agent(session: Session, who: Principal, user_id: int, *, manage: bool) -> User:
    """A user of ``who``'s organisation; managing another's profile needs a supervisor."""
    user = session.get(User, user_id)
    if user is None or user.organisation_id != who.organisation_id:
        raise HTTPException(404, f"no user {user_id} in your organisation")
    if manage and user.id != who.user_id and not who.can_manage:
        raise HTTPException(403, "only your organisation's admins and supervisors set this")
    return user


@router.get("/agents/{user_id}/profile", response_model=ProfileOut, responses=ALL)
def get_profile(user_id: int, auth: Reader) -> ProfileOut:
    session, who = auth
    user = _agent(session, who, user_id, manage=False)
    profile = session.get(AgentProfile, user.id)
    if profile is None:
        raise HTTPException(404, f"user {user_id} has no routing profile yet")
    return ProfileOut.of(profile)


@router.put("/agents/{user_id}/profile", response_model=ProfileOut, responses=ALL)
def put_profile(user_id: int, body: ProfileBody, auth: Writer) -> ProfileOut:
    """Skills (languages, reasons, channels, brands), level, capacity per channel kind."""
    session, who = auth
    user = _agent(session, who, user_id, manage=True)
    if not who.can_manage:
        raise HTTPException(403, "only your organisation's admins and supervisors set skills")
    profile = do_set_agent_profile(session, user, _body(body), who)
    session.commit()
    return ProfileOut.of(profile)


def _presence(session: Session, who: Principal, user: User, body: PresenceBody) -> ProfileOut:
    profile = do_set_presence(session, user, body.presence, utcnow(), who)
    session.commit()
    return ProfileOut.of(profile)


@router.put("/agents/me/presence", response_model=ProfileOut, responses=ALL)
def put_my_presence(body: PresenceBody, auth: Writer) -> ProfileOut:
    """Online / away / offline. Coming online takes waiting cases up to your capacity."""
    session, who = auth
    user = _agent(session, who, who.user_id, manage=False)
    return _presence(session, who, user, body)


@router.put("/agents/{user_id}/presence", response_model=ProfileOut, responses=ALL)
def put_presence(user_id: int, body: PresenceBody, auth: Writer) -> ProfileOut:
    """A supervisor sets anyone's presence in their organisation."""
    session, who = auth
    user = _agent(session, who, user_id, manage=True)
    return _presence(session, who, user, body)


@router.post(
    "/agents/me/next-case",
    response_model=NextCaseOut,
    responses={**ALL, 204: {"description": "no case waiting that you may take"}},
)
def next_case(auth: Writer) -> NextCaseOut | Response:
    """Pull mode: assign yourself the most urgent waiting case you may take."""
    session, who = auth
    user = _agent(session, who, who.user_id, manage=False)
    profile_of(session, user.id)
    case = do_take_next_case(session, user, utcnow(), who)
    if case is None:
        session.commit()
        return Response(status_code=204)
    brand = session.get(Organisation, case.brand_id)
    out = NextCaseOut(
        id=case.id,
        reference=format_reference(brand.case_prefix or "" if brand else "", case.id),
        queue=case.queue,
        channel=case.channel,
        priority=case.priority,
        team_id=case.team_id,
        assignee_id=case.assignee_id,
    )
    session.commit()
    return out
