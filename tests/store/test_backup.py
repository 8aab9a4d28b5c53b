"""``omnicase db backup`` / ``db restore`` on real SQLite files, with writers running."""

from __future__ import annotations

import shutil
import sqlite3
import threading
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from typer.testing import CliRunner

from omnicase.api.app import create_app
from omnicase.cli import app
from omnicase.ingest.pipeline import ingest
from omnicase.model import Message
from omnicase.store.backup import BackupError, backup, inspect_backup, restore
from omnicase.store.db import Database
from omnicase.store.migrate import head_revision, upgrade
from tests.api.conftest import auth
from tests.factories import make_world, message

runner = CliRunner()


@pytest.fixture
def live(tmp_path: Path, sqlite_template: Path) -> Database:
    path = tmp_path / "live.db"
    shutil.copy(sqlite_template, path)
    return Database(f"sqlite:///{path}")


def messages_in(db: Database) -> int:
    with db.reading() as s:
        return int(s.scalar(select(func.count()).select_from(Message)) or 0)


def test_backup_while_writing_is_consistent_and_restores(live: Database, tmp_path: Path) -> None:
    world = make_world(live)
    ingest(live, [message(email=f"c{i}@example.fr") for i in range(50)])
    stop = threading.Event()

    def keep_writing() -> None:
        n = 0
        while not stop.is_set():
            ingest(live, [message(email=f"w{n}-{i}@example.fr") for i in range(20)])
            n += 1

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        # a reader holding a transaction open does not block the copy either
        with live.reading() as reader:
            reader.execute(text("SELECT count(*) FROM messages"))
            info = backup(live.url, tmp_path / "copy.db")
    finally:
        stop.set()
        writer.join()
    assert info.revision == head_revision() and info.messages >= 50
    assert inspect_backup(tmp_path / "copy.db").messages == info.messages
    assert not (tmp_path / "copy.db-wal").exists()  # one self-contained file
    assert messages_in(live) > info.messages  # the writer carried on meanwhile

    restored = Database(f"sqlite:///{tmp_path}/restored.db")
    assert restore(restored.url, tmp_path / "copy.db").messages == info.messages
    assert messages_in(restored) == info.messages
    with TestClient(create_app(restored)) as client:
        r = client.get("/api/v1/cases?limit=1", headers=auth(world.tokens["acme:agent"]))
        assert r.status_code == 200 and r.json()["items"]
        reference = r.json()["items"][0]["reference"]
        r = client.get(f"/api/v1/cases/{reference}", headers=auth(world.tokens["acme:agent"]))
        assert r.status_code == 200


def test_restore_refuses_a_database_in_use_and_overwriting_without_force(
    live: Database, tmp_path: Path
) -> None:
    make_world(live)
    backup(live.url, tmp_path / "copy.db")
    with pytest.raises(BackupError, match="exists; pass --force"):
        backup(live.url, tmp_path / "copy.db")
    ingest(live, [message(email="after@example.fr")])
    with live.reading() as s:  # the pool keeps this connection open, like a server
        s.execute(text("SELECT 1"))
        with pytest.raises(BackupError, match="in use by another process"):
            restore(live.url, tmp_path / "copy.db", force=True)
    live.dispose()
    with pytest.raises(BackupError, match="already holds a database; pass --force"):
        restore(live.url, tmp_path / "copy.db")
    before = messages_in(live)
    live.dispose()
    restore(live.url, tmp_path / "copy.db", force=True)
    assert messages_in(live) == before - 1


def test_restore_checks_the_backup(live: Database, tmp_path: Path) -> None:
    target = f"sqlite:///{tmp_path}/target.db"
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all")
    with pytest.raises(BackupError, match="not a SQLite database"):
        restore(target, junk)
    other = tmp_path / "other.db"
    with sqlite3.connect(other) as conn:
        conn.execute("CREATE TABLE notes (x)")
    with pytest.raises(BackupError, match="not an omnicase database"):
        restore(target, other)
    future = tmp_path / "future.db"
    backup(live.url, future)
    with sqlite3.connect(future) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9999_from_the_future'")
    with pytest.raises(BackupError, match="unknown to this version"):
        restore(target, future)
    with pytest.raises(BackupError, match="no such file"):
        restore(target, tmp_path / "missing.db")
    assert not (tmp_path / "target.db").exists()


def cli(url: str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["db", *args, "--database", url])
    return result.exit_code, " ".join(result.stderr.split())


def test_cli_backup_and_restore(live: Database, tmp_path: Path) -> None:
    make_world(live)
    ingest(live, [message(email=f"c{i}@example.fr") for i in range(5)])
    live.dispose()
    code, err = cli(live.url, "backup", str(tmp_path / "b.db"))
    assert code == 0 and "5 messages" in err and f"revision {head_revision()}" in err
    code, err = cli(live.url, "backup", str(tmp_path / "b.db"))
    assert code == 2 and "--force" in err
    code, err = cli(live.url, "restore", str(tmp_path / "b.db"))
    assert code == 2 and "--force" in err
    code, err = cli(live.url, "restore", str(tmp_path / "b.db"), "--force")
    assert code == 0 and "5 messages" in err and "db upgrade" not in err


def test_cli_restore_of_an_older_revision_says_to_upgrade(tmp_path: Path) -> None:
    old = Database(f"sqlite:///{tmp_path}/old.db")
    upgrade(old, "0001")
    old.dispose()
    backup(old.url, tmp_path / "old-backup.db")
    code, err = cli(f"sqlite:///{tmp_path}/new.db", "restore", str(tmp_path / "old-backup.db"))
    assert code == 0 and "revision 0001" in err and "run omnicase db upgrade" in err


def test_cli_on_postgresql_names_pg_dump_and_pg_restore(tmp_path: Path) -> None:
    url = "postgresql://omnicase:pw@127.0.0.1:9/omnicase"
    code, err = cli(url, "backup", str(tmp_path / "x.dump"))
    assert code == 2 and "pg_dump -Fc" in err
    code, err = cli(url, "restore", str(tmp_path / "x.dump"))
    assert code == 2 and "pg_restore" in err
    assert not (tmp_path / "x.dump").exists()
