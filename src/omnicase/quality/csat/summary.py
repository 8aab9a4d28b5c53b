"""CSAT results: counts per team, agent or channel over a period, within the access rule.

``csat_counts`` is what the KPI engine plugs in (sent, answered, sum of ratings,
satisfied = 4–5); ``csat_summary`` adds the rates for people to read.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import case, func, select, true
from sqlalchemy.orm import Session

from omnicase.model import Organisation, Survey, SurveyStatus, Team, User
from omnicase.quality.access import visible_teams
from omnicase.services.cases import ActionError
from omnicase.store.scope import Principal

BREAKDOWNS = ("team", "agent", "channel")
#: Surveys that went out (the denominator of the response rate).
OUT = (SurveyStatus.sent, SurveyStatus.answered, SurveyStatus.expired)


@dataclass(frozen=True, slots=True)
class CsatCounts:
    key: int | str | None
    sent: int
    answered: int
    rating_sum: int
    satisfied: int

    @property
    def response_rate(self) -> float | None:
        return self.answered / self.sent if self.sent else None

    @property
    def csat(self) -> float | None:
        """Share of answers that are 4 or 5 (the usual CSAT %)."""
        return self.satisfied / self.answered if self.answered else None

    @property
    def average(self) -> float | None:
        return self.rating_sum / self.answered if self.answered else None


def _column(by: str) -> Any:
    if by == "team":
        return Survey.team_id
    if by == "agent":
        return Survey.agent_id
    if by == "channel":
        return Survey.channel
    raise ActionError(f"one of {', '.join(BREAKDOWNS)}", "by", 422)


def csat_counts(
    session: Session,
    brand_id: int,
    start: datetime,
    end: datetime,
    by: str = "team",
    team_ids: set[int] | None = None,
) -> list[CsatCounts]:
    """Surveys sent in ``[start, end)`` grouped ``by``; ``team_ids`` narrows to teams
    (None: the whole brand)."""
    key = _column(by)
    answered = Survey.status == SurveyStatus.answered
    rows = session.execute(
        select(
            key,
            func.count(Survey.id),
            func.sum(case((answered, 1), else_=0)),
            func.coalesce(func.sum(case((answered, Survey.rating), else_=0)), 0),
            func.sum(case((answered & (Survey.rating >= 4), 1), else_=0)),
        )
        .where(
            Survey.brand_id == brand_id,
            Survey.status.in_(OUT),
            Survey.sent_at >= start,
            Survey.sent_at < end,
            Survey.team_id.in_(team_ids) if team_ids is not None else true(),
        )
        .group_by(key)
        .order_by(key)
    ).all()
    return [
        CsatCounts(r[0], int(r[1]), int(r[2] or 0), int(r[3] or 0), int(r[4] or 0)) for r in rows
    ]


def csat_summary(
    session: Session,
    who: Principal,
    brand: Organisation,
    start: datetime,
    end: datetime,
    by: str = "team",
) -> dict[str, object]:
    """Totals and one row per team/agent/channel, with names; provider users get their
    own team's surveys only."""
    if end <= start:
        raise ActionError("must be after start", "end", 422)
    teams = visible_teams(session, who)
    rows = csat_counts(session, brand.id, start, end, by, teams)
    names: dict[object, str] = {}
    ids = [r.key for r in rows if isinstance(r.key, int)]
    if by == "team" and ids:
        names = {
            i: n for i, n in session.execute(select(Team.id, Team.name).where(Team.id.in_(ids)))
        }
    elif by == "agent" and ids:
        names = {
            i: n for i, n in session.execute(select(User.id, User.name).where(User.id.in_(ids)))
        }
    total = CsatCounts(
        None,
        sum(r.sent for r in rows),
        sum(r.answered for r in rows),
        sum(r.rating_sum for r in rows),
        sum(r.satisfied for r in rows),
    )
    return {
        "brand": brand.slug,
        "start": start.isoformat(),
        "end": end.isoformat(),
        "by": by,
        "total": _row(total, None),
        "rows": [_row(r, names.get(r.key)) for r in rows],
    }


def _row(r: CsatCounts, name: str | None) -> dict[str, object]:
    return {
        "key": r.key,
        "name": name,
        "sent": r.sent,
        "answered": r.answered,
        "rating_sum": r.rating_sum,
        "satisfied": r.satisfied,
        "response_rate": _round(r.response_rate),
        "csat": _round(r.csat),
        "average": _round(r.average),
    }


def _round(value: float | None) -> float | None:
    return round(value, 4) if value is not None else None


__all__ = ["BREAKDOWNS", "CsatCounts", "csat_counts", "csat_summary", "visible_teams"]
