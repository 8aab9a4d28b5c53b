"""Provider contracts: brand admins set what an engagement promises (and costs)."""

from __future__ import annotations

from typing import Any

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.model import Engagement, EngagementContract
from omnicase.model.base import utcnow
from omnicase.reports.contracts import ContractError, check_contract
from omnicase.services.cases import ActionError, record_event
from omnicase.store.scope import Principal


def _engagement(session: Session, who: Principal, engagement_id: int) -> Engagement:
    eng = session.get(Engagement, engagement_id)
    if eng is None or not who.is_brand_staff or eng.brand_id != who.organisation_id:
        raise ActionError("no such engagement", status=404)
    return eng


def get_contract(session: Session, who: Principal, engagement_id: int) -> EngagementContract:
    _engagement(session, who, engagement_id)
    row = session.scalar(
        select(EngagementContract).where(EngagementContract.engagement_id == engagement_id)
    )
    if row is None:
        raise ActionError("this engagement has no contract yet", status=404)
    return row


def _recipients(values: list[str]) -> list[str]:
    out = []
    for i, value in enumerate(values):
        try:
            out.append(validate_email(value, check_deliverability=False).normalized)
        except EmailNotValidError as exc:
            raise ActionError(str(exc), field=f"recipients.{i}", status=422) from None
    return out


def do_set_contract(
    session: Session,
    who: Principal,
    engagement_id: int,
    *,
    objectives: dict[str, Any],
    rules: dict[str, Any],
    recipients: list[str],
) -> EngagementContract:
    """Create or replace the engagement's contract (brand admins of its brand)."""
    eng = _engagement(session, who, engagement_id)
    if who.role != "admin":
        raise ActionError("only the brand's admins set provider contracts", status=403)
    try:
        check_contract(objectives, rules)
    except ContractError as exc:
        raise ActionError(exc.reason, field=exc.field, status=422) from None
    emails = _recipients(recipients)
    row = session.scalar(
        select(EngagementContract).where(EngagementContract.engagement_id == engagement_id)
    )
    if row is None:
        row = EngagementContract(engagement_id=engagement_id)
        session.add(row)
    row.objectives = dict(objectives)
    row.rules = dict(rules)
    row.recipients = emails
    row.updated_at = utcnow()
    session.flush()
    record_event(
        session,
        "engagement.contract_set",
        brand_id=eng.brand_id,
        actor=who.actor,
        data={"engagement": eng.id, "objectives": sorted(objectives), "recipients": len(emails)},
    )
    return row
