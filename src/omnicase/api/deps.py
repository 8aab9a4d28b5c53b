"""Request dependencies: the database, a per-request transaction, the authenticated user."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from omnicase.model import ApiToken, User
from omnicase.model.base import utcnow
from omnicase.services.cases import ActionError
from omnicase.services.orgs import authenticate_token_row
from omnicase.store.db import Database
from omnicase.store.scope import Principal, principal_for

bearer = HTTPBearer(auto_error=False, description="Per-user API token: `Bearer oc_...`")


def get_db(request: Request) -> Database:
    db: Database = request.app.state.db
    return db


def read_session(db: Annotated[Database, Depends(get_db)]) -> Iterator[Session]:
    with db.sessions() as session:
        yield session


def write_session(db: Annotated[Database, Depends(get_db)]) -> Iterator[Session]:
    """One transaction per request; the endpoint commits as its last step.

    Anything raised before that commit leaves the session to roll back on close, so a
    request that fails writes nothing (and a commit error is a 5xx, never a silent 2xx).
    """
    with db.write_sessions() as session:
        yield session


def principal_or_none(
    session: Session, creds: HTTPAuthorizationCredentials | None
) -> Principal | None:
    """The token's principal, or None when it is missing, invalid, expired or revoked
    (a long stream re-checks with this at every read)."""
    if creds is None:
        return None
    found = authenticate_token_row(session, creds.credentials, utcnow())
    if found is None or "read" not in (found[1].scopes or ()):
        return None
    return token_principal(session, *found)


def token_principal(session: Session, user: User, token: ApiToken) -> Principal:
    """The user, narrowed by the token's scopes and brand restriction."""
    return principal_for(
        session, user, scopes=frozenset(token.scopes or ()), brand_id=token.brand_id
    )


def require_principal(session: Session, creds: HTTPAuthorizationCredentials | None) -> Principal:
    if creds is None:
        raise HTTPException(
            401,
            "missing API token (Authorization: Bearer oc_...)",
            headers={"WWW-Authenticate": "Bearer"},
        )
    found = authenticate_token_row(session, creds.credentials, utcnow())
    if found is None:
        raise HTTPException(
            401, "invalid, expired or revoked API token", headers={"WWW-Authenticate": "Bearer"}
        )
    return token_principal(session, *found)


def reader(
    session: Annotated[Session, Depends(read_session)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> tuple[Session, Principal]:
    who = require_principal(session, creds)
    if "read" not in who.scopes:
        raise HTTPException(403, "this API token has no read scope")
    return session, who


def writer(
    session: Annotated[Session, Depends(write_session)],
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> tuple[Session, Principal]:
    who = require_principal(session, creds)
    if "write" not in who.scopes:
        raise HTTPException(403, "this API token is read-only (scope read)")
    if not who.can_write:
        raise HTTPException(403, f"the {who.role} role is read-only")
    return session, who


Reader = Annotated[tuple[Session, Principal], Depends(reader)]
Writer = Annotated[tuple[Session, Principal], Depends(writer)]


def check_aware(**values: datetime | None) -> None:
    """Query datetimes must carry an offset and stay in range once in UTC (a 422 naming
    the parameter, not a 500 from the database)."""
    for name, value in values.items():
        if value is None:
            continue
        if value.tzinfo is None:
            raise ActionError("must carry a UTC offset", name, 422)
        try:
            value.astimezone(UTC)
        except OverflowError:
            raise ActionError("out of range once in UTC", name, 422) from None
