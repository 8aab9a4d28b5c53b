"""Who manages a brand's people: teams, roles, active or not.

A brand's admins manage everyone of the brand; its supervisors manage the agents,
planners and viewers and hand out only those roles (supervisor and admin are given by
admins). Nobody deactivates themselves, and the last active admin is never demoted nor
deactivated: the brand would be left with nobody to configure it. Only admins delete a
team, and only one nothing depends on (:func:`do_delete_team`). A provider's staff
manage nothing here. Every change writes an audit event; the commit is the caller's.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from omnicase.model import (
    Case,
    Engagement,
    KpiDaily,
    Organisation,
    OverflowRule,
    QaReview,
    Role,
    SlaPolicy,
    Survey,
    Team,
    TeamHours,
    User,
)
from omnicase.model.cases import OPEN_STATUSES
from omnicase.services.cases import ActionError, record_event
from omnicase.services.orgs import check_team_name, do_create_team
from omnicase.store.scope import Principal

#: The roles a supervisor manages and may give.
SUPERVISED_ROLES = ("agent", "planner", "viewer")


def require_manager(who: Principal) -> int:
    """The brand whose people ``who`` manages; 403 for anyone else."""
    if not (who.is_brand_staff and who.can_manage and who.can_write):
        raise ActionError("only the brand's supervisors and admins manage its people", status=403)
    return who.organisation_id


def grantable_roles(who: Principal) -> tuple[str, ...]:
    """The roles ``who`` may give (the form offers only these)."""
    if not who.is_brand_staff:
        return ()
    if who.role == "admin":
        return tuple(Role.__members__)
    return SUPERVISED_ROLES if who.role == "supervisor" else ()


def check_may_grant(who: Principal, role: str) -> None:
    require_manager(who)
    if role not in Role.__members__:
        raise ActionError(f"must be one of {', '.join(Role.__members__)}", field="role", status=422)
    if role not in grantable_roles(who):
        raise ActionError(f"only the brand's admins give the {role} role", field="role", status=403)


def brand_user(session: Session, who: Principal, user_id: int) -> User:
    """A user of ``who``'s brand that ``who`` may manage: 404 for another organisation's
    (it does not exist for you), 403 for a supervisor's or an admin's if ``who`` is a
    supervisor."""
    brand_id = require_manager(who)
    user = session.get(User, user_id)
    if user is None or user.organisation_id != brand_id:
        raise ActionError(f"no user {user_id}", status=404)
    if who.role != "admin" and user.role not in SUPERVISED_ROLES:
        raise ActionError(
            "only the brand's admins manage its supervisors and admins", field="user", status=403
        )
    return user


def brand_team(session: Session, who: Principal, team_id: int) -> Team:
    brand_id = require_manager(who)
    team = session.get(Team, team_id)
    if team is None or team.organisation_id != brand_id:
        raise ActionError(f"no team {team_id}", field="team", status=404)
    return team


def do_add_team(session: Session, who: Principal, name: str) -> Team:
    """A new team of the brand; a name already taken is refused (unlike the seeds'
    :func:`~omnicase.services.orgs.do_create_team`, which returns the existing team)."""
    brand_id = require_manager(who)
    clean = check_team_name(session, brand_id, name, None)
    brand = session.get(Organisation, brand_id)
    assert brand is not None
    team = do_create_team(session, brand, clean)
    record_event(
        session,
        "team.created",
        brand_id=brand_id,
        actor=who.actor,
        data={"team": team.id, "name": team.name},
    )
    return team


def do_set_team(session: Session, who: Principal, user: User, team: Team | None) -> User:
    """Put ``user`` in ``team`` (None: in no team)."""
    require_manager(who)
    if team is not None and team.organisation_id != user.organisation_id:
        raise ActionError("the team belongs to another organisation", field="team", status=422)
    new = team.id if team is not None else None
    if new != user.team_id:
        before, user.team_id = user.team_id, new
        record_event(
            session,
            "user.team_changed",
            brand_id=user.organisation_id,
            actor=who.actor,
            data={"user": user.id, "from": before, "to": new},
        )
    return user


def _other_active_admins(session: Session, user: User) -> int:
    return int(
        session.scalar(
            select(func.count(User.id)).where(
                User.organisation_id == user.organisation_id,
                User.role == "admin",
                User.active.is_(True),
                User.id != user.id,
            )
        )
        or 0
    )


def _keep_an_admin(session: Session, user: User, field: str) -> None:
    if user.role == "admin" and user.active and _other_active_admins(session, user) == 0:
        raise ActionError(
            "the brand's last active admin stays an active admin (give the role to someone "
            "else first)",
            field=field,
        )


def do_set_role(session: Session, who: Principal, user: User, role: str) -> User:
    check_may_grant(who, role)
    if role == user.role:
        return user
    if role != "admin":
        _keep_an_admin(session, user, "role")
    before, user.role = user.role, role
    record_event(
        session,
        "user.role_changed",
        brand_id=user.organisation_id,
        actor=who.actor,
        data={"user": user.id, "from": before, "to": role},
    )
    return user


def do_set_active(session: Session, who: Principal, user: User, active: bool) -> User:
    """Deactivate (no login, no token, no routing: their sessions stop at the next
    request) or reactivate."""
    require_manager(who)
    if active == user.active:
        return user
    if not active:
        if user.id == who.user_id:
            raise ActionError("you cannot deactivate yourself", field="active", status=422)
        _keep_an_admin(session, user, "active")
    user.active = active
    record_event(
        session,
        "user.reactivated" if active else "user.deactivated",
        brand_id=user.organisation_id,
        actor=who.actor,
        data={"user": user.id},
    )
    return user


def _count(session: Session, query: Any) -> int:
    return int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)


def team_dependants(session: Session, team: Team) -> str | None:
    """Why ``team`` cannot go, or None: its active people, its open cases, an engagement,
    the overflow rules and SLA escalation steps that name it, and the history (cases,
    ratings, QA reviews, KPI rows) whose figures are credited to it."""
    members = _count(session, select(User.id).where(User.team_id == team.id, User.active))
    if members:
        return f"{members} active user(s) are in this team: move them to another team first"
    is_team = Case.team_id == team.id
    open_cases = _count(session, select(Case.id).where(is_team, Case.status.in_(OPEN_STATUSES)))
    if open_cases:
        return f"{open_cases} open case(s) are with this team: hand them to another team first"
    if _count(session, select(Engagement.id).where(Engagement.team_id == team.id)):
        return "the team is (or was) engaged on a brand"
    brand = team.organisation_id
    rules = session.scalars(select(OverflowRule).where(OverflowRule.brand_id == brand))
    named = sorted(r.id for r in rules if (r.params or {}).get("team_id") == team.id)
    if named:
        return f"overflow rule(s) {', '.join(map(str, named))} count this team's hours"
    policies = session.scalars(select(SlaPolicy).where(SlaPolicy.brand_id == brand))
    steps = sorted(
        p.name for p in policies if any(e.get("team_id") == team.id for e in p.escalations or [])
    )
    if steps:
        return f"the escalation steps of SLA policy {', '.join(steps)} name this team"
    history = sum(
        _count(session, select(model.id).where(column == team.id))
        for model, column in (
            (Case, Case.team_id),
            (Survey, Survey.team_id),
            (QaReview, QaReview.team_id),
            (KpiDaily, KpiDaily.team_id),
        )
    )
    if history:
        return "cases, ratings or KPIs in the history are credited to this team: rename it instead"
    return None


def do_delete_team(session: Session, who: Principal, team: Team) -> None:
    """Delete a team nothing depends on (:func:`team_dependants` says why not); its
    deactivated members are left in no team, its weekly hours go with it."""
    brand_id = require_manager(who)
    if who.role != "admin":
        raise ActionError("only the brand's admins delete a team", field="team", status=403)
    if team.organisation_id != brand_id:
        raise ActionError(f"no team {team.id}", field="team", status=404)
    why = team_dependants(session, team)
    if why is not None:
        raise ActionError(why, field="team", status=422)
    cleared = list(session.scalars(select(User.id).where(User.team_id == team.id)))
    session.execute(update(User).where(User.team_id == team.id).values(team_id=None))
    session.execute(delete(TeamHours).where(TeamHours.team_id == team.id))
    record_event(
        session,
        "team.deleted",
        brand_id=brand_id,
        actor=who.actor,
        data={"team": team.id, "name": team.name, "members_cleared": cleared},
    )
    session.delete(team)
    session.flush()
