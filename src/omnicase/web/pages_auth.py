"""Login, logout, password change, language switch and presence toggle."""

from __future__ import annotations

import secrets
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response

from omnicase.api.deps import get_db
from omnicase.config import Settings
from omnicase.model import User
from omnicase.model.base import utcnow
from omnicase.routing.agents import do_set_presence
from omnicase.security.secrets import SecretBox
from omnicase.services.cases import ActionError
from omnicase.store.db import Database
from omnicase.web.auth import (
    COOKIE,
    LoginAttempt,
    LoginRefused,
    do_change_password,
    do_login,
    do_logout,
)
from omnicase.web.deps import PageError, PageReader, PageWriter, page_language, timeouts
from omnicase.web.i18n import LANG_COOKIE, LANGUAGES
from omnicase.web.nav import home_for
from omnicase.web.templating import render

router = APIRouter(include_in_schema=False)
LOGIN_CSRF = "omnicase_login_csrf"


def secure_cookie(request: Request) -> bool:
    settings: Settings = request.app.state.settings
    mode = settings.web_cookie_secure
    return mode == "always" or (mode == "auto" and request.url.scheme == "https")


def safe_next(value: str | None) -> str | None:
    """Only a path of this site (never ``//evil.example`` or ``https://…``)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return None
    return value


def _login_page(request: Request, error: str = "", email: str = "", status: int = 200) -> Response:
    token = request.cookies.get(LOGIN_CSRF) or secrets.token_urlsafe(32)
    response = render(
        request,
        "login.html",
        None,
        lang=page_language(request, None),
        status=status,
        login_csrf=token,
        error=error,
        email=email,
        next=safe_next(request.query_params.get("next")) or "",
    )
    response.set_cookie(
        LOGIN_CSRF, token, httponly=True, samesite="strict", secure=secure_cookie(request)
    )
    return response


@router.get("/login")
def login_form(request: Request) -> Response:
    return _login_page(request)


@router.post("/login")
def login(
    request: Request,
    db: Annotated[Database, Depends(get_db)],
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1000)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    code: Annotated[str, Form(max_length=64)] = "",
    next: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    expected = request.cookies.get(LOGIN_CSRF)
    if not expected or not secrets.compare_digest(expected, csrf_token):
        return _login_page(request, "login.expired_form", email, status=403)
    attempt = LoginAttempt(
        email=email,
        ip=request.client.host if request.client else None,
        user_agent=request.headers.get("user-agent"),
        now=utcnow(),
    )
    settings: Settings = request.app.state.settings
    with db.write_sessions() as session:
        try:
            row, token = do_login(
                session,
                attempt,
                password,
                timeouts(settings),
                code=code,
                box=SecretBox.from_settings(settings),
            )
        except LoginRefused as refused:
            session.commit()  # the failure is counted and audited
            page = _login_page(request, refused.key, email, status=401)
            if refused.retry_after:
                page.status_code = 429
                page.headers["Retry-After"] = str(refused.retry_after)
            return page
        user = session.get(User, row.user_id)
        role = user.role if user is not None else "agent"
        session.commit()
    target = safe_next(next) or home_for(role)
    response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        token,
        max_age=settings.web_session_absolute_hours * 3600,
        httponly=True,
        samesite="lax",
        secure=secure_cookie(request),
        path="/",
    )
    response.delete_cookie(LOGIN_CSRF)
    return response


@router.post("/logout")
def logout(page: PageWriter) -> Response:
    do_logout(page.db, page.web_session, utcnow())
    page.db.commit()
    response = RedirectResponse("/login", status_code=303)
    response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/account")
def account(request: Request, page: PageReader) -> Response:
    return render(request, "account.html", page, error=None, done=False)


@router.post("/account/password")
def change_password(
    request: Request,
    page: PageWriter,
    current_password: Annotated[str, Form(max_length=1000)],
    new_password: Annotated[str, Form(max_length=1000)],
    confirm_password: Annotated[str, Form(max_length=1000)],
) -> Response:
    if new_password != confirm_password:
        error = {"field": "confirm_password", "reason": page.t("account.mismatch")}
        return render(request, "account.html", page, error=error, done=False, status=422)
    try:
        do_change_password(
            page.db, page.user, current_password, new_password, page.web_session, utcnow()
        )
    except ActionError as exc:
        error = {"field": exc.field or "", "reason": str(exc)}
        page.db.rollback()
        return render(request, "account.html", page, error=error, done=False, status=exc.status)
    page.db.commit()
    return render(request, "account.html", page, error=None, done=True)


@router.post("/language")
def set_language(
    request: Request,
    lang: Annotated[str, Form(max_length=8)],
    csrf_token: Annotated[str, Form(max_length=200)] = "",
    back: Annotated[str, Form(max_length=2000)] = "/",
) -> Response:
    """Works logged out too (the login page's switch): a preference, not a state change."""
    if lang not in LANGUAGES:
        raise PageError(422, "error.language", field="lang")
    response = RedirectResponse(safe_next(back) or "/", status_code=303)
    response.set_cookie(
        LANG_COOKIE,
        lang,
        max_age=365 * 86400,
        httponly=True,
        samesite="lax",
        secure=secure_cookie(request),
    )
    return response


@router.post("/presence")
def set_presence(
    request: Request, page: PageWriter, presence: Annotated[str, Form(max_length=16)]
) -> Response:
    try:
        do_set_presence(page.db, page.user, presence, utcnow(), page.who)
    except ActionError as exc:
        raise PageError(exc.status, "error.presence", str(exc), exc.field or "") from exc
    page.db.commit()
    page.__dict__.pop("presence", None)
    return render(request, "_presence.html", page)
