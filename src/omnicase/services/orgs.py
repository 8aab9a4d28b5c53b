"""Organisations, teams, users, engagements and API tokens."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import phonenumbers
from argon2 import PasswordHasher
from sqlalchemy import select
from sqlalchemy.orm import Session

from omnicase.model import ApiToken, Engagement, Organisation, Role, Team, User
from omnicase.model.base import utcnow
from omnicase.services.cases import ActionError, record_event

SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
TOKEN_PREFIX = "oc_"
MAX_TEAM_NAME = 200
_hasher = PasswordHasher()


def do_create_org(
    session: Session,
    *,
    slug: str,
    name: str,
    kind: str,
    region: str = "FR",
    timezone: str = "Europe/Paris",
    language: str = "fr",
    case_prefix: str | None = None,
    settings: dict[str, Any] | None = None,
) -> Organisation:
    """Create a brand (with its phone region, timezone, language) or a provider."""
    if not SLUG_RE.match(slug):
        raise ActionError("use lowercase letters, digits and dashes", field="slug", status=422)
    if kind not in ("brand", "provider"):
        raise ActionError("must be 'brand' or 'provider'", field="kind", status=422)
    region = region.upper()
    if region not in phonenumbers.SUPPORTED_REGIONS:
        raise ActionError(
            f"{region!r} is not a country code (ISO 3166, e.g. FR)", field="region", status=422
        )
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ActionError(f"unknown timezone {timezone!r}", field="timezone", status=422) from exc
    if session.scalar(select(Organisation.id).where(Organisation.slug == slug)) is not None:
        raise ActionError(f"an organisation named {slug!r} exists already", field="slug")
    prefix = None
    if kind == "brand":
        prefix = (case_prefix or _default_prefix(session, slug)).upper()
        if not re.fullmatch(r"[A-Z]{1,8}", prefix):
            raise ActionError("1 to 8 letters", field="case_prefix", status=422)
        taken = session.scalar(select(Organisation.id).where(Organisation.case_prefix == prefix))
        if taken is not None:
            raise ActionError(
                f"case prefix {prefix!r} is used by another brand", field="case_prefix"
            )
    org = Organisation(
        slug=slug,
        name=name,
        kind=kind,
        region=region,
        timezone=timezone,
        language=language,
        case_prefix=prefix,
        settings=settings or {},
        created_at=utcnow(),
    )
    session.add(org)
    session.flush()
    record_event(
        session,
        "organisation.created",
        brand_id=org.id if kind == "brand" else None,
        data={"slug": slug, "kind": kind},
    )
    return org


def _default_prefix(session: Session, slug: str) -> str:
    letters = re.sub(r"[^a-z]", "", slug).upper() or "C"
    for size in (2, 3, 4):
        prefix = letters[:size]
        if (
            session.scalar(select(Organisation.id).where(Organisation.case_prefix == prefix))
            is None
        ):
            return prefix
    return letters[:2] + secrets.token_hex(2).upper().replace("0", "X")[:2]


def get_org(session: Session, slug: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    if org is None:
        raise ActionError(f"no organisation named {slug!r}", field="organisation", status=404)
    return org


def do_create_team(session: Session, org: Organisation, name: str) -> Team:
    """The organisation's team of this name, created if missing (seeds and the CLI call it
    again and again; the web form checks the name first with :func:`check_team_name`)."""
    existing = session.scalar(select(Team).where(Team.organisation_id == org.id, Team.name == name))
    if existing is not None:
        return existing
    team = Team(organisation_id=org.id, name=name, created_at=utcnow())
    session.add(team)
    session.flush()
    return team


def check_team_name(session: Session, organisation_id: int, name: str, own: int | None) -> str:
    """The name cleaned (spaces collapsed), or a refusal: empty, too long, or another team of
    the organisation has it (names tell teams apart on every screen)."""
    clean = " ".join(name.split())
    if not clean:
        raise ActionError("a team needs a name", field="name", status=422)
    if len(clean) > MAX_TEAM_NAME:
        raise ActionError(f"at most {MAX_TEAM_NAME} characters", field="name", status=422)
    clash = session.scalar(
        select(Team.id).where(
            Team.organisation_id == organisation_id, Team.name == clean, Team.id != own
        )
    )
    if clash is not None:
        raise ActionError(f"another team is named {clean!r}", field="name")
    return clean


def do_rename_team(session: Session, team: Team, name: str, actor: str = "system") -> Team:
    clean = check_team_name(session, team.organisation_id, name, team.id)
    if clean != team.name:
        before, team.name = team.name, clean
        session.flush()
        record_event(
            session,
            "team.renamed",
            brand_id=_brand_of(session, team.organisation_id),
            actor=actor,
            data={"team": team.id, "from": before, "to": clean},
        )
    return team


def _brand_of(session: Session, organisation_id: int) -> int | None:
    """The brand an organisation's audit events belong to (none for a provider)."""
    org = session.get(Organisation, organisation_id)
    return org.id if org is not None and org.kind == "brand" else None


def do_create_user(
    session: Session,
    org: Organisation,
    *,
    email: str,
    name: str,
    role: str,
    team: Team | None = None,
    password: str | None = None,
) -> User:
    if role not in Role.__members__:
        raise ActionError(f"must be one of {', '.join(Role.__members__)}", field="role", status=422)
    if team is not None and team.organisation_id != org.id:
        raise ActionError("the team belongs to another organisation", field="team", status=422)
    email = email.strip().lower()
    if session.scalar(select(User.id).where(User.email == email)) is not None:
        raise ActionError(f"a user with email {email} exists already", field="email")
    user = User(
        organisation_id=org.id,
        team_id=team.id if team else None,
        email=email,
        name=name,
        role=role,
        active=True,
        created_at=utcnow(),
        password_hash=hash_password(password) if password else None,
    )
    session.add(user)
    session.flush()
    record_event(
        session,
        "user.created",
        brand_id=org.id if org.kind == "brand" else None,
        data={"user": user.id, "role": role},
    )
    return user


def do_create_engagement(
    session: Session,
    *,
    team: Team,
    brand: Organisation,
    channels: list[str] | None = None,
    queues: list[str] | None = None,
    reasons: list[str] | None = None,
    overflow_only: bool = False,
    share_percent: int | None = None,
    starts_on: date,
    ends_on: date | None = None,
    actor: str = "system",
) -> Engagement:
    if brand.kind != "brand":
        raise ActionError("an engagement serves a brand", field="brand", status=422)
    if team.organisation.kind != "provider":
        raise ActionError("only a provider's team is engaged on a brand", field="team", status=422)
    if ends_on is not None and ends_on < starts_on:
        raise ActionError("ends before it starts", field="ends_on", status=422)
    engagement = Engagement(
        team_id=team.id,
        brand_id=brand.id,
        channels=channels or [],
        queues=queues or [],
        reasons=reasons or [],
        overflow_only=overflow_only,
        share_percent=share_percent,
        starts_on=starts_on,
        ends_on=ends_on,
        created_at=utcnow(),
    )
    session.add(engagement)
    session.flush()
    record_event(
        session,
        "engagement.created",
        brand_id=brand.id,
        actor=actor,
        data={"engagement": engagement.id, "team": team.id},
    )
    return engagement


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


TOKEN_SCOPES = ("read", "write")


def do_create_token(
    session: Session,
    user: User,
    name: str = "",
    expires_in_days: int | None = None,
    *,
    scopes: list[str] | None = None,
    brand: Organisation | None = None,
) -> tuple[ApiToken, str]:
    """A new bearer token; the clear text is returned once and never stored.

    ``scopes`` (default read+write) and ``brand`` narrow what the token may do: a
    read-only token for a reporting script, a provider's token for one brand only."""
    chosen = sorted(set(scopes if scopes is not None else TOKEN_SCOPES))
    if not chosen or any(scope not in TOKEN_SCOPES for scope in chosen):
        raise ActionError("scopes are read and/or write", field="scopes", status=422)
    if expires_in_days is not None and expires_in_days <= 0:
        raise ActionError("must be a positive number of days", field="expires", status=422)
    if brand is not None:
        if brand.kind != "brand":
            raise ActionError(f"{brand.slug!r} is not a brand", field="brand", status=422)
        own = session.get(Organisation, user.organisation_id)
        if own is not None and own.kind == "brand" and own.id != brand.id:
            raise ActionError(
                "brand staff's tokens serve their own brand", field="brand", status=422
            )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    expires = utcnow() + timedelta(days=expires_in_days) if expires_in_days else None
    row = ApiToken(
        user_id=user.id,
        name=name,
        token_hash=hash_token(token),
        prefix=token[:10],
        created_at=utcnow(),
        expires_at=expires,
        scopes=chosen,
        brand_id=brand.id if brand is not None else None,
    )
    session.add(row)
    session.flush()
    record_event(
        session,
        "token.created",
        brand_id=None,
        actor=f"user:{user.id}",
        data={"token": row.id, "scopes": chosen, "brand": row.brand_id},
    )
    return row, token


def do_revoke_token(
    session: Session, token_id: int, actor: str, now: datetime | None = None
) -> ApiToken:
    """Revoke a token (by id, or by the prefix ``omnicase tokens list`` shows): every later
    request with it is a 401."""
    row = session.get(ApiToken, token_id)
    if row is None:
        raise ActionError(f"no token {token_id}", field="token", status=404)
    if row.revoked_at is None:
        row.revoked_at = now or utcnow()
        record_event(session, "token.revoked", brand_id=None, actor=actor, data={"token": row.id})
    return row


def authenticate_token_row(
    session: Session, token: str, now: datetime | None = None
) -> tuple[User, ApiToken] | None:
    """The active user and the token row of a valid, unexpired, unrevoked token."""
    if not token.startswith(TOKEN_PREFIX):
        return None
    row = session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token)))
    now = now or utcnow()
    if row is None or row.revoked_at is not None:
        return None
    if row.expires_at is not None and row.expires_at <= now:
        return None
    user = session.get(User, row.user_id)
    if user is None or not user.active:
        return None
    return user, row


def authenticate_token(session: Session, token: str, now: datetime | None = None) -> User | None:
    """The active user owning a valid, unexpired, unrevoked token; None otherwise."""
    found = authenticate_token_row(session, token, now)
    return None if found is None else found[0]


def hash_password(password: str) -> str:
    """argon2id with argon2-cffi's defaults (RFC 9106 low-memory profile)."""
    return _hasher.hash(password)


def verify_password(user: User, password: str) -> bool:
    if not user.password_hash:
        return False
    try:
        return _hasher.verify(user.password_hash, password)
    except Exception:
        return False
