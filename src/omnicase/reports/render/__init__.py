"""Renderers of :class:`~omnicase.reports.data.DailyReportData`: HTML, PDF, CSV, XLSX."""

from __future__ import annotations

import tempfile
from pathlib import Path

from omnicase.reports.data import DailyReportData

FORMATS = ("html", "pdf", "csv", "xlsx")
MEDIA_TYPES = {
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def render_all(d: DailyReportData) -> dict[str, bytes]:
    """Every format's bytes (PDF from the same HTML)."""
    from omnicase.reports.render.html import render_html
    from omnicase.reports.render.pdf import html_to_pdf
    from omnicase.reports.render.tables import render_csv, write_xlsx

    html = render_html(d)
    out = {"html": html.encode("utf-8"), "csv": render_csv(d).encode("utf-8")}
    out["pdf"] = html_to_pdf(html)
    with tempfile.TemporaryDirectory(prefix="omnicase-xlsx-") as tmp:
        path = Path(tmp) / "report.xlsx"
        write_xlsx(d, path)
        out["xlsx"] = path.read_bytes()
    return out


def file_name(d: DailyReportData, fmt: str) -> str:
    scope = f"-engagement{d.engagement_id}" if d.engagement_id is not None else ""
    return f"daily-{d.brand}{scope}-{d.day.isoformat()}.{fmt}"
