"""Accounts: password checks, login lockout with backoff, TOTP second factor, recovery codes.

The web login (another package) calls, in this order: :func:`check_login_allowed`, then
:func:`verify_password` (``services.orgs``), then :func:`record_login_failure` or
:func:`record_login_success`, and for a user with :func:`second_factor_required`,
:func:`verify_second_factor`. Nothing here commits: the caller's transaction does.

Lockout: after ``max_failures`` failed logins of one account (default 5) the account is
locked for ``base_seconds`` × 2^(failures − max_failures), at most ``max_seconds``; the
same per client IP with a higher threshold (one IP trying many accounts). Throttle rows
are keyed by SHA-256 of the email or IP: no address is stored or logged in the clear.

TOTP is RFC 6238 (HMAC-SHA1, 30 s steps, 6 digits, ±1 step of clock drift), written
here with ``hmac``/``hashlib`` (30 lines, checked against the RFC's test vectors) rather
than a dependency; a code is accepted once (the last step used is stored).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
import struct
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import quote

from argon2 import Type, extract_parameters
from argon2.exceptions import InvalidHashError
from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.config import Settings
from omnicase.model import LoginThrottle, RecoveryCode, User
from omnicase.security.secrets import SecretBox
from omnicase.services.cases import ActionError, record_event

log = logging.getLogger(__name__)

#: OWASP's floor for argon2id (19 MiB, 2 passes, 1 lane); argon2-cffi's defaults (RFC
#: 9106 "low memory": 64 MiB, 3 passes, 4 lanes) are above it.
MIN_MEMORY_KIB = 19_456
MIN_TIME_COST = 2
SECOND_FACTOR_ROLES = frozenset({"admin", "supervisor"})
RECOVERY_CODES = 10
TOTP_STEP = 30
TOTP_DIGITS = 6


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    max_failures: int = 5
    ip_max_failures: int = 20
    base_seconds: int = 30
    max_seconds: int = 3600
    #: failures older than this are forgotten (a typo last week does not count)
    forget_after: timedelta = timedelta(hours=24)


DEFAULT_POLICY = LockoutPolicy()


def lockout_policy(settings: Settings) -> LockoutPolicy:
    """The deployment's policy (``OMNICASE_LOGIN_MAX_FAILURES``; an IP gets 4× as many)."""
    n = settings.login_max_failures
    return LockoutPolicy(max_failures=n, ip_max_failures=4 * n)


@dataclass(frozen=True, slots=True)
class LoginDecision:
    allowed: bool
    retry_after: int = 0  # seconds
    reason: str = ""


def password_hash_ok(password_hash: str) -> bool:
    """True when the stored hash is argon2id with at least OWASP's parameters."""
    try:
        params = extract_parameters(password_hash)
    except (InvalidHashError, ValueError):
        return False
    return (
        params.type is Type.ID
        and params.memory_cost >= MIN_MEMORY_KIB
        and params.time_cost >= MIN_TIME_COST
    )


def _key(kind: str, value: str) -> str:
    return f"{kind}:{hashlib.sha256(value.strip().lower().encode()).hexdigest()[:64]}"


def _keys(email: str, ip: str | None) -> list[tuple[str, bool]]:
    """(throttle key, is the account key)."""
    keys = [(_key("account", email), True)]
    if ip:
        keys.append((_key("ip", ip), False))
    return keys


def check_login_allowed(
    session: Session,
    email: str,
    ip: str | None,
    now: datetime,
    policy: LockoutPolicy = DEFAULT_POLICY,
) -> LoginDecision:
    """Whether a login may be attempted now; if not, how many seconds until it may."""
    wait = 0
    for key, _ in _keys(email, ip):
        row = session.get(LoginThrottle, key)
        if row is not None and row.locked_until is not None and row.locked_until > now:
            wait = max(wait, int((row.locked_until - now).total_seconds()) + 1)
    if wait:
        return LoginDecision(False, wait, "too many failed logins: try again later")
    return LoginDecision(True)


def record_login_failure(
    session: Session,
    email: str,
    ip: str | None,
    now: datetime,
    policy: LockoutPolicy = DEFAULT_POLICY,
) -> LoginDecision:
    """Count a failed login for the account and the IP; lock them when over the limit."""
    user_id = session.scalar(select(User.id).where(User.email == email.strip().lower()))
    longest = 0
    for key, is_account in _keys(email, ip):
        row = session.get(LoginThrottle, key)
        if row is None:
            row = LoginThrottle(key=key, failures=0)
            session.add(row)
        if row.last_failure_at is not None and now - row.last_failure_at > policy.forget_after:
            row.failures = 0
        row.failures = (row.failures or 0) + 1
        row.last_failure_at = now
        limit = policy.max_failures if is_account else policy.ip_max_failures
        if row.failures >= limit:
            seconds = min(policy.max_seconds, policy.base_seconds * 2 ** (row.failures - limit))
            row.locked_until = now + timedelta(seconds=seconds)
            longest = max(longest, seconds)
    session.flush()
    record_event(
        session,
        "login.failed",
        brand_id=None,
        actor=f"user:{user_id}" if user_id else "anonymous",
        data={"user": user_id, "locked_seconds": longest, "client": _client_digest(ip)},
    )
    log.warning("login failed", extra={"user_id": user_id, "locked_seconds": longest})
    if longest:
        return LoginDecision(False, longest, "too many failed logins: try again later")
    return LoginDecision(True)


def record_login_success(
    session: Session, user: User, ip: str | None, now: datetime, password: str | None = None
) -> None:
    """Reset the account's counter (not the IP's: one good password must not clear a
    spray of guesses from that address), rehash an outdated password hash, log it."""
    row = session.get(LoginThrottle, _key("account", user.email))
    if row is not None:
        session.delete(row)
    if password is not None and user.password_hash and not password_hash_ok(user.password_hash):
        from omnicase.services.orgs import hash_password

        user.password_hash = hash_password(password)
    session.flush()
    record_event(
        session,
        "login.succeeded",
        brand_id=None,
        actor=f"user:{user.id}",
        data={"user": user.id, "client": _client_digest(ip)},
    )


def _client_digest(ip: str | None) -> str | None:
    return None if not ip else hashlib.sha256(ip.encode()).hexdigest()[:16]


# ---- TOTP (RFC 6238) ---------------------------------------------------------------


def totp(secret: bytes, at: float, *, step: int = TOTP_STEP, digits: int = TOTP_DIGITS,
         digest: str = "sha1") -> str:  # fmt: skip
    """The code for time ``at`` (unix seconds): HOTP (RFC 4226) of the time step."""
    counter = int(at // step)
    mac = hmac.new(secret, struct.pack(">Q", counter), digest).digest()
    offset = mac[-1] & 0x0F
    value = struct.unpack(">I", mac[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**digits).zfill(digits)


def _b32(secret: bytes) -> str:
    return base64.b32encode(secret).decode("ascii").rstrip("=")


def _unb32(text: str) -> bytes:
    return base64.b32decode(text + "=" * (-len(text) % 8))


def do_start_totp(session: Session, box: SecretBox, user: User, issuer: str = "omnicase") -> str:
    """A new secret (not active until confirmed); the ``otpauth://`` URI for the app."""
    secret = secrets.token_bytes(20)
    user.totp_secret = box.encrypt(_b32(secret))
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.flush()
    label = quote(f"{issuer}:{user.email}")
    return f"otpauth://totp/{label}?secret={_b32(secret)}&issuer={quote(issuer)}"


def do_confirm_totp(
    session: Session, box: SecretBox, user: User, code: str, now: datetime
) -> list[str]:
    """Turn TOTP on once the user proves the app has the secret; the recovery codes
    (shown once, stored hashed)."""
    if user.totp_secret is None:
        raise ActionError("start the TOTP set-up first", field="totp", status=409)
    if not _check_totp(user, box, code, now):
        raise ActionError("the code does not match", field="code", status=422)
    user.totp_enabled_at = now
    codes = do_new_recovery_codes(session, user, now)
    record_event(
        session, "account.totp_enabled", brand_id=None, actor=f"user:{user.id}",
        data={"user": user.id},
    )  # fmt: skip
    return codes


def do_new_recovery_codes(session: Session, user: User, now: datetime) -> list[str]:
    """Replace the user's recovery codes with ten new ones (clear text returned once)."""
    for old in session.scalars(select(RecoveryCode).where(RecoveryCode.user_id == user.id)):
        session.delete(old)
    codes = [secrets.token_hex(8) for _ in range(RECOVERY_CODES)]
    for code in codes:
        session.add(RecoveryCode(user_id=user.id, code_hash=_code_hash(code), created_at=now))
    session.flush()
    return codes


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


def second_factor_required(user: User) -> bool:
    """Admins and supervisors who turned TOTP on must give a code at every login."""
    return user.role in SECOND_FACTOR_ROLES and user.totp_enabled_at is not None


def _check_totp(user: User, box: SecretBox, code: str, now: datetime) -> bool:
    if user.totp_secret is None or not code.isdigit() or len(code) != TOTP_DIGITS:
        return False
    secret = _unb32(box.decrypt(user.totp_secret))
    at = now.timestamp()
    current = int(at // TOTP_STEP)
    for drift in (0, -1, 1):
        step = current + drift
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue  # a code is accepted once
        if hmac.compare_digest(totp(secret, step * TOTP_STEP), code):
            user.totp_last_step = step
            return True
    return False


def verify_second_factor(
    session: Session, box: SecretBox, user: User, code: str, now: datetime
) -> bool:
    """A current TOTP code, or an unused recovery code (then used up)."""
    code = code.strip().replace(" ", "")
    if _check_totp(user, box, code, now):
        session.flush()
        return True
    row = session.scalar(
        select(RecoveryCode).where(
            RecoveryCode.user_id == user.id,
            RecoveryCode.code_hash == _code_hash(code),
            RecoveryCode.used_at.is_(None),
        )
    )
    if row is None:
        return False
    row.used_at = now
    session.flush()
    record_event(
        session, "account.recovery_code_used", brand_id=None, actor=f"user:{user.id}",
        data={"user": user.id},
    )  # fmt: skip
    return True
