"""Polling a brand's mailbox over IMAP (imapclient): the edge for accounts that cannot
point their MX at ``omnicase smtp``.

Each poll selects the folder, compares UIDVALIDITY with the stored one (a change means
the server renumbered the folder: read it again from UID 1 — the inbox dedup on the
Message-ID, else the sha256 of the bytes, keeps every message once), fetches the UIDs
above the last one imported, and for each message commits the inbox row **and** the new
last UID in one transaction: a crash at any point resumes at the first message not
committed, so nothing is lost and nothing is imported twice. Messages are fetched with
``BODY.PEEK[]`` (the mailbox's \\Seen flags stay the customer's business) unless the
account asks to mark them seen or to move them to another folder after import.

One poll per mailbox at a time: the periodic job defers one ``email.imap_poll`` per
account with a lock and a queueing lock on ``mailbox:<id>``.
"""

from __future__ import annotations

import logging
import ssl
import time
from dataclasses import asdict, dataclass
from typing import Any

from imapclient import IMAPClient
from sqlalchemy import select

from omnicase.channels.email.parse import MAX_BYTES
from omnicase.channels.email.smtpd import message_id_key
from omnicase.channels.inbox import accept_inbound
from omnicase.jobs import JobContext, RetryPolicy, defer, job, periodic
from omnicase.model import ChannelAccount, ImapState
from omnicase.model.base import utcnow
from omnicase.security.secrets import SecretBox
from omnicase.services.cases import record_event
from omnicase.services.channel_accounts import account_view
from omnicase.store.db import Database

log = logging.getLogger(__name__)

POLL_JOB = "email.imap_poll"
POLL_ALL_JOB = "email.imap_poll_all"
BATCH = 50  #: messages fetched per FETCH command


class ImapError(RuntimeError):
    """The account cannot be polled as configured (no host, no password)."""


@dataclass(slots=True)
class PollOutcome:
    account_id: int
    uidvalidity: int
    last_uid: int
    fetched: int = 0
    stored: int = 0
    duplicates: int = 0
    skipped: int = 0  #: over the size limit: left in the mailbox, recorded as an event
    reset: bool = False  #: UIDVALIDITY changed: the folder was read again

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True, slots=True)
class ImapConfig:
    host: str
    port: int
    user: str
    password: str = ""
    tls: bool = True
    starttls: bool = False
    folder: str = "INBOX"
    move_to: str | None = None
    mark_seen: bool = False
    timeout: int = 30

    def __repr__(self) -> str:  # the password never in a log or traceback
        return f"ImapConfig(host={self.host!r}, port={self.port}, user={self.user!r})"


def imap_config(db: Database, box: SecretBox, account_id: int) -> ImapConfig:
    with db.reading() as session:
        account = session.get(ChannelAccount, account_id)
        if account is None or account.channel != "email" or not account.active:
            raise ImapError(f"no active email account {account_id}")
        view = account_view(session, box, account)
    s = view.settings
    host = s.get("imap_host")
    if not host:
        raise ImapError(f"account {account_id} has no imap_host setting")
    tls = bool(s.get("imap_tls", not s.get("imap_starttls", False)))
    return ImapConfig(
        host=str(host),
        port=int(s.get("imap_port") or (993 if tls else 143)),
        user=str(s.get("imap_user") or view.address),
        password=view.secrets.get("imap_password", ""),
        tls=tls,
        starttls=bool(s.get("imap_starttls", False)),
        folder=str(s.get("imap_folder") or "INBOX"),
        move_to=str(s["imap_move_to"]) if s.get("imap_move_to") else None,
        mark_seen=bool(s.get("imap_mark_seen", False)),
        timeout=int(s.get("imap_timeout") or 30),
    )


def connect(config: ImapConfig) -> IMAPClient:
    """Logged in, the folder selected (read-write only when we flag or move)."""
    context = ssl.create_default_context()
    client = IMAPClient(
        config.host,
        port=config.port,
        ssl=config.tls,
        ssl_context=context if config.tls else None,
        timeout=config.timeout,
    )
    try:
        if config.starttls and not config.tls:
            client.starttls(context)
        client.login(config.user, config.password)
        client.select_folder(config.folder, readonly=not (config.mark_seen or config.move_to))
    except Exception:
        client.shutdown()
        raise
    return client


def _state(db: Database, account_id: int, folder: str) -> tuple[int | None, int]:
    with db.reading() as session:
        row = session.get(ImapState, account_id)
        if row is None or row.folder != folder:
            return None, 0
        return row.uidvalidity, int(row.last_uid)


def poll_account(
    db: Database,
    box: SecretBox,
    account_id: int,
    *,
    client: IMAPClient | None = None,
    max_bytes: int = MAX_BYTES,
) -> PollOutcome:
    """Import every message above the last UID; see the module docstring."""
    config = imap_config(db, box, account_id)
    own = client is None
    imap = connect(config) if client is None else client
    try:
        return _poll(db, imap, config, account_id, max_bytes)
    except Exception as exc:
        _record_error(db, account_id, config.folder, exc)
        raise
    finally:
        if own:
            try:
                imap.logout()
            except Exception:  # the connection is gone anyway
                log.debug("IMAP logout failed", exc_info=True)


def _poll(
    db: Database, imap: IMAPClient, config: ImapConfig, account_id: int, max_bytes: int
) -> PollOutcome:
    status = imap.folder_status(config.folder, [b"UIDVALIDITY"])
    uidvalidity = int(status[b"UIDVALIDITY"])
    known_validity, last_uid = _state(db, account_id, config.folder)
    outcome = PollOutcome(account_id, uidvalidity, last_uid)
    if known_validity is not None and known_validity != uidvalidity:
        log.warning("mailbox %s: UIDVALIDITY changed, reading the folder again", account_id)
        outcome.reset, last_uid = True, 0
    uids = sorted(u for u in imap.search(["UID", f"{last_uid + 1}:*"]) if u > last_uid)
    for start in range(0, len(uids), BATCH):
        batch = uids[start : start + BATCH]
        sizes = imap.fetch(batch, ["RFC822.SIZE"])
        wanted = [u for u in batch if int(sizes.get(u, {}).get(b"RFC822.SIZE", 0)) <= max_bytes]
        bodies = imap.fetch(wanted, ["BODY.PEEK[]"]) if wanted else {}
        for uid in batch:
            raw = bodies.get(uid, {}).get(b"BODY[]") if uid in wanted else None
            stored = _import(db, account_id, config.folder, uidvalidity, uid, raw)
            outcome.fetched += raw is not None
            outcome.stored += stored is True
            outcome.duplicates += stored is False
            outcome.skipped += stored is None
            outcome.last_uid = uid
        _after_import(imap, config, wanted)
    with db.transaction() as session:
        row = _state_row(session, account_id, config.folder)
        row.uidvalidity, row.polled_at, row.last_error = uidvalidity, utcnow(), None
        if outcome.reset and not uids:
            row.last_uid = 0
        outcome.last_uid = int(row.last_uid)
    return outcome


def _state_row(session: Any, account_id: int, folder: str) -> ImapState:
    row = session.get(ImapState, account_id)
    if row is None:
        row = ImapState(account_id=account_id, folder=folder, last_uid=0, imported=0)
        session.add(row)
    elif row.folder != folder:
        row.folder, row.uidvalidity, row.last_uid = folder, None, 0
    return row  # type: ignore[no-any-return]


def _import(
    db: Database,
    account_id: int,
    folder: str,
    uidvalidity: int,
    uid: int,
    raw: bytes | None,
) -> bool | None:
    """The inbox row and the new last UID, one transaction; True stored, False already
    there, None skipped (too large)."""
    with db.transaction() as session:
        row = _state_row(session, account_id, folder)
        row.uidvalidity, row.last_uid = uidvalidity, uid
        account = session.get(ChannelAccount, account_id)
        assert account is not None
        if raw is None:
            record_event(
                session,
                "channel.email.imap_skipped",
                brand_id=account.brand_id,
                data={"account": account_id, "uid": uid, "reason": "over the size limit"},
            )
            return None
        headers = {"x-imap-folder": folder, "x-imap-uid": f"{uidvalidity}:{uid}"}
        accepted = accept_inbound(session, "email", account, raw, headers, message_id_key(raw))
        if not accepted.duplicate:
            row.imported = (row.imported or 0) + 1
        return not accepted.duplicate


def _after_import(imap: IMAPClient, config: ImapConfig, uids: list[int]) -> None:
    """Optional: move or flag what was imported (after the commit: a crash before this
    leaves the mail in place, and the stored last UID keeps it from coming in twice)."""
    if not uids:
        return
    if config.move_to:
        imap.move(uids, config.move_to)
    elif config.mark_seen:
        imap.add_flags(uids, [b"\\Seen"])


def _record_error(db: Database, account_id: int, folder: str, exc: BaseException) -> None:
    text = f"{type(exc).__name__}: {exc}"[:1000]
    with db.transaction() as session:
        if session.get(ChannelAccount, account_id) is None:
            return
        _state_row(session, account_id, folder).last_error = text


def idle_account(
    db: Database,
    box: SecretBox,
    account_id: int,
    *,
    idle_seconds: int = 300,
    stop: Any = None,
) -> None:
    """Poll, then wait in IMAP IDLE for the server to announce new mail, poll again; a
    dropped connection is re-opened after a pause. ``stop``: a ``threading.Event``."""
    while stop is None or not stop.is_set():
        try:
            config = imap_config(db, box, account_id)
            with connect(config) as watcher:
                while stop is None or not stop.is_set():
                    poll_account(db, box, account_id)
                    watcher.idle()
                    try:
                        watcher.idle_check(timeout=idle_seconds)
                    finally:
                        watcher.idle_done()
        except ImapError:
            raise
        except Exception:
            log.warning("IMAP IDLE on account %s failed; reconnecting", account_id, exc_info=True)
            time.sleep(5)


# ---- jobs ------------------------------------------------------------------------------


@job(
    POLL_JOB,
    queue="channels",
    retry=RetryPolicy(max_attempts=3, backoff=30, factor=2),
    lock=lambda kwargs: f"mailbox:{kwargs['account_id']}",
    unique=lambda kwargs: f"mailbox:{kwargs['account_id']}",
)
def imap_poll_job(ctx: JobContext, account_id: int, brand_id: int | None = None) -> dict[str, Any]:
    return poll_account(ctx.db, SecretBox.from_settings(ctx.settings), account_id).as_dict()


@periodic(every_seconds=60)
@job(POLL_ALL_JOB, queue="channels", retry=RetryPolicy(max_attempts=1))
def imap_poll_all_job(ctx: JobContext, timestamp: int | None = None, **_: Any) -> int:
    """One poll job per active email account with an IMAP host; how many were queued."""
    with ctx.db.transaction() as session:
        accounts = session.execute(
            select(ChannelAccount.id, ChannelAccount.brand_id, ChannelAccount.settings).where(
                ChannelAccount.channel == "email", ChannelAccount.active.is_(True)
            )
        ).all()
        queued = 0
        for account_id, brand_id, settings in accounts:
            if (settings or {}).get("imap_host"):
                defer(session, POLL_JOB, account_id=account_id, brand_id=brand_id)
                queued += 1
        return queued
