"""The 30-day KPI trend as inline SVG drawn on the server (the CSP allows no script and
no inline style: classes only, styled by ``/static/webquality.css``): cases per day as
bars, the share answered within objective as a line on a 0-100 % right axis."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from markupsafe import Markup, escape

WIDTH, HEIGHT = 900, 220
LEFT, RIGHT, TOP, BOTTOM = 44, 44, 12, 28


def trend_chart(rows: Sequence[Mapping[str, Any]], last: date, n_days: int, label: str) -> Markup:
    """``rows``: ``trend()`` rows (``day``, ``components``, ``kpis``), one per day with
    activity; the ``n_days`` up to ``last`` are drawn, a quiet day as an empty slot."""
    by_day = {str(r["day"]): r for r in rows}
    days = [last - timedelta(days=n_days - 1 - i) for i in range(n_days)]
    found = [by_day.get(d.isoformat()) for d in days]
    cases = [float(r["components"].get("cases", 0)) if r else 0.0 for r in found]
    rate = [r["kpis"].get("response_rate_in_objective") if r else None for r in found]
    top = max(cases, default=0) or 1.0
    n = max(n_days, 1)
    slot = (WIDTH - LEFT - RIGHT) / n
    base = HEIGHT - BOTTOM
    span = HEIGHT - TOP - BOTTOM
    parts = [
        f'<svg class="chart kpi-trend" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape(label)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for k in range(5):
        y = base - span * k / 4
        parts.append(
            f'<line class="gridline" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{top * k / 4:.0f}</text>'
        )
        parts.append(
            f'<text class="axis-right" x="{WIDTH - RIGHT + 6}" y="{y + 4:.1f}">{25 * k}%</text>'
        )
    points = []
    for i, (day, c, r) in enumerate(zip(days, cases, rate, strict=True)):
        x = LEFT + i * slot
        h = span * c / top
        parts.append(
            f'<rect class="vol" x="{x + slot * 0.15:.1f}" y="{base - h:.1f}" '
            f'width="{slot * 0.7:.1f}" height="{h:.1f}" data-day="{day.isoformat()}" '
            f'data-cases="{c:.0f}"><title>{day.isoformat()}: {c:.0f}</title></rect>'
        )
        if r is not None:
            points.append((x + slot / 2, base - span * float(r)))
        if day.weekday() == 0:
            parts.append(
                f'<text x="{x + slot / 2:.1f}" y="{base + 17}" text-anchor="middle">'
                f"{day:%d/%m}</text>"
            )
    if points:
        d = " ".join(f"{'M' if i == 0 else 'L'}{x:.1f},{y:.1f}" for i, (x, y) in enumerate(points))
        parts.append(f'<path class="rate" d="{d}" data-series="in_objective"/>')
        for x, y in points:
            parts.append(f'<circle class="rate-dot" cx="{x:.1f}" cy="{y:.1f}" r="2.5"/>')
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
