"""SLA policies and business-hours calendars of the caller's brand (admins write)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException, Response
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.api.deps import Reader, Writer
from omnicase.api.errors import CONFLICT, ERRORS, NOT_FOUND
from omnicase.ingest.schema import Channel
from omnicase.model.sla import ANY_PRIORITY, Calendar, SlaPolicy
from omnicase.sla import admin
from omnicase.sla.policies import DEFAULT_AT_RISK_PERCENT, DEFAULT_WEEKLY, DEFAULTS
from omnicase.store.scope import Principal

router = APIRouter(prefix="/api/v1/sla", tags=["sla"])

Ranges = list[list[str]]


class CalendarIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=100, examples=["Paris office"])
    timezone: str = Field(max_length=64, examples=["Europe/Paris"])
    weekly: dict[str, Ranges] = Field(
        description='{"mon": [["09:00", "12:30"], ["14:00", "18:00"]], ...}; a day left '
        "out is closed; an overnight shift is two ranges on two days",
        examples=[DEFAULT_WEEKLY],
    )
    country: str | None = Field(
        default=None, max_length=2, description="public holidays of this country (ISO code)"
    )
    subdivision: str | None = Field(
        default=None,
        max_length=32,
        description='e.g. "Alsace-Moselle" (or 57, 67, 68), "974" (La Réunion)',
    )
    closures: list[dict[str, Any]] = Field(
        default_factory=list,
        description='[{"date": "2026-12-24", "hours": [["14:00", "24:00"]]}] closed hours '
        '(none: the whole day; "until": a last day for several whole days)',
    )
    openings: list[dict[str, Any]] = Field(
        default_factory=list,
        description='[{"date": "2026-12-20", "hours": [["10:00", "16:00"]]}] open instead',
    )
    is_default: bool = Field(
        default=False, description="the calendar of business-hours policies that name none"
    )


class CalendarPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, min_length=1, max_length=100)
    timezone: str | None = Field(default=None, max_length=64)
    weekly: dict[str, Ranges] | None = None
    country: str | None = Field(default=None, max_length=2)
    subdivision: str | None = Field(default=None, max_length=32)
    closures: list[dict[str, Any]] | None = None
    openings: list[dict[str, Any]] | None = None
    is_default: bool | None = None


class CalendarOut(BaseModel):
    id: int
    name: str
    timezone: str
    weekly: dict[str, Any]
    country: str | None
    subdivision: str | None
    closures: list[dict[str, Any]]
    openings: list[dict[str, Any]]
    is_default: bool
    updated_at: datetime

    @classmethod
    def of(cls, cal: Calendar) -> CalendarOut:
        return cls.model_validate(cal, from_attributes=True)


class PolicyIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=100)
    channel: Channel
    priority: int | None = Field(default=None, description="0-3; null: any priority")
    first_response_seconds: int = Field(examples=[86400])
    next_response_seconds: int | None = None
    resolution_seconds: int | None = None
    business_hours: bool = Field(
        default=False, description="count targets on a business-hours calendar"
    )
    calendar_id: int | None = Field(default=None, description="default: the brand's default")
    at_risk_percent: int = Field(default=DEFAULT_AT_RISK_PERCENT, description="1-99")
    escalations: list[dict[str, Any]] = Field(
        default_factory=list,
        description='[{"on": "at_risk"|"breached", "action": "raise_priority"|"notify"|'
        '"reassign"|"overflow", ...}] (docs/sla.md)',
    )


class PolicyPatch(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str | None = Field(default=None, max_length=100)
    channel: Channel | None = None
    priority: int | None = None
    first_response_seconds: int | None = None
    next_response_seconds: int | None = None
    resolution_seconds: int | None = None
    business_hours: bool | None = None
    calendar_id: int | None = None
    at_risk_percent: int | None = None
    escalations: list[dict[str, Any]] | None = None


class PolicyOut(BaseModel):
    id: int
    name: str
    channel: str
    priority: int | None
    first_response_seconds: int
    next_response_seconds: int | None
    resolution_seconds: int | None
    business_hours: bool
    calendar_id: int | None
    at_risk_percent: int
    escalations: list[dict[str, Any]]
    updated_at: datetime

    @classmethod
    def of(cls, p: SlaPolicy) -> PolicyOut:
        out = cls.model_validate(p, from_attributes=True)
        return out.model_copy(
            update={"priority": None if p.priority == ANY_PRIORITY else p.priority}
        )


class DefaultOut(BaseModel):
    channel: str
    first_response_seconds: int
    next_response_seconds: int | None
    resolution_seconds: int | None
    business_hours: bool


def _dump(body: BaseModel, *, patch: bool) -> dict[str, Any]:
    data = body.model_dump(exclude_unset=patch)
    if isinstance(data.get("channel"), Channel):
        data["channel"] = data["channel"].value
    return data


def _own(session: Session, who: Principal, model: Any, obj_id: int) -> Any:
    brand_id = admin.require_brand_staff(who)
    obj = session.get(model, obj_id)
    if obj is None or obj.brand_id != brand_id:
        raise HTTPException(404, f"no {model.__tablename__[:-1]} {obj_id} in your brand")
    return obj


# ---- calendars ----------------------------------------------------------------------------


@router.get("/calendars", response_model=list[CalendarOut], responses=ERRORS)
def list_calendars(auth: Reader) -> list[CalendarOut]:
    session, who = auth
    brand_id = admin.require_brand_staff(who)
    rows = session.scalars(
        select(Calendar).where(Calendar.brand_id == brand_id).order_by(Calendar.id)
    )
    return [CalendarOut.of(c) for c in rows]


@router.post(
    "/calendars", response_model=CalendarOut, status_code=201, responses={**ERRORS, **CONFLICT}
)
def create_calendar(body: CalendarIn, auth: Writer) -> CalendarOut:
    session, who = auth
    cal = admin.do_create_calendar(session, who, _dump(body, patch=False))
    session.commit()
    return CalendarOut.of(cal)


@router.get(
    "/calendars/{calendar_id}", response_model=CalendarOut, responses={**ERRORS, **NOT_FOUND}
)
def get_calendar(calendar_id: int, auth: Reader) -> CalendarOut:
    session, who = auth
    return CalendarOut.of(_own(session, who, Calendar, calendar_id))


@router.patch(
    "/calendars/{calendar_id}",
    response_model=CalendarOut,
    responses={**ERRORS, **NOT_FOUND, **CONFLICT},
)
def patch_calendar(calendar_id: int, body: CalendarPatch, auth: Writer) -> CalendarOut:
    session, who = auth
    cal = _own(session, who, Calendar, calendar_id)
    admin.do_update_calendar(session, who, cal, _dump(body, patch=True))
    session.commit()
    return CalendarOut.of(cal)


@router.delete(
    "/calendars/{calendar_id}", status_code=204, responses={**ERRORS, **NOT_FOUND, **CONFLICT}
)
def delete_calendar(calendar_id: int, auth: Writer) -> Response:
    session, who = auth
    admin.do_delete_calendar(session, who, _own(session, who, Calendar, calendar_id))
    session.commit()
    return Response(status_code=204)


# ---- policies -----------------------------------------------------------------------------


@router.get("/defaults", response_model=list[DefaultOut], responses=ERRORS)
def list_defaults(auth: Reader) -> list[DefaultOut]:
    """The built-in targets a channel gets when the brand has no policy for it."""
    return [
        DefaultOut(
            channel=channel,
            first_response_seconds=d.first_response,
            next_response_seconds=d.next_response,
            resolution_seconds=d.resolution,
            business_hours=d.business_hours,
        )
        for channel, d in DEFAULTS.items()
    ]


@router.get("/policies", response_model=list[PolicyOut], responses=ERRORS)
def list_policies(auth: Reader) -> list[PolicyOut]:
    session, who = auth
    brand_id = admin.require_brand_staff(who)
    rows = session.scalars(
        select(SlaPolicy).where(SlaPolicy.brand_id == brand_id).order_by(SlaPolicy.id)
    )
    return [PolicyOut.of(p) for p in rows]


@router.post(
    "/policies", response_model=PolicyOut, status_code=201, responses={**ERRORS, **CONFLICT}
)
def create_policy(body: PolicyIn, auth: Writer) -> PolicyOut:
    session, who = auth
    policy = admin.do_create_policy(session, who, _dump(body, patch=False))
    session.commit()
    return PolicyOut.of(policy)


@router.get("/policies/{policy_id}", response_model=PolicyOut, responses={**ERRORS, **NOT_FOUND})
def get_policy(policy_id: int, auth: Reader) -> PolicyOut:
    session, who = auth
    return PolicyOut.of(_own(session, who, SlaPolicy, policy_id))


@router.patch(
    "/policies/{policy_id}", response_model=PolicyOut, responses={**ERRORS, **NOT_FOUND, **CONFLICT}
)
def patch_policy(policy_id: int, body: PolicyPatch, auth: Writer) -> PolicyOut:
    session, who = auth
    policy = _own(session, who, SlaPolicy, policy_id)
    admin.do_update_policy(session, who, policy, _dump(body, patch=True))
    session.commit()
    return PolicyOut.of(policy)


@router.delete(
    "/policies/{policy_id}", status_code=204, responses={**ERRORS, **NOT_FOUND, **CONFLICT}
)
def delete_policy(policy_id: int, auth: Writer) -> Response:
    session, who = auth
    admin.do_delete_policy(session, who, _own(session, who, SlaPolicy, policy_id))
    session.commit()
    return Response(status_code=204)
