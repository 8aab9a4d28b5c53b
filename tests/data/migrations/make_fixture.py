"""Make the demo database of a release for the forward-migration test.

Run at each release, from the repository root, and commit the file it writes:

    .venv/bin/python tests/data/migrations/make_fixture.py

It seeds the demo (``omnicase demo``'s code, 600 messages) into a new SQLite file at the
current migration head and writes ``tests/data/migrations/demo-<revision>.sqlite.gz``.
``tests/store/test_upgrade_from_release.py`` upgrades a copy of every such file to head.
"""

from __future__ import annotations

import gzip
import shutil
import sqlite3
import tempfile
from pathlib import Path

from rich.console import Console

from omnicase.demo.seed import seed_demo
from omnicase.store.db import Database
from omnicase.store.migrate import head_revision

HERE = Path(__file__).resolve().parent
MESSAGES = 600


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "demo.db"
        db = Database(f"sqlite:///{path}")
        seed_demo(db, messages=MESSAGES, days=30, seed=42, console=Console(stderr=True))
        db.dispose()
        with sqlite3.connect(path) as conn:
            conn.execute("PRAGMA journal_mode=DELETE")
        with sqlite3.connect(path, isolation_level=None) as conn:
            conn.execute("VACUUM")
        out = HERE / f"demo-{head_revision()}.sqlite.gz"
        with path.open("rb") as src, gzip.open(out, "wb", compresslevel=9) as dst:
            shutil.copyfileobj(src, dst)
    print(f"{out.relative_to(HERE.parents[2])}: {out.stat().st_size:,} bytes")


if __name__ == "__main__":
    main()
