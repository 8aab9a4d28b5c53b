"""``omnicase secrets …`` and ``omnicase inbox …``: the operator's channel commands
(mounted by :mod:`omnicase.cli`)."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.console import Console

secrets_app = typer.Typer(no_args_is_help=True, help="Encryption keys of channel secrets.")
inbox_app = typer.Typer(no_args_is_help=True, help="Raw inbound input: quarantined, failed.")

console = Console(stderr=True)
DbOption = Annotated[
    str | None,
    typer.Option("--database", envvar="OMNICASE_DATABASE_URL", help="database URL"),
]


@secrets_app.command("generate-key")
def generate_key() -> None:
    """Print a new key for OMNICASE_SECRET_KEYS (put it first to encrypt with it)."""
    from omnicase.security.secrets import generate_key as new_key

    print(new_key())


@secrets_app.command("rotate")
def rotate(database: DbOption = None) -> None:
    """Re-encrypt every stored secret with the first key of OMNICASE_SECRET_KEYS; the
    other keys can be removed afterwards."""
    from omnicase.cli import _db, _fail, _settings
    from omnicase.security.secrets import SecretBox, SecretError
    from omnicase.services.channel_accounts import do_rotate_secrets

    box = SecretBox.from_settings(_settings())
    if not box.configured:
        _fail("OMNICASE_SECRET_KEYS is not set")
    try:
        with _db(database).transaction() as session:
            count = do_rotate_secrets(session, box)
    except SecretError as exc:
        _fail(str(exc))
    console.print(f"{count} secret(s) re-encrypted with the first key")


@inbox_app.command("list")
def inbox_list(
    status: Annotated[
        list[str] | None, typer.Option(help="received, processed, failed, quarantined")
    ] = None,
    limit: Annotated[int, typer.Option(min=1, max=10_000)] = 50,
    as_json: Annotated[bool, typer.Option("--json")] = False,
    database: DbOption = None,
) -> None:
    """Inbox rows of every brand, newest first (default: quarantined and failed)."""
    from rich.table import Table

    from omnicase.channels.inbox import list_inbox
    from omnicase.cli import _db, _refused
    from omnicase.model import InboxStatus
    from omnicase.services.cases import ActionError

    statuses = tuple(status) if status else (InboxStatus.quarantined, InboxStatus.failed)
    try:
        with _db(database).reading() as session:
            rows = [
                {
                    "id": r.id,
                    "channel": r.channel,
                    "account_id": r.account_id,
                    "brand_id": r.brand_id,
                    "status": r.status,
                    "attempts": r.attempts,
                    "received_at": r.received_at.isoformat(),
                    "last_error": r.last_error,
                }
                for r in list_inbox(session, None, statuses=statuses, limit=limit)
            ]
    except ActionError as exc:
        _refused(exc)
        return
    if as_json:
        for row in rows:
            print(json.dumps(row))
        return
    table = Table("id", "channel", "account", "brand", "status", "attempts", "last error")
    for r in rows:
        error = str(r["last_error"] or "").splitlines()[0] if r["last_error"] else ""
        table.add_row(
            *(str(r[k]) for k in ("id", "channel", "account_id", "brand_id", "status")),
            str(r["attempts"]),
            error,
        )
    Console(width=160).print(table)


@inbox_app.command("retry")
def inbox_retry(inbox_id: int, database: DbOption = None) -> None:
    """Process a quarantined or failed inbox row again."""
    from omnicase.channels.inbox import do_retry_inbox
    from omnicase.cli import _db, _refused
    from omnicase.services.cases import ActionError

    try:
        with _db(database).transaction() as session:
            row = do_retry_inbox(session, None, inbox_id)
    except ActionError as exc:
        _refused(exc)
        return
    console.print(f"inbox row {row.id} queued again")
