"""The report as one self-contained HTML page (Jinja2; charts inline; print CSS for PDF)."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from jinja2 import Environment, FileSystemLoader, select_autoescape

from omnicase.reports.data import DailyReportData, Kpis, OptionalSection
from omnicase.reports.render import charts
from omnicase.reports.render.i18n import Words

TEMPLATES = Path(__file__).parent / "templates"
MAX_CHANGES = 8
_env = Environment(loader=FileSystemLoader(TEMPLATES), autoescape=select_autoescape(["j2", "html"]))


def kpi_label(w: Words, kpi: str) -> str:
    return w(kpi)


def kpi_value(w: Words, kpi: str, value: float | None) -> str:
    if value is None:
        return w("not_measured")
    if kpi.endswith("_s"):
        return w.duration(value)
    if kpi in ("csat", "qa_score"):
        return w.num(value, 2)
    return w.pct(value)


def _objective(w: Words, k: Kpis) -> str:
    if not k.objective_s:
        return "–"
    text = (
        w.duration(k.objective_s)
        .replace("\u00a0min\u00a000", "\u00a0min")
        .replace("\u00a0h\u00a000", "\u00a0h")
    )
    return f"{text} {w('business')}" if k.business_hours else text


def _within_css(k: Kpis, floor: float = 0.8) -> str:
    v = k.response_rate_within_objective
    return "" if v is None else ("bad" if v < floor else "good")


def _age(w: Words, hours: float | None) -> str:
    return "–" if hours is None else w.duration(hours * 3600)


def _tiles(d: DailyReportData, w: Words) -> list[dict[str, str]]:
    t, p = d.total, d.previous
    days = 7

    def prev(value: str) -> str:
        return f"{w('vs_previous')} : {value}" if w.lang == "fr" else f"{w('vs_previous')}: {value}"

    return [
        {
            "label": w("requests"),
            "value": w.num(t.requests),
            "prev": prev(w.num(p.requests / days, 1)),
        },
        {
            "label": w("contacts"),
            "value": w.num(t.contacts),
            "prev": prev(w.num(p.contacts / days, 1)),
        },
        {
            "label": w("response_rate"),
            "value": w.pct(t.response_rate),
            "prev": prev(w.pct(p.response_rate)),
        },
        {
            "label": w("response_rate_within_objective"),
            "value": w.pct(t.response_rate_within_objective),
            "prev": prev(w.pct(p.response_rate_within_objective)),
        },
        {
            "label": w("backlog"),
            "value": w.num(t.backlog),
            "prev": f"{w('backlog_age')} {_age(w, t.backlog_median_age_h)}"
            f" / {_age(w, t.backlog_oldest_age_h)}",
        },
    ]


def _changes(d: DailyReportData, w: Words) -> list[dict[str, str]]:
    out = []
    # rates first (what a director acts on), then the biggest moves; at most MAX_CHANGES
    ranked = sorted(
        d.notable_changes, key=lambda c: (c.unit != "points", c.scope != "all", -abs(c.delta))
    )
    for c in ranked[:MAX_CHANGES]:
        label = w(c.kpi)
        scope = w.channel(c.scope)
        if c.unit == "points":
            delta = w.signed_points(c.delta)
            figures = f"{w.pct(c.today)} vs {w.pct(c.previous)}"
            good = c.delta > 0
        elif c.kpi.endswith("_s"):
            delta = w.signed_pct(c.delta)
            figures = f"{w.duration(c.today)} vs {w.duration(c.previous)}"
            good = c.delta < 0
        else:
            delta = w.signed_pct(c.delta)
            figures = f"{w.num(c.today)} vs {w.num(c.previous, 1)} ({w('avg7')})"
            good = True
        css = "" if c.kpi in ("requests", "contacts") else ("good" if good else "bad")
        out.append(
            {
                "delta": delta,
                "text": f"{label}, {scope} : {figures}"
                if w.lang == "fr"
                else f"{label}, {scope}: {figures}",
                "css": css,
            }
        )
    return out


def _channel_row(w: Words, name: str, k: Kpis, css: str = "") -> dict[str, str]:
    return {
        "name": name,
        "css": css,
        "requests": w.num(k.requests),
        "contacts": w.num(k.contacts),
        "rr": w.pct(k.response_rate),
        "wo": w.pct(k.response_rate_within_objective),
        "wo_css": _within_css(k),
        "med": w.duration(k.first_response_median_s),
        "p90": w.duration(k.first_response_p90_s),
        "objective": _objective(w, k),
        "backlog": w.num(k.backlog),
        "abandon": w.pct(k.abandonment_rate) if k.abandonment_rate is not None else "–",
    }


def _optional(w: Words, label: str, section: OptionalSection | None, kpi: str) -> dict[str, str]:
    if section is None or section.score is None:
        return {"label": label, "value": w("not_measured"), "css": "muted"}
    return {"label": label, "value": kpi_value(w, kpi, section.score), "css": ""}


def context(d: DailyReportData) -> dict[str, Any]:
    w = Words(d.language)
    zone = ZoneInfo(d.timezone)
    scope = None
    if d.engagement_id is not None and d.teams:
        t = d.teams[0]
        scope = f"{t.provider} · {t.name}"
    contracts = []
    for c in d.contracts:
        lines = []
        for line in c.lines:
            css = "" if line.points is None else ("bad" if line.points < 0 else "good")
            lines.append(
                {
                    "kpi": kpi_label(w, line.kpi),
                    "objective": kpi_value(w, line.kpi, line.objective),
                    "achieved": kpi_value(w, line.kpi, line.achieved),
                    "points": "–" if line.points is None else w.num(line.points, 1),
                    "amount": w.money(line.amount, c.currency),
                    "css": css,
                }
            )
        contracts.append(
            {
                "title": f"{c.provider} · {c.team}",
                "lines": lines,
                "penalty": w.money(c.penalty, c.currency),
                "bonus": w.money(c.bonus, c.currency),
                "total": w.money(c.total, c.currency),
                "css": "bad" if c.total < 0 else "good",
            }
        )
    reasons: list[dict[str, str]] = []
    keywords: list[dict[str, str]] = []
    for issue in d.top_issues:
        row = {
            "label": w.reason(issue.label) if issue.kind == "reason" else issue.label,
            "count": w.num(issue.count),
            "prev": w.num(issue.previous_daily_avg, 1),
            "change": "–" if issue.change is None else w.signed_pct(issue.change),
            "css": "" if issue.change is None else ("bad" if issue.change > 0.2 else ""),
        }
        (reasons if issue.kind == "reason" else keywords).append(row)
    return {
        "d": d,
        "w": w,
        "title": w("engagement_title") if d.engagement_id is not None else w("title"),
        "scope": scope,
        "as_of": d.as_of.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "generated": d.generated_at.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
        "tiles": _tiles(d, w) if not d.empty else [],
        "changes": _changes(d, w),
        "thresholds": tuple(f"{v:g}" for v in d.change_thresholds),
        "channel_rows": [_channel_row(w, w.channel(c.channel), c.kpis) for c in d.channels]
        + [_channel_row(w, w.channel("all"), d.total, "total")],
        "team_rows": [
            {
                **_channel_row(
                    w, w("internal") if t.provider is None else f"{t.provider} · {t.name}", t.kpis
                ),
            }
            for t in d.teams
        ],
        "contracts": contracts,
        "reasons": reasons,
        "keywords": keywords,
        "quality": [
            _optional(w, w("consistency"), d.consistency, "consistency_rate"),
            _optional(w, w("csat"), d.csat, "csat"),
            _optional(w, w("qa_score"), d.qa, "qa_score"),
        ],
        "charts": charts.all_charts(d, w),
    }


def render_html(d: DailyReportData) -> str:
    return _env.get_template("daily.html.j2").render(**context(d))
