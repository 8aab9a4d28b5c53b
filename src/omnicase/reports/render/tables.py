"""The report as data files: CSV (one row per KPI × breakdown) and XLSX (a sheet per
section), for directors who rework the figures in a spreadsheet."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import fields
from pathlib import Path
from typing import cast

from omnicase.reports.data import DailyReportData, Kpis

CSV_HEADER = ("day", "brand", "section", "breakdown", "kpi", "value", "previous_7d")
KPI_NAMES = tuple(f.name for f in fields(Kpis))


def _kpi_rows(
    section: str, breakdown: str, k: Kpis, prev: Kpis | None = None
) -> Iterator[tuple[str, str, str, object, object]]:
    for name in KPI_NAMES:
        value = getattr(k, name)
        if value is None and name in ("abandoned", "abandonment_rate"):
            continue
        yield section, breakdown, name, value, getattr(prev, name) if prev is not None else None


def rows(d: DailyReportData) -> Iterator[tuple[str, str, str, object, object]]:
    """(section, breakdown, kpi, value, previous) for every figure of the report."""
    yield from _kpi_rows("total", "all", d.total, d.previous)
    for c in d.channels:
        yield from _kpi_rows("channel", c.channel, c.kpis)
        for reason, n in c.reasons.items():
            yield "reason", f"{c.channel}/{reason}", "requests", n, None
        for hour, n in enumerate(c.contacts_by_hour):
            if n:
                yield "hour", f"{c.channel}/{hour:02d}", "contacts", n, None
    for t in d.teams:
        name = "internal" if t.provider is None else f"{t.provider}/{t.name}"
        yield from _kpi_rows("team", name, t.kpis)
    for i in d.top_issues:
        yield f"top_{i.kind}", i.label, "requests", i.count, round(i.previous_daily_avg, 3)
    for ch in d.notable_changes:
        yield "change", ch.scope, ch.kpi, ch.today, ch.previous
    for ct in d.contracts:
        where = f"{ct.provider}/{ct.team}"
        for line in ct.lines:
            yield "contract", where, f"{line.kpi}.objective", line.objective, None
            yield "contract", where, f"{line.kpi}.achieved", line.achieved, None
            yield "contract", where, f"{line.kpi}.amount", line.amount, None
        yield "contract", where, f"total.{ct.currency}", ct.total, None
    for name, sec in (("consistency", d.consistency), ("csat", d.csat), ("qa", d.qa)):
        yield "quality", name, "score", None if sec is None else sec.score, None


def render_csv(d: DailyReportData) -> str:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(CSV_HEADER)
    for section, breakdown, kpi, value, prev in rows(d):
        out.writerow(
            [
                d.day.isoformat(),
                d.brand,
                section,
                breakdown,
                kpi,
                "" if value is None else value,
                "" if prev is None else prev,
            ]
        )
    return buf.getvalue()


SHEETS = ("Summary", "Channels", "Reasons", "Hours", "Teams", "Top issues", "Changes", "Contracts")


def write_xlsx(d: DailyReportData, path: Path) -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.worksheet.worksheet import Worksheet

    wb = Workbook()
    bold = Font(bold=True)
    ws = wb.active
    assert ws is not None
    ws.title = "Summary"
    ws.append(["brand", d.brand_name])
    ws.append(["day", d.day.isoformat()])
    ws.append(["timezone", d.timezone])
    ws.append(["as_of", d.as_of.isoformat()])
    ws.append(["no data" if d.empty else "", ""])
    ws.append(["kpi", "day", "previous 7 days"])
    for name in KPI_NAMES:
        ws.append([name, getattr(d.total, name), getattr(d.previous, name)])

    def sheet(title: str, header: list[str]) -> Worksheet:
        s = wb.create_sheet(title)
        s.append(header)
        for cell in s[1]:
            cell.font = bold
        s.freeze_panes = "A2"
        return cast(Worksheet, s)

    s = sheet("Channels", ["channel", *KPI_NAMES])
    for c in d.channels:
        s.append([c.channel, *(getattr(c.kpis, n) for n in KPI_NAMES)])
    s = sheet("Reasons", ["channel", "reason", "requests"])
    for c in d.channels:
        for reason, n in c.reasons.items():
            s.append([c.channel, reason, n])
    s = sheet("Hours", ["channel", *(f"{h:02d}" for h in range(24))])
    for c in d.channels:
        s.append([c.channel, *c.contacts_by_hour])
    s = sheet("Teams", ["team", "provider", *KPI_NAMES])
    for t in d.teams:
        s.append([t.name, t.provider or "internal", *(getattr(t.kpis, n) for n in KPI_NAMES)])
    s = sheet("Top issues", ["kind", "label", "requests", "previous daily avg", "change"])
    for i in d.top_issues:
        s.append([i.kind, i.label, i.count, i.previous_daily_avg, i.change])
    s = sheet("Changes", ["kpi", "scope", "day", "previous", "delta", "unit"])
    for ch in d.notable_changes:
        s.append([ch.kpi, ch.scope, ch.today, ch.previous, ch.delta, ch.unit])
    s = sheet(
        "Contracts",
        ["provider", "team", "kpi", "objective", "achieved", "points", "amount", "currency"],
    )
    for ct in d.contracts:
        for line in ct.lines:
            s.append(
                [
                    ct.provider,
                    ct.team,
                    line.kpi,
                    line.objective,
                    line.achieved,
                    line.points,
                    line.amount,
                    ct.currency,
                ]
            )
        s.append([ct.provider, ct.team, "total", None, None, None, ct.total, ct.currency])
    wb.save(path)
