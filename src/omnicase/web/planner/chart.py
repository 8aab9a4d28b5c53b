"""The forecast chart as inline SVG, drawn on the server: no chart library, no script,
nothing the Content-Security-Policy must allow (presentation attributes, no style)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from markupsafe import Markup, escape

WIDTH, HEIGHT = 900, 240
LEFT, RIGHT, TOP, BOTTOM = 44, 10, 12, 28


def _path(values: Sequence[float], x0: float, step: float, scale: float) -> str:
    base = HEIGHT - BOTTOM
    return " ".join(
        f"{'M' if i == 0 else 'L'}{x0 + i * step:.1f},{base - v * scale:.1f}"
        for i, v in enumerate(values)
    )


def daily_chart(history: Sequence[float], forecast: Sequence[float], first: date) -> Markup:
    """Contacts per day: the history (grey) then the forecast (blue, shaded); ``first`` is
    the first forecast day. Ticks on Mondays."""
    values = [*history, *forecast]
    top = max(values) if values and max(values) > 0 else 1.0
    n = max(len(values), 2)
    step = (WIDTH - LEFT - RIGHT) / (n - 1)
    scale = (HEIGHT - TOP - BOTTOM) / (top * 1.1)
    base = HEIGHT - BOTTOM
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{escape("contacts per day")}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for k in range(5):  # horizontal grid lines with their value
        v = top * 1.1 * k / 4
        y = base - v * scale
        parts.append(
            f'<line class="gridline" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y:.1f}" y2="{y:.1f}"/>'
        )
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">{v:.0f}</text>')
    start = first - timedelta(days=len(history))
    for i in range(len(values)):
        day = start + timedelta(days=i)
        if day.weekday() == 0:
            x = LEFT + i * step
            parts.append(
                f'<line class="axis" x1="{x:.1f}" x2="{x:.1f}" y1="{base}" y2="{base + 4}"/>'
            )
            parts.append(
                f'<text x="{x:.1f}" y="{base + 17}" text-anchor="middle">{day:%d/%m}</text>'
            )
    h = len(history)
    if forecast:
        x0 = LEFT + max(h - 1, 0) * step
        joined = ([history[-1]] if history else []) + list(forecast)
        line = _path(joined, x0, step, scale)
        end = x0 + (len(joined) - 1) * step
        parts.append(f'<path class="fc-area" d="{line} L{end:.1f},{base} L{x0:.1f},{base} Z"/>')
        parts.append(f'<path class="fc" d="{line}" data-series="forecast"/>')
    if history:
        parts.append(
            f'<path class="hist" d="{_path(history, LEFT, step, scale)}" data-series="history"/>'
        )
    parts.append(f'<line class="axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
