"""Web sessions: log in with a password, look a session up from its cookie, log out,
change the password. State changes are ``do_*`` functions that write their audit event and
never commit (the page's request dependency does).

The cookie carries a 256-bit random token; the table keeps only its SHA-256, so the table
alone logs nobody in. A session ends ``idle`` hours after its last request or
``absolute`` hours after login, whichever comes first, or when revoked (logout, password
change).

Lockout with backoff and the second factor come from :mod:`omnicase.services.auth`:
:func:`check_login_allowed` runs before the password is even checked,
:func:`record_login_failure` after a failed attempt, and admins and supervisors who turned
TOTP on give a code (or a recovery code) with their password.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from omnicase.model import User, WebSession
from omnicase.security.secrets import SecretBox
from omnicase.services import auth as account_security
from omnicase.services.cases import ActionError, record_event
from omnicase.services.orgs import hash_password, verify_password

COOKIE = "omnicase_session"
MIN_PASSWORD = 10


@dataclass(frozen=True, slots=True)
class Timeouts:
    idle: timedelta = timedelta(hours=8)
    absolute: timedelta = timedelta(hours=24)


@dataclass(frozen=True, slots=True)
class LoginAttempt:
    """What a login check may look at (never the password)."""

    email: str
    ip: str | None
    user_agent: str | None
    now: datetime


class LoginRefused(Exception):
    """Wrong email or password (one message for both: no account enumeration), or a
    check refused the attempt. ``key``: the page's message (``login.wrong``,
    ``login.locked``, ``login.code``)."""

    def __init__(self, reason: str, key: str = "login.wrong", retry_after: int = 0) -> None:
        super().__init__(reason)
        self.key = key
        self.retry_after = retry_after


def hash_session_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _brand_of(user: User) -> int | None:
    org = user.organisation
    return org.id if org.kind == "brand" else None


def check_login_allowed(session: Session, attempt: LoginAttempt) -> None:
    """Refuse an attempt while its account or address is locked (before any password
    check, so a locked account gives away nothing)."""
    decision = account_security.check_login_allowed(session, attempt.email, attempt.ip, attempt.now)
    if not decision.allowed:
        raise LoginRefused(decision.reason, "login.locked", decision.retry_after)


def record_login_failure(session: Session, attempt: LoginAttempt, user: User | None) -> None:
    """After a failed attempt: counted towards the lockout, and in the audit log."""
    account_security.record_login_failure(session, attempt.email, attempt.ip, attempt.now)
    record_event(
        session,
        "web.login_failed",
        brand_id=_brand_of(user) if user is not None else None,
        actor=f"user:{user.id}" if user is not None else "anonymous",
        data={"user": user.id if user is not None else None, "ip": attempt.ip},
    )


def _new_session(
    session: Session, user: User, attempt: LoginAttempt, timeouts: Timeouts
) -> tuple[WebSession, str]:
    token = secrets.token_urlsafe(32)
    row = WebSession(
        id=hash_session_token(token),
        user_id=user.id,
        created_at=attempt.now,
        last_seen_at=attempt.now,
        expires_at=attempt.now + timeouts.absolute,
        csrf_secret=secrets.token_urlsafe(32),
        revoked_at=None,
        ip=(attempt.ip or "")[:64] or None,
        user_agent=(attempt.user_agent or "")[:400] or None,
    )
    session.add(row)
    session.flush()
    return row, token


def do_login(
    session: Session,
    attempt: LoginAttempt,
    password: str,
    timeouts: Timeouts,
    *,
    code: str = "",
    box: SecretBox | None = None,
) -> tuple[WebSession, str]:
    """A new session and its clear token (for the cookie), or :class:`LoginRefused`."""
    check_login_allowed(session, attempt)
    email = attempt.email.strip().lower()
    user = session.scalar(select(User).where(User.email == email))
    if user is None or not user.active or not verify_password(user, password):
        record_login_failure(session, attempt, user)
        raise LoginRefused("wrong email or password")
    if account_security.second_factor_required(user) and (
        box is None
        or not code.strip()
        or not account_security.verify_second_factor(session, box, user, code, attempt.now)
    ):
        record_login_failure(session, attempt, user)
        raise LoginRefused("second factor missing or wrong", "login.code")
    account_security.record_login_success(session, user, attempt.ip, attempt.now, password)
    row, token = _new_session(session, user, attempt, timeouts)
    record_event(
        session,
        "web.login",
        brand_id=_brand_of(user),
        actor=f"user:{user.id}",
        data={"user": user.id, "ip": row.ip},
    )
    return row, token


def session_alive(row: WebSession, now: datetime, timeouts: Timeouts) -> bool:
    return (
        row.revoked_at is None and now < row.expires_at and now < row.last_seen_at + timeouts.idle
    )


def lookup_session(
    session: Session, token: str | None, now: datetime, timeouts: Timeouts
) -> tuple[WebSession, User] | None:
    """The live session of a cookie and its active user, or None (expired, revoked,
    unknown, user deactivated). Never writes: see :func:`do_touch_session`."""
    if not token or len(token) > 200:
        return None
    row = session.get(WebSession, hash_session_token(token))
    if row is None or not session_alive(row, now, timeouts):
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return row, user


#: last_seen_at is written at most this often (a page load is a read, mostly).
TOUCH_EVERY = timedelta(minutes=1)


def do_touch_session(session: Session, row: WebSession, now: datetime) -> bool:
    """Move the idle deadline; returns whether anything was written."""
    if now - row.last_seen_at < TOUCH_EVERY:
        return False
    session.execute(
        update(WebSession)
        .where(WebSession.id == row.id, WebSession.revoked_at.is_(None))
        .values(last_seen_at=now)
    )
    return True


def do_logout(session: Session, row: WebSession, now: datetime) -> None:
    session.execute(
        update(WebSession)
        .where(WebSession.id == row.id, WebSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    user = session.get(User, row.user_id)
    record_event(
        session,
        "web.logout",
        brand_id=_brand_of(user) if user is not None else None,
        actor=f"user:{row.user_id}",
        data={"user": row.user_id},
    )


def do_change_password(
    session: Session, user: User, current: str, new: str, keep: WebSession, now: datetime
) -> int:
    """Needs the current password; revokes every other session of the user (a stolen
    cookie dies with the old password). Returns how many sessions were revoked."""
    if not verify_password(user, current):
        raise ActionError("the current password is wrong", field="current_password", status=422)
    if len(new) < MIN_PASSWORD:
        raise ActionError(f"at least {MIN_PASSWORD} characters", field="new_password", status=422)
    if new == current:
        raise ActionError("same as the current one", field="new_password", status=422)
    user.password_hash = hash_password(new)
    result = session.execute(
        update(WebSession)
        .where(
            WebSession.user_id == user.id,
            WebSession.id != keep.id,
            WebSession.revoked_at.is_(None),
        )
        .values(revoked_at=now)
    )
    revoked = int(getattr(result, "rowcount", 0) or 0)
    record_event(
        session,
        "web.password_changed",
        brand_id=_brand_of(user),
        actor=f"user:{user.id}",
        data={"user": user.id, "sessions_revoked": revoked},
    )
    return revoked


def csrf_ok(row: WebSession, given: str | None) -> bool:
    return bool(given) and hmac.compare_digest(row.csrf_secret, given or "")
