"""IMAP polling against a real dovecot on loopback: APPEND, poll, restart the poller,
APPEND more, poll again — every message once; a crash half-way resumes without loss or
duplicate; a UIDVALIDITY change re-reads the folder safely; move after import; one
waiting poll per mailbox."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from omnicase.channels.email import imap
from omnicase.channels.email.imap import POLL_ALL_JOB, POLL_JOB, poll_account
from omnicase.jobs import defer
from omnicase.model import ImapState
from omnicase.security.secrets import SecretBox
from omnicase.store.db import Database
from tests.channels.conftest import create_account, run_channels
from tests.channels.email.conftest import customer_mail, inbox_rows, messages_with
from tests.channels.email.dovecot import PASSWORD, USER, Dovecot, start_dovecot
from tests.factories import World

pytestmark = pytest.mark.slow


@pytest.fixture
def dovecot() -> Iterator[Dovecot]:
    root = Path(tempfile.mkdtemp(prefix="omnicase-dovecot-", dir="/tmp"))
    root.chmod(0o755)  # dovecot's own users read the configuration and the maildir
    server = start_dovecot(root)
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


def mailbox_account(
    db: Database, world: World, box: SecretBox, server: Dovecot, **settings: Any
) -> int:
    return create_account(
        db,
        world,
        box,
        channel="email",
        name="Service client",
        address="service@acme.example",
        settings={
            "imap_host": "127.0.0.1",
            "imap_port": server.port,
            "imap_user": USER,
            "imap_tls": False,
            "imap_timeout": 10,
            **settings,
        },
        secrets={"imap_password": PASSWORD},
    )


def mails(*numbers: int) -> list[bytes]:
    return [customer_mail(f"<imap-{n}@example.fr>", text=f"Message numero {n}.") for n in numbers]


def imported(db: Database) -> list[str]:
    run_channels(db)
    found = []
    for row in inbox_rows(db):
        found.append(row.dedup_key)
    return found


def test_poll_restart_poll_every_message_once(
    db: Database, world: World, box: SecretBox, dovecot: Dovecot
) -> None:
    account = mailbox_account(db, world, box, dovecot)
    dovecot.append(*mails(1, 2, 3))
    first = poll_account(db, box, account)
    assert (first.stored, first.duplicates, first.last_uid) == (3, 0, 3)
    again = poll_account(db, box, account)  # nothing new
    assert (again.fetched, again.stored) == (0, 0)
    dovecot.stop()  # the server and our poller restart; the state is in the database
    dovecot.start()
    dovecot.append(*mails(4, 5))
    second = poll_account(db, box, account)
    assert (second.stored, second.last_uid) == (2, 5)
    keys = imported(db)
    assert keys == [f"<imap-{n}@example.fr>" for n in (1, 2, 3, 4, 5)]
    for n in (1, 2, 3, 4, 5):
        assert len(messages_with(db, f"<imap-{n}@example.fr>")) == 1
    with db.reading() as s:
        state = s.get(ImapState, account)
        assert state is not None and state.last_uid == 5 and state.imported == 5
    with dovecot.client() as c:  # fetched with BODY.PEEK: the mailbox's flags untouched
        c.select_folder("INBOX", readonly=True)
        assert c.search(["SEEN"]) == []


def test_a_crash_half_way_resumes_with_no_loss_and_no_duplicate(
    db: Database,
    world: World,
    box: SecretBox,
    dovecot: Dovecot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    account = mailbox_account(db, world, box, dovecot)
    dovecot.append(*mails(1, 2, 3, 4))
    real = imap.accept_inbound  # type: ignore[attr-defined]
    calls: list[int] = []

    def dying(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        if len(calls) == 3:
            raise ConnectionError("the database went away")
        return real(*args, **kwargs)

    monkeypatch.setattr(imap, "accept_inbound", dying)
    with pytest.raises(ConnectionError):
        poll_account(db, box, account)
    with db.reading() as s:
        state = s.get(ImapState, account)
        assert state is not None and state.last_uid == 2  # the two committed
        assert state.last_error is not None and "went away" in state.last_error
    resumed = poll_account(db, box, account)
    assert (resumed.stored, resumed.duplicates, resumed.last_uid) == (2, 0, 4)
    assert imported(db) == [f"<imap-{n}@example.fr>" for n in (1, 2, 3, 4)]


def test_a_uidvalidity_change_reads_the_folder_again_without_duplicates(
    db: Database, world: World, box: SecretBox, dovecot: Dovecot
) -> None:
    account = mailbox_account(db, world, box, dovecot)
    dovecot.append(*mails(1, 2))
    before = poll_account(db, box, account)
    dovecot.renumber()
    dovecot.append(*mails(3))
    after = poll_account(db, box, account)
    assert after.reset and after.uidvalidity != before.uidvalidity
    assert (after.stored, after.duplicates) == (1, 2)
    assert imported(db) == [f"<imap-{n}@example.fr>" for n in (1, 2, 3)]


def test_imported_mail_is_moved_when_the_account_asks(
    db: Database, world: World, box: SecretBox, dovecot: Dovecot
) -> None:
    with dovecot.client() as c:
        c.create_folder("Imported")
    account = mailbox_account(db, world, box, dovecot, imap_move_to="Imported")
    dovecot.append(*mails(1, 2))
    assert poll_account(db, box, account).stored == 2
    with dovecot.client() as c:
        assert c.select_folder("INBOX")[b"EXISTS"] == 0
        assert c.select_folder("Imported")[b"EXISTS"] == 2
    dovecot.append(*mails(3))
    assert poll_account(db, box, account).stored == 1
    assert len(imported(db)) == 3


def test_the_periodic_job_queues_one_poll_per_mailbox_and_the_job_imports(
    db: Database, world: World, box: SecretBox, dovecot: Dovecot
) -> None:
    account = mailbox_account(db, world, box, dovecot)
    create_account(
        db, world, box, brand="globex", channel="email", name="x", address="x@globex.example"
    )
    dovecot.append(*mails(1))
    first = defer(db, POLL_JOB, account_id=account)
    assert defer(db, POLL_JOB, account_id=account) == first  # one waiting poll per mailbox
    defer(db, POLL_ALL_JOB, timestamp=0)  # queues none for globex (no imap_host)
    run_channels(db)
    run_channels(db)
    assert imported(db) == ["<imap-1@example.fr>"]
    assert len(messages_with(db, "<imap-1@example.fr>")) == 1
