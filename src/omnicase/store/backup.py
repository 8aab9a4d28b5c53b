"""``omnicase db backup`` / ``db restore`` for SQLite, through sqlite3's online backup API.

The backup API copies a consistent snapshot page by page while the server keeps running
(readers and the writer are only paused for each step). A restore is the same copy in
the other direction, into the live file under an exclusive lock: it refuses while any
other connection has the database open (a running server), refuses to overwrite a
database that has tables unless forced, and only accepts a file that is an omnicase
database at a migration revision this code knows. PostgreSQL has its own tools
(``pg_dump -Fc`` / ``pg_restore``, see docs/deployment.md).
"""

from __future__ import annotations

import os
import sqlite3
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import make_url

from omnicase.store.migrate import head_revision, known_revisions

#: Tables whose presence makes a file an omnicase database.
REQUIRED_TABLES = frozenset({"alembic_version", "organisations", "cases", "messages"})
SQLITE_MAGIC = b"SQLite format 3\x00"


class BackupError(Exception):
    """Refused, with the reason (the CLI prints it and exits 2)."""


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    revision: str
    cases: int
    messages: int

    @property
    def summary(self) -> str:
        return f"revision {self.revision}, {self.cases} cases, {self.messages} messages"

    @property
    def current(self) -> bool:
        return self.revision == head_revision()


def sqlite_path(url: str) -> Path:
    """The file behind a SQLite URL; anything else is refused with the right tool named."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "sqlite":
        raise BackupError(
            f"the database is {parsed.get_backend_name()}: use pg_dump -Fc to back it up "
            "and pg_restore to restore it (docs/deployment.md)"
        )
    if not parsed.database or parsed.database == ":memory:":
        raise BackupError("an in-memory SQLite database cannot be backed up")
    return Path(parsed.database).expanduser()


def inspect_backup(path: Path) -> BackupInfo:
    """Check that ``path`` is an intact omnicase database at a known revision."""
    if not path.is_file():
        raise BackupError(f"{path}: no such file")
    with path.open("rb") as fh:
        if fh.read(16) != SQLITE_MAGIC:
            raise BackupError(f"{path} is not a SQLite database")
    with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as conn:
        try:
            check = conn.execute("PRAGMA quick_check").fetchone()
            tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
        except sqlite3.DatabaseError as exc:
            raise BackupError(f"{path} is damaged: {exc}") from exc
        if not check or check[0] != "ok":
            raise BackupError(f"{path} is damaged: {check[0] if check else 'no answer'}")
        missing = REQUIRED_TABLES - tables
        if missing:
            raise BackupError(
                f"{path} is not an omnicase database (no {', '.join(sorted(missing))} table)"
            )
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
        if revision not in known_revisions():
            raise BackupError(
                f"{path} is at migration revision {revision!r}, unknown to this version of "
                "omnicase (made by a newer one?)"
            )
        cases = conn.execute("SELECT count(*) FROM cases").fetchone()[0]
        messages = conn.execute("SELECT count(*) FROM messages").fetchone()[0]
    return BackupInfo(path, str(revision), int(cases), int(messages))


def backup(url: str, dest: Path, *, force: bool = False) -> BackupInfo:
    """Copy the live database to ``dest`` (written beside it, then renamed into place, so
    a half-written backup never carries the final name)."""
    source = sqlite_path(url)
    if not source.is_file():
        raise BackupError(f"no database file at {source}")
    if dest.is_dir():
        raise BackupError(f"{dest} is a directory; name the backup file")
    if dest.exists() and not force:
        raise BackupError(f"{dest} exists; pass --force to replace it")
    if not dest.parent.is_dir():
        raise BackupError(f"directory {dest.parent} does not exist")
    partial = dest.with_name(f".{dest.name}.partial")
    partial.unlink(missing_ok=True)
    try:
        with (
            closing(sqlite3.connect(source, timeout=60)) as src,
            closing(sqlite3.connect(partial)) as out,
        ):
            src.backup(out, pages=1024)
            # A backup is one self-contained file: no WAL beside it.
            out.execute("PRAGMA journal_mode=DELETE")
        info = inspect_backup(partial)
        os.replace(partial, dest)
    finally:
        partial.unlink(missing_ok=True)
    return BackupInfo(dest, info.revision, info.cases, info.messages)


def _has_tables(conn: sqlite3.Connection) -> bool:
    count: int = conn.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()[0]
    return count > 0


def restore(url: str, src: Path, *, force: bool = False) -> BackupInfo:
    """Replace the database's content with the backup's, under an exclusive lock."""
    target = sqlite_path(url)
    info = inspect_backup(src)
    if not target.parent.is_dir():
        raise BackupError(f"directory {target.parent} does not exist")
    with closing(sqlite3.connect(target, timeout=0, isolation_level=None)) as conn:
        try:
            # In WAL mode every open connection holds a shared lock: if any other process
            # (a running server, a worker) has the database open, this fails at once.
            conn.execute("PRAGMA locking_mode=EXCLUSIVE")
            conn.execute("BEGIN EXCLUSIVE")
            in_use = False
        except sqlite3.OperationalError:
            in_use = True
        if in_use:
            raise BackupError(
                f"{target} is in use by another process; stop the server and workers first"
            )
        if _has_tables(conn) and not force:
            conn.execute("ROLLBACK")
            raise BackupError(f"{target} already holds a database; pass --force to replace it")
        conn.execute("ROLLBACK")
        with closing(sqlite3.connect(f"file:{src}?mode=ro", uri=True)) as backup_conn:
            backup_conn.backup(conn, pages=1024)
    return BackupInfo(target, info.revision, info.cases, info.messages)
