"""What a scenario hands a planner: JSON, the monthly table as CSV and XLSX, and one
self-contained HTML report (matplotlib charts inlined as SVG, rendered with Agg)."""

from __future__ import annotations

import csv
import html
import io
import math
from pathlib import Path
from typing import Any

from omnicase.wfm.scenario import OPTIONS, ScenarioResult, target_of

COLOURS = {"internal": "#1f77b4", "outsourced": "#d62728", "hybrid": "#2ca02c"}


def _clean(value: Any) -> Any:
    if isinstance(value, float):
        return round(value, 4) if math.isfinite(value) else None
    return value


def answer_json(result: ScenarioResult) -> dict[str, Any]:
    """The API's and ``--format json``'s answer."""
    return {
        "situation": result.spec.situation,
        "start": result.spec.start.isoformat(),
        "months": result.months,
        "channels": list(result.spec.weeks),
        "targets": {c: target_of(result.spec, c) for c in result.spec.weeks},
        "provider_start_month": result.months[result.provider_start_month],
        "notes": list(result.spec.notes),
        "rows": [{k: _clean(v) for k, v in row.items()} for row in result.table()],
        "summary": {
            o: {k: _clean(v) for k, v in vars(s).items()} for o, s in result.summaries.items()
        },
        "fte_by_channel": {
            c: [round(v, 2) for v in values] for c, values in result.fte_by_channel.items()
        },
        "cheapest": result.cheapest,
        "most_robust": result.most_robust,
        "recommendation": result.recommendation,
        "hybrid_simulation": result.validation,
    }


def csv_text(result: ScenarioResult) -> str:
    table = result.table()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(table[0]), lineterminator="\n")
    writer.writeheader()
    for row in table:
        writer.writerow({k: _clean(v) for k, v in row.items()})
    return out.getvalue()


def write_xlsx(result: ScenarioResult, path: Path) -> None:
    """The monthly table on one sheet, the summary and recommendation on another."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "monthly"
    table = result.table()
    sheet.append(list(table[0]))
    for row in table:
        sheet.append([_clean(v) for v in row.values()])
    summary = book.create_sheet("summary")
    fields = [
        "option",
        "cost_total",
        "cost_low",
        "cost_high",
        "meets_targets",
        "worst_margin",
        "worst_margin_risk",
        "provider_share",
    ]
    summary.append(fields)
    for s in result.summaries.values():
        summary.append([_clean(getattr(s, f)) for f in fields])
    summary.append([])
    summary.append(["recommendation", result.recommendation])
    book.save(path)


# --------------------------------------------------------------------------- charts


def _svg(fig: Any) -> str:
    import matplotlib.pyplot as plt

    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    text = buf.getvalue()
    return text[text.index("<svg") :]


def _charts(result: ScenarioResult) -> list[tuple[str, str]]:
    import logging

    import matplotlib

    matplotlib.use("Agg")
    logging.getLogger("matplotlib").setLevel(logging.WARNING)
    import matplotlib.pyplot as plt

    months = result.months
    by = {o: [r for r in result.rows if r.option == o] for o in OPTIONS}
    out = []
    fig, ax = plt.subplots(figsize=(8, 3.2))
    ax.plot(months, [r.fte_needed for r in by["internal"]], "k--", label="FTE needed")
    for o in OPTIONS:
        ax.plot(months, [r.internal_fte for r in by[o]], color=COLOURS[o], label=f"{o}: internal")
    ax.set_ylabel("FTE")
    ax.tick_params(axis="x", rotation=45)
    ax.legend(fontsize=7)
    out.append(("Monthly FTE by option", _svg(fig)))

    fig, ax = plt.subplots(figsize=(8, 3.2))
    width = 0.27
    for i, o in enumerate(OPTIONS):
        xs = [x + (i - 1) * width for x in range(len(months))]
        ax.bar(xs, [r.cost_total for r in by[o]], width, color=COLOURS[o], label=o)
    ax.set_xticks(range(len(months)), months, rotation=45)
    ax.set_ylabel("cost per month")
    ax.legend(fontsize=7)
    out.append(("Cost by option", _svg(fig)))

    channels = list(result.spec.weeks)
    fig, axes = plt.subplots(
        1, len(channels), figsize=(2.6 * len(channels) + 1, 3), sharey=True, squeeze=False
    )
    for ax, c in zip(axes[0], channels, strict=True):
        for i, o in enumerate(OPTIONS):
            rows = by[o]
            values = [
                min(r.service_level_low[c] for r in rows),
                min(r.service_level[c] for r in rows),
                min(r.service_level_high[c] for r in rows),
            ]
            xs = [x + (i - 1) * width for x in range(3)]
            ax.bar(xs, values, width, color=COLOURS[o], label=o)
        ax.axhline(target_of(result.spec, c), color="k", linestyle=":", linewidth=1)
        ax.set_xticks(range(3), ["−20 %", "base", "+20 %"])
        ax.set_title(c, fontsize=9)
        ax.set_ylim(0, 1.02)
    axes[0][0].set_ylabel("worst monthly service level")
    axes[0][0].legend(fontsize=7)
    out.append(("Service level by channel under base / −20 % / +20 % volume", _svg(fig)))
    return out


def html_report(result: ScenarioResult) -> str:
    """One file, nothing external: the charts are inline SVG."""
    e = html.escape
    spec = result.spec
    parts = [
        "<!doctype html><html><head><meta charset='utf-8'>",
        f"<title>Outsourcing scenario: {e(spec.situation)}</title>",
        "<style>body{font-family:sans-serif;max-width:70em;margin:2em auto}"
        "table{border-collapse:collapse;font-size:12px}td,th{border:1px solid #ccc;"
        "padding:2px 6px;text-align:right}.rec{font-size:1.1em;background:#eef;"
        "padding:.6em}</style></head><body>",
        f"<h1>Outsourcing scenario: {e(spec.situation)}</h1>",
        f"<p>{len(result.months)} months from {e(result.months[0])}; channels "
        f"{e(', '.join(spec.weeks))}; provider available from "
        f"{e(result.months[result.provider_start_month])}.</p>",
        f"<p class='rec' id='recommendation'><b>Recommendation:</b> {e(result.recommendation)}</p>",
    ]
    if spec.notes:
        parts.append("<ul>" + "".join(f"<li>{e(n)}</li>" for n in spec.notes) + "</ul>")
    parts.append(
        "<h2>Summary</h2><table><tr><th>option</th><th>total cost</th>"
        "<th>cost −20 %</th><th>cost +20 %</th><th>meets targets</th>"
        "<th>worst SL margin</th><th>worst under ±20 %</th><th>provider share</th></tr>"
    )
    for s in result.summaries.values():
        parts.append(
            f"<tr><td>{e(s.option)}</td><td>{s.cost_total:,.0f}</td><td>{s.cost_low:,.0f}</td>"
            f"<td>{s.cost_high:,.0f}</td><td>{'yes' if s.meets_targets else 'no'}</td>"
            f"<td>{s.worst_margin * 100:+.1f} pt</td><td>{s.worst_margin_risk * 100:+.1f} pt</td>"
            f"<td>{s.provider_share:.0%}</td></tr>"
        )
    parts.append("</table>")
    for title, svg in _charts(result):
        parts.append(f"<h2>{e(title)}</h2><figure class='chart'>{svg}</figure>")
    if result.validation:
        v = result.validation
        parts.append(
            f"<h2>Hybrid checked by simulation ({e(v['month'])}, one week)</h2>"
            "<table><tr><th>channel</th><th>simulated SL</th><th>target</th>"
            "<th>provider share simulated</th><th>planned</th></tr>"
        )
        for c, s in v["channels"].items():
            sl = "–" if s["service_level"] is None else f"{s['service_level']:.1%}"
            parts.append(
                f"<tr><td>{e(c)}</td><td>{sl}</td><td>{s['target']:.0%}</td>"
                f"<td>{s['provider_share']:.1%}</td><td>{s['planned_provider_share']:.1%}</td></tr>"
            )
        parts.append("</table>")
    table = result.table()
    parts.append("<h2>Monthly table</h2><table><tr>")
    parts.append("".join(f"<th>{e(k)}</th>" for k in table[0]) + "</tr>")
    for row in table:
        cells = []
        for v in row.values():
            text = f"{v:,.3f}" if isinstance(v, float) else str(v)
            cells.append(f"<td>{e(text)}</td>")
        parts.append("<tr>" + "".join(cells) + "</tr>")
    parts.append("</table></body></html>")
    return "\n".join(parts)
