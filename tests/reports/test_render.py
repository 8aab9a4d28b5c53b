"""Rendering the fixed day (and an empty one): a PDF Chromium really printed (pages),
an XLSX openpyxl opens with its sheets, a CSV that parses with the figures, HTML in the
brand's language."""

from __future__ import annotations

import csv
import io
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook

from omnicase.reports.collect import collect
from omnicase.reports.data import DailyReportData
from omnicase.reports.render import render_all
from omnicase.reports.render.html import render_html
from omnicase.reports.render.pdf import page_count
from omnicase.reports.render.tables import SHEETS, render_csv, write_xlsx
from omnicase.store.db import Database
from tests.reports.dataset import AS_OF, DAY, build

pytestmark = pytest.mark.processes


def _day(db: Database, day: date = DAY, brand: str = "acme") -> DailyReportData:
    build(db)
    with db.reading() as s:
        return collect(s, brand, day, as_of=AS_OF)


@pytest.fixture
def sqlite_db(tmp_path: Path, sqlite_template: Path) -> Database:
    import shutil

    path = tmp_path / "r.db"
    shutil.copy(sqlite_template, path)
    return Database(f"sqlite:///{path}")


def test_every_format_of_the_fixed_day(sqlite_db: Database, tmp_path: Path) -> None:
    d = _day(sqlite_db)
    files = render_all(d)
    pdf = files["pdf"]
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert 2 <= page_count(pdf) <= 5  # a report, not one endless page
    html = files["html"].decode()
    assert "Rapport quotidien du service client" in html and "mardi 3 novembre 2026" in html
    assert html.count("<svg") >= 4  # volumes, hours, reasons, response time vs objective
    assert "Lille digital" in html and "pas encore mesuré" in html
    assert "http://" not in html.split("<svg", 1)[0].replace("http://www.w3.org", "")

    rows = list(csv.DictReader(io.StringIO(files["csv"].decode())))
    assert rows[0].keys() == {"day", "brand", "section", "breakdown", "kpi", "value", "previous_7d"}
    got = {(r["section"], r["breakdown"], r["kpi"]): r["value"] for r in rows}
    assert got[("total", "all", "requests")] == "5"
    assert float(got[("channel", "email", "first_response_median_s")]) == 9900
    assert got[("reason", "chat/order", "requests")] == "2"
    assert float(got[("team", "CallPro/Lille digital", "response_rate")]) == 0.5

    path = tmp_path / "r.xlsx"
    path.write_bytes(files["xlsx"])
    wb = load_workbook(path)
    assert wb.sheetnames == list(SHEETS)
    channels = wb["Channels"]
    header = [c.value for c in channels[1]]
    email = next(r for r in channels.iter_rows(min_row=2, values_only=True) if r[0] == "email")
    assert email[header.index("requests")] == 2
    assert email[header.index("first_response_p90_s")] == pytest.approx(12060)


def test_an_empty_day_renders_and_says_so(sqlite_db: Database, tmp_path: Path) -> None:
    d = _day(sqlite_db, date(2026, 11, 8))
    html = render_html(d)
    assert "Aucun contact ni demande ce jour-là" in html and "<svg" not in html
    files = render_all(d)
    assert files["pdf"].startswith(b"%PDF-") and page_count(files["pdf"]) == 1
    assert list(csv.reader(io.StringIO(render_csv(d))))[1][4] == "contacts"
    write_xlsx(d, tmp_path / "e.xlsx")
    assert load_workbook(tmp_path / "e.xlsx")["Summary"]["A5"].value == "no data"


def test_an_english_brand_reads_english(sqlite_db: Database) -> None:
    d = _day(sqlite_db, brand="globex")
    html = render_html(d)
    assert "Daily customer service report" in html and "Tuesday 3 November 2026" in html
    assert "No contact and no request that day" in html
