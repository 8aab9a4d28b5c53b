"""QA scorecards: grids, grading, the weekly sample, scores per agent and team.

Access: grading and reading reviews needs a supervisor or admin. Brand staff grade any
answer of their brand, their own agents' and their providers' agents'; a provider
supervisor only answers of its own team's agents, on cases it may see (the access rule of
``store/scope.py``); another brand sees nothing (404, as if it did not exist).
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, select
from sqlalchemy.orm import Session

from omnicase.model import Case, Customer, Message, Organisation, QaGrid, QaReview, Team, User
from omnicase.model.base import utcnow
from omnicase.quality.access import visible_teams
from omnicase.quality.qa import checks
from omnicase.quality.qa.grids import GridError, check_criteria, score
from omnicase.services.cases import ActionError, record_event
from omnicase.sla.policies import DEFAULTS
from omnicase.store.scope import Principal, case_filter

MAX_SAMPLE = 50


def _manager(who: Principal) -> None:
    if not who.can_manage:
        raise ActionError(f"the {who.role} role cannot grade (supervisor or admin)", status=403)


def do_create_grid(
    session: Session, who: Principal, name: str, criteria: list[dict[str, Any]] | None = None
) -> QaGrid:
    """A brand's scorecard (the default five criteria when none are given)."""
    _manager(who)
    if not who.is_brand_staff:
        raise ActionError("grids belong to the brand: its staff create them", status=403)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ActionError("1 to 200 characters", "name", 422)
    try:
        clean = check_criteria(criteria)
    except GridError as exc:
        raise ActionError(exc.reason, exc.field, 422) from None
    grid = QaGrid(brand_id=who.organisation_id, name=name, criteria=clean, created_at=utcnow())
    session.add(grid)
    session.flush()
    record_event(
        session,
        "qa.grid_created",
        brand_id=grid.brand_id,
        actor=who.actor,
        data={"grid": grid.id, "criteria": [c["key"] for c in clean]},
    )
    return grid


def grids_of(session: Session, brand_id: int) -> list[QaGrid]:
    return list(
        session.scalars(select(QaGrid).where(QaGrid.brand_id == brand_id).order_by(QaGrid.id))
    )


def _grid(session: Session, brand_id: int, grid_id: int | None) -> QaGrid:
    if grid_id is not None:
        grid = session.get(QaGrid, grid_id)
        if grid is None or grid.brand_id != brand_id:
            raise ActionError(f"no grid {grid_id} for this brand", "grid_id", 422)
        return grid
    grid = session.scalar(select(QaGrid).where(QaGrid.brand_id == brand_id).order_by(QaGrid.id))
    if grid is None:  # a brand that never made one grades on the default grid
        grid = QaGrid(brand_id=brand_id, name="Default", criteria=check_criteria(None))
        session.add(grid)
        session.flush()
    return grid


def answer_filter(session: Session, who: Principal) -> ColumnElement[bool]:
    """Agents' answers ``who`` may grade or see graded: outbound, written by a person,
    on a visible case, and for provider users by an agent of a visible team."""
    condition = and_(
        Message.direction == "outbound",
        Message.author_user_id.is_not(None),
        case_filter(session, who),
    )
    teams = visible_teams(session, who)
    if teams is not None:
        condition = and_(condition, User.team_id.in_(teams))
    return condition


def _answers(session: Session, who: Principal) -> Select[Message, Case, User]:
    return (
        select(Message, Case, User)
        .join(Case, Case.id == Message.case_id)
        .join(User, User.id == Message.author_user_id)
        .where(answer_filter(session, who))
    )


def _answer(session: Session, who: Principal, message_id: int) -> tuple[Message, Case, User]:
    row = session.execute(_answers(session, who).where(Message.id == message_id)).first()
    if row is None:
        raise ActionError(f"no agent's answer {message_id} you may grade", "message_id", 404)
    return row[0], row[1], row[2]


def _asked_at(session: Session, message: Message) -> datetime | None:
    return session.scalar(
        select(func.max(Message.received_at)).where(
            Message.case_id == message.case_id,
            Message.direction == "inbound",
            Message.received_at <= message.received_at,
        )
    )


def pre_checks(session: Session, message: Message, case: Case) -> dict[str, Any]:
    """The automatic checks of one answer, with the case's SLA data: the first answer
    is judged against the due time the clocks computed, later ones against the channel's
    next-response objective."""
    first = case.first_response_at is not None and message.received_at <= case.first_response_at
    default = DEFAULTS.get(message.channel)
    ignore: list[str] = []
    customer = session.get(Customer, case.customer_id)
    if customer is not None and customer.name:
        ignore.extend(customer.name.split())
    brand = session.get(Organisation, case.brand_id)
    if brand is not None:
        ignore.extend(brand.name.split())
        vocabulary = ((brand.settings or {}).get("qa") or {}).get("vocabulary") or []
        ignore.extend(str(w) for w in vocabulary if isinstance(w, str))
    return checks.auto_checks(
        message.text or "",
        message.language or case.language or (brand.language if brand else None),
        message.channel,
        answered_at=message.received_at,
        asked_at=_asked_at(session, message),
        due_at=case.first_response_due_at if first else None,
        objective_s=default.next_response if default else None,
        ignore=ignore,
    )


def do_grade(
    session: Session,
    who: Principal,
    message_id: int,
    scores: Mapping[str, Any],
    scale: str = "100",
    comment: str | None = None,
    grid_id: int | None = None,
) -> QaReview:
    """Grade one agent's answer on the brand's grid; the pre-checks are stored with it."""
    _manager(who)
    message, case, agent = _answer(session, who, message_id)
    grid = _grid(session, case.brand_id, grid_id)
    try:
        clean, total = score(grid.criteria, scores, scale)
    except GridError as exc:
        raise ActionError(exc.reason, exc.field, 422) from None
    if comment is not None and len(comment) > 5000:
        raise ActionError("at most 5000 characters", "comment", 422)
    review = QaReview(
        brand_id=case.brand_id,
        case_id=case.id,
        message_id=message.id,
        agent_id=agent.id,
        team_id=agent.team_id,
        reviewer_id=who.user_id,
        grid_id=grid.id,
        scores=clean,
        total=total,
        comment=(comment or "").strip() or None,
        auto_checks=pre_checks(session, message, case),
        created_at=utcnow(),
    )
    session.add(review)
    session.flush()
    record_event(
        session,
        "qa.graded",
        brand_id=case.brand_id,
        actor=who.actor,
        case_id=case.id,
        message_id=message.id,
        data={"review": review.id, "agent": agent.id, "total": total},
    )
    return review


def review_filter(session: Session, who: Principal) -> ColumnElement[bool]:
    """Reviews ``who`` may read: the brand's (brand staff), their teams' (provider)."""
    if who.is_brand_staff:
        return QaReview.brand_id == who.organisation_id
    teams = visible_teams(session, who) or set()
    brands = {g for g in _provider_brands(session, who)}
    return and_(QaReview.team_id.in_(teams), QaReview.brand_id.in_(brands))


def _provider_brands(session: Session, who: Principal) -> set[int]:
    from omnicase.store.scope import visible_brand_ids

    return visible_brand_ids(session, who)


def list_reviews(
    session: Session,
    who: Principal,
    brand_id: int,
    *,
    agent_id: int | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    limit: int = 100,
) -> list[QaReview]:
    _manager(who)
    query = select(QaReview).where(review_filter(session, who), QaReview.brand_id == brand_id)
    if agent_id is not None:
        query = query.where(QaReview.agent_id == agent_id)
    if start is not None:
        query = query.where(QaReview.created_at >= start)
    if end is not None:
        query = query.where(QaReview.created_at < end)
    return list(session.scalars(query.order_by(QaReview.id.desc()).limit(limit)))


def week_bounds(day: date) -> tuple[datetime, datetime]:
    """Monday 00:00 UTC of ``day``'s ISO week, and the next Monday."""
    monday = day - timedelta(days=day.weekday())
    begin = datetime.combine(monday, time(0), tzinfo=UTC)
    return begin, begin + timedelta(days=7)


def sample(
    session: Session,
    who: Principal,
    brand_id: int,
    week: date,
    per_agent: int = 3,
    seed: int = 0,
) -> dict[int, list[int]]:
    """Agent id → up to ``per_agent`` of their answers of ``week`` (ISO week of the
    date) to grade: random, and the same again for the same seed (each agent's draw is
    seeded by seed, brand, week and agent, so it does not depend on the others)."""
    _manager(who)
    if not 1 <= per_agent <= MAX_SAMPLE:
        raise ActionError(f"from 1 to {MAX_SAMPLE}", "per_agent", 422)
    start, end = week_bounds(week)
    rows = session.execute(
        select(Message.author_user_id, Message.id)
        .join(Case, Case.id == Message.case_id)
        .join(User, User.id == Message.author_user_id)
        .where(
            answer_filter(session, who),
            Message.brand_id == brand_id,
            Message.received_at >= start,
            Message.received_at < end,
        )
        .order_by(Message.author_user_id, Message.id)
    ).all()
    by_agent: dict[int, list[int]] = {}
    for agent, message_id in rows:
        if agent is not None:
            by_agent.setdefault(int(agent), []).append(int(message_id))
    return {
        agent: draw(ids, per_agent, seed, brand_id, start.date(), agent)
        for agent, ids in by_agent.items()
    }


def draw(ids: list[int], n: int, seed: int, brand_id: int, week: date, agent: int) -> list[int]:
    """``n`` of one agent's answers (pure): seeded by seed, brand, ISO week and agent."""
    iso = week.isocalendar()
    rng = random.Random(f"{seed}:{brand_id}:{iso.year}-W{iso.week}:{agent}")
    return sorted(rng.sample(sorted(ids), min(n, len(ids))))


def qa_summary(
    session: Session,
    who: Principal,
    brand_id: int,
    start: datetime,
    end: datetime,
    by: str = "agent",
) -> list[dict[str, Any]]:
    """Reviews created in ``[start, end)`` per agent or team: count, sum and average of
    the totals (the KPI engine uses count and sum), per-criterion averages."""
    if by not in ("agent", "team"):
        raise ActionError("agent or team", "by", 422)
    key = QaReview.agent_id if by == "agent" else QaReview.team_id
    reviews = session.execute(
        select(key, QaReview.total, QaReview.scores).where(
            review_filter(session, who),
            QaReview.brand_id == brand_id,
            QaReview.created_at >= start,
            QaReview.created_at < end,
        )
    ).all()
    groups: dict[int | None, list[tuple[float, dict[str, float]]]] = {}
    for k, total, scores in reviews:
        groups.setdefault(k, []).append((float(total), dict(scores or {})))
    names = _names(session, by, [k for k in groups if k is not None])
    out = []
    for k in sorted(groups, key=lambda x: (x is None, x or 0)):
        items = groups[k]
        criteria: dict[str, list[float]] = {}
        for _, scores in items:
            for c, v in scores.items():
                criteria.setdefault(c, []).append(float(v))
        total = sum(t for t, _ in items)
        out.append(
            {
                "key": k,
                "name": names.get(k) if k is not None else None,
                "reviews": len(items),
                "total_sum": round(total, 2),
                "average": round(total / len(items), 2),
                "criteria": {c: round(sum(v) / len(v), 2) for c, v in sorted(criteria.items())},
            }
        )
    return out


def _names(session: Session, by: str, ids: list[int]) -> dict[int | None, str]:
    if not ids:
        return {}
    model = User if by == "agent" else Team
    return {
        int(i): str(n)
        for i, n in session.execute(select(model.id, model.name).where(model.id.in_(ids)))
    }
