"""``omnicase report daily`` writes the four files of a day, and says no-data days."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from omnicase.cli import app
from omnicase.store.db import Database
from tests.reports.dataset import build

pytestmark = pytest.mark.processes


def test_the_cli_writes_html_pdf_csv_xlsx(tmp_path: Path, sqlite_template: Path) -> None:
    path = tmp_path / "r.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    build(Database(url))
    out = tmp_path / "out"
    runner = CliRunner()
    r = runner.invoke(
        app,
        [
            "report",
            "daily",
            "--brand",
            "acme",
            "--date",
            "2026-11-03",
            "--out",
            str(out),
            "--database",
            url,
        ],
    )
    assert r.exit_code == 0, r.output
    files = json.loads(r.output.strip().splitlines()[-1])
    assert files["empty"] is False
    names = sorted(p.name for p in out.iterdir())
    assert names == [f"daily-acme-2026-11-03.{x}" for x in ("csv", "html", "pdf", "xlsx")]
    assert (out / "daily-acme-2026-11-03.pdf").read_bytes().startswith(b"%PDF-")
    assert "Lille digital" in (out / "daily-acme-2026-11-03.html").read_text()
    assert "Channels" in load_workbook(out / "daily-acme-2026-11-03.xlsx").sheetnames

    r = runner.invoke(
        app,
        [
            "report",
            "daily",
            "--brand",
            "acme",
            "--date",
            "2026-11-08",
            "--out",
            str(out),
            "--database",
            url,
        ],
    )
    assert r.exit_code == 0 and json.loads(r.output.strip().splitlines()[-1])["empty"] is True
    r = runner.invoke(
        app, ["report", "daily", "--brand", "nope", "--date", "2026-11-03", "--database", url]
    )
    assert r.exit_code == 2 and "--brand" in r.output
    r = runner.invoke(
        app, ["report", "daily", "--brand", "acme", "--date", "03/11/2026", "--database", url]
    )
    assert r.exit_code == 2 and "--date" in r.output
