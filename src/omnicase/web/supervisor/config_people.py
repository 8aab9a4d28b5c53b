"""Users and teams of the brand (``/supervisor/config/users``): create a user or a team,
rename or delete a team, put a user in a team, change a role, deactivate / reactivate.

Thin: ``services.staff`` decides who manages whom (admins everyone; supervisors the
agents, planners and viewers; nobody deactivates themselves; the last active admin
stays one). A refusal is shown next to its field — in the user's or the team's row for
the row forms — and nothing is written.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy import select
from starlette.datastructures import FormData

from omnicase.model import Team, User
from omnicase.services.cases import ActionError
from omnicase.services.orgs import do_create_user, do_rename_team
from omnicase.services.staff import (
    brand_team,
    brand_user,
    check_may_grant,
    do_add_team,
    do_delete_team,
    do_set_active,
    do_set_role,
    do_set_team,
    grantable_roles,
)
from omnicase.web.deps import Page, PageError
from omnicase.web.supervisor.config import Reader, Writer
from omnicase.web.templating import render

router = APIRouter(prefix="/supervisor/config", include_in_schema=False)
HOME = "/supervisor/config/users"


def _page(
    request: Request,
    page: Page,
    *,
    errors: dict[str, str] | None = None,
    form: Any = None,
    status: int = 422,
) -> Response:
    org = page.who.organisation_id
    teams = list(
        page.db.scalars(select(Team).where(Team.organisation_id == org).order_by(Team.name))
    )
    users = list(
        page.db.scalars(
            select(User).where(User.organisation_id == org).order_by(User.role, User.name)
        )
    )
    return render(
        request,
        "supervisor/config_users.html",
        page,
        users=users,
        teams={t.id: t for t in teams},
        members={t.id: sum(1 for u in users if u.team_id == t.id) for t in teams},
        roles=grantable_roles(page.who),
        manageable={u.id for u in users if _manageable(page, u)},
        errors=errors or {},
        form=form or {},
        status=status if errors else 200,
    )


def _manageable(page: Page, user: User) -> bool:
    try:
        brand_user(page.db, page.who, user.id)
    except ActionError:
        return False
    return True


def _refused(
    request: Request, page: Page, exc: ActionError, key: str, form: Any = None
) -> Response:
    """The page again with the refusal under ``key`` (403 kept as 403, the rest 422)."""
    page.db.rollback()
    if exc.status == 404:
        raise PageError(404, "error.not_found")
    status = 403 if exc.status == 403 else 422
    return _page(request, page, errors={key: str(exc)}, form=form, status=status)


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


@router.get("/users")
def users(request: Request, page: Reader) -> Response:
    return _page(request, page)


@router.post("/users")
async def create_user(request: Request, page: Writer) -> Response:
    """The user sets a password through the password reset given to them (none here)."""
    form = await request.form()
    email, name, role = _text(form, "email"), _text(form, "name"), _text(form, "role")
    errors: dict[str, str] = {}
    if "@" not in email or email.startswith("@") or email.endswith("@"):
        errors["email"] = "an email address"
    if not name:
        errors["name"] = "a non-empty name"
    if errors:
        return _page(request, page, errors=errors, form=dict(form))
    try:
        check_may_grant(page.who, role)
        team = _team_of(page, form.get("team_id"))
        do_create_user(page.db, page.organisation, email=email, name=name, role=role, team=team)
    except ActionError as exc:
        return _refused(request, page, exc, exc.field or "form", dict(form))
    page.db.commit()
    return RedirectResponse(HOME, status_code=303)


def _team_of(page: Page, value: Any) -> Team | None:
    """The brand's team a select names ("" = no team)."""
    if not isinstance(value, str) or not value.strip():
        return None
    if not value.strip().isdigit():
        raise ActionError("choose one of the brand's teams", field="team_id", status=422)
    try:
        return brand_team(page.db, page.who, int(value))
    except ActionError as exc:
        raise ActionError("choose one of the brand's teams", field="team_id", status=422) from exc


async def _row_action(
    request: Request,
    page: Page,
    key: str,
    act: Callable[[FormData], object],
    *,
    keep_form: bool = False,
) -> Response:
    """One row form's post: ``act`` on the form, then back to the page; a refusal is shown
    under ``key`` (what was typed kept when ``keep_form``) and nothing is written."""
    form = await request.form()
    try:
        act(form)
    except ActionError as exc:
        return _refused(request, page, exc, key, dict(form) if keep_form else None)
    page.db.commit()
    return RedirectResponse(HOME, status_code=303)


@router.post("/teams")
async def create_team(request: Request, page: Writer) -> Response:
    return await _row_action(
        request,
        page,
        "team_name",
        lambda form: do_add_team(page.db, page.who, _text(form, "team_name")),
        keep_form=True,
    )


@router.post("/teams/{team_id}")
async def rename_team(team_id: int, request: Request, page: Writer) -> Response:
    return await _row_action(
        request,
        page,
        f"teams.{team_id}.name",
        lambda form: do_rename_team(
            page.db, brand_team(page.db, page.who, team_id), _text(form, "name"), page.who.actor
        ),
    )


@router.post("/teams/{team_id}/delete")
async def delete_team(team_id: int, request: Request, page: Writer) -> Response:
    """Admins only; refused, in the team's row, while anything depends on the team."""
    return await _row_action(
        request,
        page,
        f"teams.{team_id}",
        lambda _: do_delete_team(page.db, page.who, brand_team(page.db, page.who, team_id)),
    )


async def _user_row(
    request: Request,
    page: Page,
    user_id: int,
    field: str,
    act: Callable[[User, FormData], object],
) -> Response:
    """A user row's form: ``act`` on a user ``who`` may manage (403/404 otherwise)."""
    return await _row_action(
        request,
        page,
        f"users.{user_id}.{field}",
        lambda form: act(brand_user(page.db, page.who, user_id), form),
    )


@router.post("/users/{user_id}/team")
async def set_team(user_id: int, request: Request, page: Writer) -> Response:
    return await _user_row(
        request,
        page,
        user_id,
        "team_id",
        lambda user, form: do_set_team(
            page.db, page.who, user, _team_of(page, form.get("team_id"))
        ),
    )


@router.post("/users/{user_id}/role")
async def set_role(user_id: int, request: Request, page: Writer) -> Response:
    return await _user_row(
        request,
        page,
        user_id,
        "role",
        lambda user, form: do_set_role(page.db, page.who, user, _text(form, "role")),
    )


@router.post("/users/{user_id}/active")
async def set_active(user_id: int, request: Request, page: Writer) -> Response:
    """``active=0`` deactivates, ``active=1`` reactivates."""
    return await _user_row(
        request,
        page,
        user_id,
        "active",
        lambda user, form: do_set_active(page.db, page.who, user, form.get("active") == "1"),
    )
