"""What each KPI is made of: additive components, histograms, and the formulas over them.

Every stored number is a count or a sum, so any set of days (and any breakdown) adds up;
medians and p90 come from merged histograms (:mod:`.histogram`). docs/kpis.md defines
each component in words; this module is the one place that turns components into KPIs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Connection

#: Integer columns of ``kpi_daily``, in storage order.
COMPONENTS: tuple[str, ...] = (
    "cases",  # requests whose first contact fell on the day (merged cases not counted)
    "contacts",  # inbound messages/calls received on the day (channel = the message's)
    "case_contacts",  # inbound messages of the day's cases, whenever received
    "answered",  # the day's cases with an agent answer
    "answered_in_objective",  # ... whose first answer came within the first-response target
    "fr_sum",  # calendar seconds, first contact → first answer
    "fr_bsum",  # business seconds of the same
    "nr_started",  # customer messages after an answer (next-response clocks started)
    "nr_count",  # ... answered
    "nr_in_objective",  # ... answered within the next-response target
    "nr_sum",
    "nr_bsum",
    "resolved_ever",  # the day's cases resolved at least once
    "resolved",  # the day's cases resolved now (resolved_at set)
    "resolution_sum",  # calendar seconds first contact → resolved_at
    "reopened",  # the day's cases reopened at least once
    "repeat_cross_channel",  # the day's cases where the customer came back on a new channel
    "repeat_after_answer",  # ... the first such contact came after our first answer
    "repeat_unanswered",  # ... it came before any answer
    "backlog",  # cases open at the end of the day (a snapshot: not summed over days)
    "backlog_age_sum",  # their ages in seconds at the end of the day
    "chat_sessions",
    "chat_abandoned",
    "calls_inbound",
    "calls_unanswered",
)
#: Snapshot components: over several days the last day's value counts, not the sum.
SNAPSHOTS = frozenset({"backlog", "backlog_age_sum"})
#: Histograms stored per row (calendar and business seconds).
HISTOGRAMS: tuple[str, ...] = ("fr", "fr_b", "nr", "nr_b", "resolution", "backlog_age")
#: Breakdowns a query may ask for.
DIMENSIONS: tuple[str, ...] = (
    "channel",
    "team",
    "agent",
    "reason",
    "queue",
    "day",
    "week",
    "month",
)


def _ratio(num: float, den: float) -> float | None:
    return round(num / den, 4) if den else None


def _mean(total: float, n: float) -> float | None:
    return round(total / n, 1) if n else None


#: KPI name → formula over the summed components (None when the denominator is 0).
FORMULAS: dict[str, Callable[[Mapping[str, float]], float | None]] = {
    "response_rate": lambda c: _ratio(c["answered"], c["cases"]),
    "response_rate_in_objective": lambda c: _ratio(c["answered_in_objective"], c["cases"]),
    "first_response_in_objective": lambda c: _ratio(c["answered_in_objective"], c["answered"]),
    "first_response_mean_s": lambda c: _mean(c["fr_sum"], c["answered"]),
    "first_response_business_mean_s": lambda c: _mean(c["fr_bsum"], c["answered"]),
    "next_response_rate": lambda c: _ratio(c["nr_count"], c["nr_started"]),
    "next_response_in_objective": lambda c: _ratio(c["nr_in_objective"], c["nr_count"]),
    "next_response_mean_s": lambda c: _mean(c["nr_sum"], c["nr_count"]),
    "next_response_business_mean_s": lambda c: _mean(c["nr_bsum"], c["nr_count"]),
    "resolution_mean_s": lambda c: _mean(c["resolution_sum"], c["resolved"]),
    "reopen_rate": lambda c: _ratio(c["reopened"], c["resolved_ever"]),
    "contacts_per_case": lambda c: _ratio(c["case_contacts"], c["cases"]),
    "cross_channel_repeat_rate": lambda c: _ratio(c["repeat_cross_channel"], c["cases"]),
    "backlog_age_mean_s": lambda c: _mean(c["backlog_age_sum"], c["backlog"]),
    "chat_abandonment_rate": lambda c: _ratio(c["chat_abandoned"], c["chat_sessions"]),
    "phone_abandonment_rate": lambda c: _ratio(c["calls_unanswered"], c["calls_inbound"]),
}

#: Formulas of the optional KPIs; their components come from extra sources.
EXTRA_FORMULAS: dict[str, Callable[[Mapping[str, float]], float | None]] = {
    "csat_average": lambda c: _mean(c.get("csat_sum", 0), c.get("csat_responses", 0)),
    "csat_response_rate": lambda c: _ratio(
        c.get("csat_responses", 0), c.get("csat_surveys_sent", 0)
    ),
    "consistency_rate": lambda c: (
        None
        if not c.get("consistency_checked")
        else round(1 - c.get("consistency_inconsistent", 0) / c["consistency_checked"], 4)
    ),
    "qa_score": lambda c: _mean(c.get("qa_score_sum", 0), c.get("qa_reviews", 0)),
}


class ExtraFetch(Protocol):
    def __call__(
        self, conn: Connection, brand_id: int, start: datetime, end: datetime
    ) -> Iterable[tuple[int, Mapping[str, float]]]: ...


@dataclass(frozen=True, slots=True)
class ExtraSource:
    """KPI components another module owns (CSAT, consistency, QA), plugged in at merge.

    ``fetch`` returns ``(case_id, {component: value})`` for what happened in
    ``[start, end)`` (UTC); each is added to the row of that case's breakdown on that day.
    """

    name: str
    components: tuple[str, ...]
    fetch: ExtraFetch


#: name → source. ``register_extra_source`` adds one; nothing is registered by default.
EXTRA_SOURCES: dict[str, ExtraSource] = {}


def register_extra_source(source: ExtraSource) -> None:
    EXTRA_SOURCES[source.name] = source


def kpis_of(components: Mapping[str, float]) -> dict[str, Any]:
    """Every KPI whose inputs are present (extra ones only when their components are)."""
    out: dict[str, Any] = {name: f(components) for name, f in FORMULAS.items()}
    for name, f in EXTRA_FORMULAS.items():
        value = f(components)
        if value is not None:
            out[name] = value
    return out
