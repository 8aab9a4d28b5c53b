"""The reply composer's consistency check and the inconsistencies people decide on.

``POST /api/v1/cases/{ref}/replies/check`` reads only: the draft's contradictions with
the request's earlier answers (that the user may see) and the brand's macros.
``GET /api/v1/cases/{ref}/inconsistencies`` lists what sent answers were found to
contradict; ``POST /api/v1/inconsistencies/{id}/confirm|dismiss`` decides (agents,
supervisors, admins of the brand or of an engaged provider; the case must be visible)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, HTTPException
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.api.cases import _visible_case
from omnicase.api.deps import Reader, Writer
from omnicase.api.errors import ERRORS, NOT_FOUND
from omnicase.ingest.schema import Channel
from omnicase.model import Case, Inconsistency
from omnicase.services.consistency import (
    check_draft,
    do_confirm_inconsistency,
    do_dismiss_inconsistency,
    finding_view,
)
from omnicase.store.scope import Principal, case_filter

router = APIRouter(prefix="/api/v1", tags=["consistency"])


class CheckIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=100_000, description="the draft answer")
    channel: Channel | None = Field(default=None, description="the channel it will go out on")


class FindingOut(BaseModel):
    kind: str = Field(description="amount, delay, date, decision or policy")
    slot: str = Field(description="what the fact is about: refund_delay, shipping_fee…")
    value: str = Field(description="what the draft says")
    other_value: str = Field(description="what was said before")
    said: dict[str, Any] = Field(description="message_id, channel, team, case, or macro_id")


class CheckOut(BaseModel):
    consistent: bool
    findings: list[FindingOut]


class InconsistencyOut(BaseModel):
    id: int
    case_id: int
    message_id: int | None
    kind: str
    detail: dict[str, Any]
    status: str
    decided_by: str | None
    decided_at: datetime | None
    detected_at: datetime

    @classmethod
    def of(cls, row: Inconsistency) -> InconsistencyOut:
        return cls.model_validate(row, from_attributes=True)


@router.post(
    "/cases/{reference}/replies/check",
    response_model=CheckOut,
    responses={**ERRORS, **NOT_FOUND},
)
def check_reply(reference: str, body: CheckIn, auth: Reader) -> CheckOut:
    """What the draft contradicts, before it is sent. Writes nothing."""
    session, who = auth
    case = _visible_case(session, who, reference)
    findings = check_draft(
        session, case, who, body.body, body.channel.value if body.channel else None
    )
    return CheckOut(
        consistent=not findings,
        findings=[FindingOut.model_validate(finding_view(f)) for f in findings],
    )


@router.get(
    "/cases/{reference}/inconsistencies",
    response_model=list[InconsistencyOut],
    responses={**ERRORS, **NOT_FOUND},
)
def list_inconsistencies(reference: str, auth: Reader) -> list[InconsistencyOut]:
    session, who = auth
    case = _visible_case(session, who, reference)
    rows = session.scalars(
        select(Inconsistency).where(Inconsistency.case_id == case.id).order_by(Inconsistency.id)
    )
    return [InconsistencyOut.of(r) for r in rows]


def _visible_inconsistency(session: Session, who: Principal, row_id: int) -> Inconsistency:
    row = session.get(Inconsistency, row_id)
    visible = row is not None and session.scalar(
        select(Case.id).where(Case.id == row.case_id, case_filter(session, who))
    )
    if row is None or not visible:
        raise HTTPException(404, f"no inconsistency {row_id} visible to you")
    return row


@router.post(
    "/inconsistencies/{row_id}/confirm",
    response_model=InconsistencyOut,
    responses={**ERRORS, **NOT_FOUND},
)
def confirm(row_id: int, auth: Writer) -> InconsistencyOut:
    """The answer did contradict what was said: it counts in the consistency rate."""
    session, who = auth
    row = do_confirm_inconsistency(session, _visible_inconsistency(session, who, row_id), who)
    session.commit()
    return InconsistencyOut.of(row)


@router.post(
    "/inconsistencies/{row_id}/dismiss",
    response_model=InconsistencyOut,
    responses={**ERRORS, **NOT_FOUND},
)
def dismiss(row_id: int, auth: Writer) -> InconsistencyOut:
    """A false alarm: it does not count."""
    session, who = auth
    row = do_dismiss_inconsistency(session, _visible_inconsistency(session, who, row_id), who)
    session.commit()
    return InconsistencyOut.of(row)
