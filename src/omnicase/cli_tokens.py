"""``omnicase tokens create|revoke|list``: scoped API tokens (registered by ``cli.py``)."""

from __future__ import annotations

import re
from typing import Annotated

import typer

from omnicase.store.db import Database

tokens_app = typer.Typer(no_args_is_help=True, help="API tokens: create, list, revoke.")

DbUrl = Annotated[
    str | None,
    typer.Option(
        "--database",
        envvar="OMNICASE_DATABASE_URL",
        help="database URL (default: sqlite:///./omnicase.db)",
    ),
]
DURATION = re.compile(r"^(\d{1,5})([dhw]?)$")


def _db(url: str | None) -> Database:
    from omnicase import cli  # cli imports this module: resolved at call time

    return cli._db(url)


def parse_expiry(value: str) -> int:
    """``30d``, ``2w``, ``12h`` or a number of days → whole days (at least 1)."""
    match = DURATION.match(value.strip().lower())
    if match is None:
        raise typer.BadParameter("use a duration such as 30d, 2w or 12h", param_hint="--expires")
    amount, unit = int(match.group(1)), match.group(2) or "d"
    days = {"d": amount, "w": amount * 7, "h": -(-amount // 24)}[unit]
    if days < 1:
        raise typer.BadParameter("must be at least one hour", param_hint="--expires")
    return days


@tokens_app.command("create")
def tokens_create(
    email: str,
    name: str = "cli",
    scope: Annotated[
        list[str] | None, typer.Option("--scope", help="read and/or write (repeat); default both")
    ] = None,
    brand: Annotated[str | None, typer.Option(help="restrict the token to this brand")] = None,
    expires: Annotated[str | None, typer.Option(help="lifetime: 30d, 2w, 12h")] = None,
    expires_in_days: Annotated[int | None, typer.Option(min=1, hidden=True)] = None,
    database: DbUrl = None,
) -> None:
    """Create an API token for a user; prints it once on stdout."""
    from sqlalchemy import select

    from omnicase import cli
    from omnicase.model import User
    from omnicase.services.cases import ActionError
    from omnicase.services.orgs import do_create_token, get_org

    days = parse_expiry(expires) if expires else expires_in_days
    try:
        with _db(database).transaction() as session:
            user = session.scalar(select(User).where(User.email == email.strip().lower()))
            if user is None:
                cli._fail(f"no user {email}")
            org = get_org(session, brand) if brand else None
            row, token = do_create_token(session, user, name, days, scopes=scope, brand=org)
            cli.console.print(
                f"token {row.id} ({row.prefix}…): scopes {','.join(row.scopes)}"
                + (f", brand {brand}" if brand else "")
                + (f", expires {row.expires_at:%Y-%m-%d %H:%M} UTC" if row.expires_at else "")
            )
    except ActionError as exc:
        cli._refused(exc)
        return
    print(token)


@tokens_app.command("revoke")
def tokens_revoke(
    token: Annotated[str, typer.Argument(help="the token's id, prefix (oc_…) or clear text")],
    database: DbUrl = None,
) -> None:
    """Revoke a token: every later request with it is refused (401)."""
    from sqlalchemy import select

    from omnicase import cli
    from omnicase.model import ApiToken
    from omnicase.services.cases import ActionError
    from omnicase.services.orgs import do_revoke_token, hash_token

    try:
        with _db(database).transaction() as session:
            if token.isdigit():
                ids = [int(token)]
            else:
                ids = list(
                    session.scalars(
                        select(ApiToken.id).where(
                            (ApiToken.token_hash == hash_token(token))
                            | (ApiToken.prefix == token[:10])
                        )
                    )
                )
            if len(ids) != 1:
                cli._fail(f"{len(ids)} tokens match {token[:10]!r}: give the token id")
            row = do_revoke_token(session, ids[0], "cli")
            cli.console.print(f"token {row.id} revoked")
    except ActionError as exc:
        cli._refused(exc)


@tokens_app.command("list")
def tokens_list(email: str, database: DbUrl = None) -> None:
    """A user's tokens: id, prefix, scopes, brand, expiry, revoked (never the secret)."""
    from sqlalchemy import select

    from omnicase import cli
    from omnicase.model import ApiToken, User

    with _db(database).reading() as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            cli._fail(f"no user {email}")
        for row in session.scalars(select(ApiToken).where(ApiToken.user_id == user.id)):
            print(
                f"{row.id}\t{row.prefix}\t{','.join(row.scopes)}\t{row.brand_id or '-'}\t"
                f"{row.expires_at or '-'}\t{'revoked' if row.revoked_at else 'active'}"
            )
