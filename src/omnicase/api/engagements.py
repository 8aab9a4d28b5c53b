"""Provider engagements under ``/api/v1``: which provider teams serve the brand, on what.

Brand staff list their brand's engagements, provider staff their own team's (the rule of
:func:`omnicase.store.scope.engagement_filter`); only the brand's admins engage, re-scope
and end them (:mod:`omnicase.services.engagements`). Another brand's engagement is a 404.
"""

from __future__ import annotations

from datetime import date, datetime

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.api.deps import Reader, Writer
from omnicase.api.errors import ERRORS, NOT_FOUND
from omnicase.model import Engagement, Organisation, Team
from omnicase.services.engagements import (
    brand_today,
    do_end_engagement,
    do_engage_team,
    do_update_engagement,
)
from omnicase.store.scope import Principal, engagement_filter

router = APIRouter(prefix="/api/v1", tags=["engagements"])
ALL = {**ERRORS, **NOT_FOUND}


class EngagementOut(BaseModel):
    id: int
    brand_id: int
    team_id: int
    team: str
    provider_id: int
    provider: str
    channels: list[str]
    queues: list[str]
    reasons: list[str]
    overflow_only: bool
    share_percent: int | None
    starts_on: date
    ends_on: date | None = Field(description="the last day served; none: open-ended")
    created_at: datetime

    @classmethod
    def of(cls, e: Engagement, team: Team, provider: Organisation) -> EngagementOut:
        return cls(
            id=e.id,
            brand_id=e.brand_id,
            team_id=team.id,
            team=team.name,
            provider_id=provider.id,
            provider=provider.name,
            channels=list(e.channels or []),
            queues=list(e.queues or []),
            reasons=list(e.reasons or []),
            overflow_only=e.overflow_only,
            share_percent=e.share_percent,
            starts_on=e.starts_on,
            ends_on=e.ends_on,
            created_at=e.created_at,
        )


class ScopeBody(BaseModel):
    """What the engagement covers: channels, queues (keys) and reasons (empty = any);
    ``overflow_only``: the team sees only the cases handed to it; ``share_percent``: the
    part of the brand's cases it takes (1-100)."""

    model_config = ConfigDict(extra="forbid")

    channels: list[str] | None = Field(None, max_length=50)
    queues: list[str] | None = Field(None, max_length=200)
    reasons: list[str] | None = Field(None, max_length=200)
    overflow_only: bool = False
    share_percent: int | None = None


class EngageBody(ScopeBody):
    team_id: int = Field(description="the provider's team engaged")
    starts_on: date | None = Field(None, description="the first day served; default today")
    ends_on: date | None = Field(None, description="the last day served; default open-ended")


class EndBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    ends_on: date | None = Field(None, description="the last day served; default today")


def _out(session: Session, e: Engagement) -> EngagementOut:
    team = session.get(Team, e.team_id)
    assert team is not None
    return EngagementOut.of(e, team, team.organisation)


def _engagement(session: Session, who: Principal, engagement_id: int) -> Engagement:
    """One the caller may see (writing it is the service's check: a 403)."""
    engagement = session.scalar(
        select(Engagement).where(Engagement.id == engagement_id, engagement_filter(who))
    )
    if engagement is None:
        raise HTTPException(404, f"no engagement {engagement_id}")
    return engagement


def _brand(session: Session, brand_id: int) -> Organisation:
    brand = session.get(Organisation, brand_id)
    assert brand is not None
    return brand


@router.get("/engagements", response_model=list[EngagementOut], responses=ERRORS)
def list_engagements(auth: Reader) -> list[EngagementOut]:
    """The brand's engagements (brand staff) or your team's (provider staff), ended
    ones included, by start date."""
    session, who = auth
    rows = session.execute(
        select(Engagement, Team, Organisation)
        .join(Team, Team.id == Engagement.team_id)
        .join(Organisation, Organisation.id == Team.organisation_id)
        .where(engagement_filter(who))
        .order_by(Engagement.starts_on, Engagement.id)
    )
    return [EngagementOut.of(e, t, o) for e, t, o in rows]


@router.post("/engagements", response_model=EngagementOut, status_code=201, responses=ALL)
def engage_team(body: EngageBody, auth: Writer) -> EngagementOut:
    """A provider team starts serving the brand (the brand's admins only)."""
    session, who = auth
    brand = _brand(session, who.organisation_id)
    fields = body.model_dump(exclude_unset=True, exclude={"team_id"})
    if fields.get("starts_on") is None:
        fields["starts_on"] = brand_today(brand)
    engagement = do_engage_team(session, who, brand, body.team_id, fields)
    out = _out(session, engagement)
    session.commit()
    return out


@router.patch("/engagements/{engagement_id}", response_model=EngagementOut, responses=ALL)
def update_engagement(engagement_id: int, body: ScopeBody, auth: Writer) -> EngagementOut:
    """Re-scope: only the fields sent change; dates change by ending it."""
    session, who = auth
    engagement = _engagement(session, who, engagement_id)
    do_update_engagement(session, who, engagement, body.model_dump(exclude_unset=True))
    out = _out(session, engagement)
    session.commit()
    return out


@router.post("/engagements/{engagement_id}/end", response_model=EngagementOut, responses=ALL)
def end_engagement(engagement_id: int, auth: Writer, body: EndBody | None = None) -> EngagementOut:
    """Set the last day served (default the brand's today): the provider's staff lose
    access to the brand's cases once it is over."""
    session, who = auth
    engagement = _engagement(session, who, engagement_id)
    ends_on = body.ends_on if body is not None else None
    if ends_on is None:
        ends_on = brand_today(_brand(session, engagement.brand_id))
    do_end_engagement(session, who, engagement, ends_on)
    out = _out(session, engagement)
    session.commit()
    return out
