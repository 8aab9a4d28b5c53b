"""Pure aggregation of a report's rows into :class:`Kpis` (no database).

The collector reads plain rows; everything that counts, takes medians or compares lives
here, so it can be checked on hand-made rows and reused by whatever feeds the report.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from omnicase.reports.data import Kpis, NotableChange, TopIssue

#: A KPI is "notable" when it moves by more than this share (volumes, times) ...
RELATIVE_THRESHOLD = 0.20
#: ... or by more than this many points (rates: 0.05 = 5 points) vs the previous 7 days,
MIN_VOLUME = 10  # ... on at least this many requests on both sides.
POINTS_THRESHOLD = 0.05
PREVIOUS_DAYS = 7
MIN_KEYWORD = 5  # shorter content words are mostly abbreviations ("cde")
ABANDON_CHANNELS = ("chat", "phone")


@dataclass(frozen=True, slots=True)
class RequestRow:
    """One case that started in the period, with its first-response facts as of the
    report's cut-off."""

    case_id: int
    channel: str
    reason: str
    team_id: int | None
    answered: bool
    #: None when the outcome is not known yet (unanswered, not due).
    within: bool | None
    first_response_s: float | None
    objective_s: int
    business_hours: bool
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ContactRow:
    channel: str
    team_id: int | None
    local_hour: int
    abandoned: bool  # a missed call / voicemail


@dataclass(frozen=True, slots=True)
class BacklogRow:
    channel: str
    team_id: int | None
    age_h: float


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (numpy's default), None for no values."""
    if not values:
        return None
    s = sorted(values)
    pos = (len(s) - 1) * q
    lo = int(pos)
    hi = min(lo + 1, len(s) - 1)
    return s[lo] + (s[hi] - s[lo]) * (pos - lo)


def _ratio(num: int, den: int) -> float | None:
    return num / den if den else None


def kpis(
    requests: Iterable[RequestRow],
    contacts: Iterable[ContactRow],
    backlog: Iterable[BacklogRow],
    *,
    channel: str | None = None,
) -> Kpis:
    reqs = list(requests)
    cons = list(contacts)
    back = list(backlog)
    answered = [r for r in reqs if r.answered]
    times = [r.first_response_s for r in answered if r.first_response_s is not None]
    within = sum(1 for r in reqs if r.within)
    decided = sum(1 for r in reqs if r.within is not None)
    ages = [b.age_h for b in back]
    out = Kpis(
        contacts=len(cons),
        requests=len(reqs),
        answered=len(answered),
        answered_within=within,
        decided=decided,
        response_rate=_ratio(len(answered), len(reqs)),
        response_rate_within_objective=_ratio(within, decided),
        first_response_median_s=percentile(times, 0.5),
        first_response_p90_s=percentile(times, 0.9),
        first_response_within_share=_ratio(sum(1 for r in answered if r.within), len(answered)),
        backlog=len(back),
        backlog_median_age_h=percentile(ages, 0.5),
        backlog_oldest_age_h=max(ages) if ages else None,
    )
    objectives = {(r.objective_s, r.business_hours) for r in reqs}
    if len(objectives) == 1:
        out.objective_s, out.business_hours = objectives.pop()
    if channel == "phone":
        calls = len(cons)
        out.abandoned = sum(1 for c in cons if c.abandoned)
        out.abandonment_rate = _ratio(out.abandoned, calls)
    elif channel == "chat":
        out.abandoned = sum(1 for r in reqs if not r.answered)
        out.abandonment_rate = _ratio(out.abandoned, len(reqs))
    return out


def top_issues(
    today: Iterable[RequestRow], previous: Iterable[RequestRow], *, limit: int = 5
) -> list[TopIssue]:
    """The most frequent reasons of the day, and the keywords rising the most (at least 3
    requests, at least double the previous 7 days' daily average)."""
    now_r: dict[str, int] = {}
    prev_r: dict[str, int] = {}
    now_k: dict[str, int] = {}
    prev_k: dict[str, int] = {}
    for r in today:
        now_r[r.reason] = now_r.get(r.reason, 0) + 1
        for k in set(r.keywords):
            now_k[k] = now_k.get(k, 0) + 1
    for r in previous:
        prev_r[r.reason] = prev_r.get(r.reason, 0) + 1
        for k in set(r.keywords):
            prev_k[k] = prev_k.get(k, 0) + 1
    out: list[TopIssue] = []
    for reason, n in sorted(now_r.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]:
        avg = prev_r.get(reason, 0) / PREVIOUS_DAYS
        out.append(TopIssue("reason", reason, n, avg, (n - avg) / avg if avg else None))
    rising = []
    for word, n in now_k.items():
        avg = prev_k.get(word, 0) / PREVIOUS_DAYS
        if n >= 3 and n >= 2 * avg and len(word) >= MIN_KEYWORD:
            rising.append((n - avg, word, n, avg))
    for _, word, n, avg in sorted(rising, key=lambda t: (-t[0], t[1]))[:limit]:
        out.append(TopIssue("keyword", word, n, avg, (n - avg) / avg if avg else None))
    return out


def notable_changes(
    today: Kpis,
    previous: Kpis,
    scope: str,
    *,
    relative: float = RELATIVE_THRESHOLD,
    points: float = POINTS_THRESHOLD,
) -> list[NotableChange]:
    """KPIs of ``scope`` that moved by more than ``relative`` (volumes and times, against
    the previous 7 days' daily average / value) or ``points`` (rates)."""
    out: list[NotableChange] = []
    prev_requests = previous.requests / PREVIOUS_DAYS
    for name, now_v, prev_v in (
        ("requests", float(today.requests), prev_requests),
        ("contacts", float(today.contacts), previous.contacts / PREVIOUS_DAYS),
    ):
        if max(now_v, prev_v) >= MIN_VOLUME and prev_v > 0:
            delta = (now_v - prev_v) / prev_v
            if abs(delta) > relative:
                out.append(NotableChange(name, scope, now_v, prev_v, delta, "percent"))
    if today.requests < MIN_VOLUME or prev_requests < MIN_VOLUME / PREVIOUS_DAYS:
        return out
    for name in ("response_rate", "response_rate_within_objective"):
        now_r, prev_r = getattr(today, name), getattr(previous, name)
        if now_r is not None and prev_r is not None and abs(now_r - prev_r) > points:
            out.append(NotableChange(name, scope, now_r, prev_r, now_r - prev_r, "points"))
    now_t, prev_t = today.first_response_median_s, previous.first_response_median_s
    if now_t is not None and prev_t:
        delta = (now_t - prev_t) / prev_t
        if abs(delta) > relative:
            out.append(
                NotableChange("first_response_median_s", scope, now_t, prev_t, delta, "percent")
            )
    return out


def age_hours(at: datetime, since: datetime) -> float:
    return max(0.0, (at - since).total_seconds() / 3600)
