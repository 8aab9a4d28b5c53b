"""The report's charts: matplotlib with the Agg backend, inlined as SVG (no files, no
fonts fetched, sharp in print)."""

from __future__ import annotations

import io
import logging
import threading
from typing import Any

from omnicase.reports.data import DailyReportData
from omnicase.reports.render.i18n import Words

#: One palette for every chart: a channel keeps its colour everywhere.
PALETTE = [
    "#1f4e79",
    "#2e86c1",
    "#48c9b0",
    "#f5b041",
    "#e67e22",
    "#a569bd",
    "#5d6d7e",
    "#ec7063",
    "#58d68d",
]
INK = "#2c3e50"
GRID = "#d5dbe1"
CAP = 3.0
_lock = threading.Lock()  # pyplot's state is global: one chart at a time per process


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    import matplotlib.pyplot as plt

    plt.rcParams.update(
        {
            "font.family": "DejaVu Sans",
            "font.size": 9,
            "axes.edgecolor": GRID,
            "axes.labelcolor": INK,
            "xtick.color": INK,
            "ytick.color": INK,
            "axes.spines.top": False,
            "axes.spines.right": False,
            "svg.fonttype": "none",
            "svg.hashsalt": "omnicase",
        }
    )
    return plt


def _svg(fig: Any) -> str:
    plt = _plt()
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _grid(ax: Any, axis: str = "y") -> None:
    ax.grid(axis=axis, color=GRID, linewidth=0.6)
    ax.set_axisbelow(True)


def volumes(data: DailyReportData, w: Words) -> str:
    plt = _plt()
    names = [w.channel(c.channel) for c in data.channels]
    fig, ax = plt.subplots(figsize=(7.0, 1.85))
    xs = range(len(names))
    ax.bar(
        [x - 0.2 for x in xs],
        [c.kpis.requests for c in data.channels],
        0.4,
        label=w("requests"),
        color=PALETTE[0],
    )
    ax.bar(
        [x + 0.2 for x in xs],
        [c.kpis.contacts for c in data.channels],
        0.4,
        label=w("contacts"),
        color=PALETTE[2],
    )
    ax.set_xticks(list(xs), names, fontsize=8, rotation=25, ha="right", rotation_mode="anchor")
    ax.legend(frameon=False, ncols=2, loc="upper right")
    ax.yaxis.get_major_locator().set_params(integer=True)
    _grid(ax)
    return _svg(fig)


def hours(data: DailyReportData, w: Words) -> str:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(7.0, 1.85))
    bottom = [0] * 24
    for i, c in enumerate(data.channels):
        if not any(c.contacts_by_hour):
            continue
        ax.bar(
            range(24),
            c.contacts_by_hour,
            0.8,
            bottom=bottom,
            label=w.channel(c.channel),
            color=PALETTE[i % len(PALETTE)],
        )
        bottom = [b + v for b, v in zip(bottom, c.contacts_by_hour, strict=True)]
    ax.set_xticks(range(0, 24, 2), [f"{h:02d}h" for h in range(0, 24, 2)])
    ax.set_xlim(-0.6, 23.6)
    ax.yaxis.get_major_locator().set_params(integer=True)
    ax.legend(frameon=False, ncols=5, fontsize=7, loc="upper left", bbox_to_anchor=(0, 1.22))
    _grid(ax)
    return _svg(fig)


def reasons(data: DailyReportData, w: Words) -> str:
    plt = _plt()
    totals: dict[str, int] = {}
    for c in data.channels:
        for r, n in c.reasons.items():
            totals[r] = totals.get(r, 0) + n
    items = sorted(totals.items(), key=lambda kv: kv[1])
    fig, ax = plt.subplots(figsize=(7.0, 0.2 * max(len(items), 3) + 0.4))
    ax.barh([w.reason(r) for r, _ in items], [n for _, n in items], color=PALETTE[1])
    for y, (_, n) in enumerate(items):
        ax.text(n, y, f" {n}", va="center", color=INK, fontsize=8)
    _grid(ax, "x")
    return _svg(fig)


def first_response(data: DailyReportData, w: Words) -> str:
    plt = _plt()
    rows = [
        c
        for c in data.channels
        if c.kpis.objective_s and c.kpis.first_response_median_s is not None
    ]
    fig, ax = plt.subplots(figsize=(7.0, 0.26 * max(len(rows), 2) + 0.5))
    names = [w.channel(c.channel) for c in rows]
    med = [(c.kpis.first_response_median_s or 0) / (c.kpis.objective_s or 1) for c in rows]
    p90 = [(c.kpis.first_response_p90_s or 0) / (c.kpis.objective_s or 1) for c in rows]
    ys = range(len(rows))
    # Bars stop at CAP × the objective (a phone answered in hours would flatten the rest);
    # the real multiple is written at the end of a cut bar.
    ax.barh(
        [y - 0.18 for y in ys],
        [min(v, CAP) for v in med],
        0.36,
        label=w("first_response_median_s"),
        color=PALETTE[0],
    )
    ax.barh(
        [y + 0.18 for y in ys],
        [min(v, CAP) for v in p90],
        0.36,
        label=w("first_response_p90_s"),
        color=PALETTE[3],
    )
    for y, (a, b) in enumerate(zip(med, p90, strict=True)):
        for v, dy in ((a, -0.18), (b, 0.18)):
            if v > CAP:
                ax.text(CAP, y + dy, f" ×{v:,.0f}", va="center", fontsize=7, color=INK)
    ax.set_xlim(0, CAP * 1.18)
    ax.axvline(1.0, color="#c0392b", linewidth=1.2, linestyle="--")
    ax.text(1.0, -0.62, f" {w('objective')}", color="#c0392b", fontsize=8, va="bottom")
    ax.set_yticks(list(ys), names)
    ax.invert_yaxis()
    ax.set_xlabel(w("times_objective"))
    ax.legend(frameon=False, ncols=2, loc="upper center", bbox_to_anchor=(0.5, -0.18), fontsize=8)
    _grid(ax, "x")
    return _svg(fig)


def teams(data: DailyReportData, w: Words) -> str:
    plt = _plt()
    rows = [t for t in data.teams if t.kpis.requests]
    names = [w("internal") if t.provider is None else f"{t.provider}\n{t.name}" for t in rows]
    fig, ax = plt.subplots(figsize=(7.0, 1.9))
    xs = range(len(rows))
    rr = [(t.kpis.response_rate or 0) * 100 for t in rows]
    wo = [(t.kpis.response_rate_within_objective or 0) * 100 for t in rows]
    ax.bar([x - 0.2 for x in xs], rr, 0.4, label=w("response_rate"), color=PALETTE[0])
    ax.bar(
        [x + 0.2 for x in xs], wo, 0.4, label=w("response_rate_within_objective"), color=PALETTE[2]
    )
    for x, (a, b) in enumerate(zip(rr, wo, strict=True)):
        ax.text(x - 0.2, a + 1, f"{a:.0f}", ha="center", fontsize=7, color=INK)
        ax.text(x + 0.2, b + 1, f"{b:.0f}", ha="center", fontsize=7, color=INK)
    ax.set_xticks(list(xs), names, fontsize=8)
    ax.set_ylim(0, 110)
    ax.set_ylabel("%")
    ax.legend(frameon=False, ncols=2, loc="upper center", bbox_to_anchor=(0.5, 1.18), fontsize=8)
    _grid(ax)
    return _svg(fig)


def all_charts(data: DailyReportData, w: Words) -> dict[str, str]:
    """Every chart the data can fill, by name (none for an empty day)."""
    if data.empty:
        return {}
    with _lock:
        out = {"volumes": volumes(data, w), "hours": hours(data, w), "reasons": reasons(data, w)}
        if any(
            c.kpis.objective_s and c.kpis.first_response_median_s is not None for c in data.channels
        ):
            out["first_response"] = first_response(data, w)
        if sum(1 for t in data.teams if t.kpis.requests) >= 1 and len(data.teams) > 1:
            out["teams"] = teams(data, w)
    return out
