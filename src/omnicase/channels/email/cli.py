"""``omnicase smtp`` (the inbound SMTP server) and ``omnicase imap …`` (mailbox polling),
mounted by :mod:`omnicase.cli`."""

from __future__ import annotations

import json
import signal
import threading
from typing import Annotated

import typer

#: parse.MAX_BYTES, repeated so that importing the CLI does not import the parser.
MAX_BYTES = 25 * 1024 * 1024

imap_app = typer.Typer(no_args_is_help=True, help="Brand mailboxes read over IMAP.")

DbOption = Annotated[
    str | None,
    typer.Option("--database", envvar="OMNICASE_DATABASE_URL", help="database URL"),
]


def smtp(
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port to listen on")] = 2525,
    max_bytes: Annotated[
        int,
        typer.Option(envvar="OMNICASE_EMAIL_MAX_BYTES", help="size limit (advertised, 552)"),
    ] = MAX_BYTES,
    database: DbOption = None,
) -> None:
    """Receive mail for the brands' email accounts (point the MX or a forward here)."""
    from omnicase.channels.email.smtpd import make_controller
    from omnicase.cli import _db

    controller = make_controller(_db(database), host, port, max_bytes)
    controller.start()
    typer.echo(f"omnicase SMTP listening on {host}:{port} (limit {max_bytes} bytes)", err=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        stop.wait()
    except KeyboardInterrupt:
        pass
    finally:
        controller.stop()


@imap_app.command("poll")
def imap_poll(account_id: int, database: DbOption = None) -> None:
    """Fetch the new messages of one account's mailbox now; prints the counts."""
    from omnicase.channels.email.imap import poll_account
    from omnicase.cli import _db, _settings
    from omnicase.security.secrets import SecretBox

    outcome = poll_account(_db(database), SecretBox.from_settings(_settings()), account_id)
    print(json.dumps(outcome.as_dict()))


@imap_app.command("idle")
def imap_idle(
    account_id: int,
    timeout: Annotated[int, typer.Option(help="seconds per IDLE before re-polling")] = 300,
    database: DbOption = None,
) -> None:
    """Stay connected and import new mail as it arrives (IMAP IDLE), until stopped."""
    from omnicase.channels.email.imap import idle_account
    from omnicase.cli import _db, _settings
    from omnicase.security.secrets import SecretBox

    idle_account(
        _db(database), SecretBox.from_settings(_settings()), account_id, idle_seconds=timeout
    )
