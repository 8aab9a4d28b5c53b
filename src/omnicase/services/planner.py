"""The planner's screens' data: the brand's history (through the access rule) fed to the
same wfm functions the ``/api/v1/wfm/*`` endpoints call: forecast, staffing, schedule and
the outsourcing scenarios. Read only; nothing is written.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
from sqlalchemy.orm import Session

from omnicase.services.wfm_history import contact_history
from omnicase.store.scope import Principal

PLANNING_ROLES = frozenset({"planner", "supervisor", "admin"})
INTERVAL = 30
PER_DAY = 24 * 60 // INTERVAL
#: Handling time (s) when the history has none (the store counts contacts, not durations).
DEFAULT_AHT = {"phone": 330.0, "chat": 480.0, "email": 300.0}
OTHER_AHT = 240.0


@dataclass(slots=True)
class ChannelOutlook:
    channel: str
    method: str
    reason: str
    history_daily: list[float]
    forecast_daily: list[float]
    contacts: list[float]  # per interval over the horizon
    agents: list[int] = field(default_factory=list)  # required per interval (staffing)
    scheduled: list[float] = field(default_factory=list)  # with shrinkage

    @property
    def total(self) -> float:
        return float(sum(self.contacts))


@dataclass(slots=True)
class PlannerView:
    """What /planner shows. ``error`` says why there is nothing to plan from."""

    brand_id: int
    history_start: date
    start: date
    horizon_days: int
    channels: list[ChannelOutlook]
    error: str | None = None

    def interval_label(self, i: int) -> str:
        at = datetime.combine(self.start, time()) + timedelta(minutes=INTERVAL * i)
        return f"{at:%H:%M}"

    def days(self) -> list[date]:
        return [self.start + timedelta(days=d) for d in range(self.horizon_days)]

    def required_total(self) -> list[float]:
        """Agents to schedule per interval, every channel (shrinkage included)."""
        n = self.horizon_days * PER_DAY
        total = np.zeros(n)
        for c in self.channels:
            if c.scheduled:
                total += np.asarray(c.scheduled[:n])
        return [float(math.ceil(v - 1e-9)) for v in total]


def history(
    session: Session, who: Principal, brand_id: int, today: date, weeks: int
) -> tuple[date, dict[str, Any]]:
    start = today - timedelta(days=7 * weeks)
    return start, contact_history(
        session, who, brand_id, start=start, end=today, interval_minutes=INTERVAL
    )


def planner_view(
    session: Session,
    who: Principal,
    brand_id: int,
    today: date,
    *,
    weeks: int = 8,
    horizon_days: int = 7,
) -> PlannerView:
    """Forecast per channel from the last ``weeks`` of inbound contacts, and the agents
    each interval needs (Erlang C for live channels, deadlines for the others)."""
    from omnicase.wfm.forecast import forecast_channels
    from omnicase.wfm.staffing import DEFAULT_POLICIES, ChannelPolicy, Demand, staff

    start, series = history(session, who, brand_id, today, weeks)
    view = PlannerView(brand_id, start, today, horizon_days, [])
    series = {ch: s for ch, s in series.items() if float(s.contacts.sum()) > 0}
    if not series:
        view.error = "no inbound contacts in the last weeks"
        return view
    try:
        results = forecast_channels(series, horizon_days)
    except ValueError as exc:
        view.error = str(exc)
        return view
    n = horizon_days * PER_DAY
    rows: tuple[list[int], list[str], list[float], list[float]] = ([], [], [], [])
    for f in results:
        contacts = [max(0.0, float(v)) for v in f.contacts[:n]]
        hist = series[f.channel].contacts
        view.channels.append(
            ChannelOutlook(
                f.channel,
                f.method,
                f.reason,
                [float(v) for v in hist.reshape(-1, PER_DAY).sum(axis=1)],
                [
                    float(sum(contacts[d * PER_DAY : (d + 1) * PER_DAY]))
                    for d in range(horizon_days)
                ],
                contacts,
            )
        )
        aht = DEFAULT_AHT.get(f.channel, OTHER_AHT)
        for i, v in enumerate(contacts):
            rows[0].append(i)
            rows[1].append(f.channel)
            rows[2].append(v)
            rows[3].append(float(f.aht[i]) if f.aht is not None and f.aht[i] > 0 else aht)
    policies = {
        c.channel: DEFAULT_POLICIES.get(c.channel, ChannelPolicy("async", deadline=3600.0))
        for c in view.channels
    }
    plan = staff(Demand.of(*rows), policies, interval_seconds=INTERVAL * 60, intervals=n)
    by_channel = {p.channel: p for p in plan.channels}
    for c in view.channels:
        p = by_channel[c.channel]
        c.agents = [int(v) for v in p.agents]
        c.scheduled = [float(v) for v in p.scheduled]
    return view


def schedule_for(view: PlannerView, time_limit_s: float = 10.0) -> dict[str, Any]:
    """The cost-optimal week of shifts for the staffing above (``wfm.schedule.solve``,
    the same answer as ``POST /api/v1/wfm/schedule``), with a standard set of contracts:
    early and late 8 h shifts, 4 h part-time, a provider at 30 / agent-hour."""
    from omnicase.wfm.plan_io import schedule_json
    from omnicase.wfm.schedule import ScheduleProblem, solve
    from omnicase.wfm.shifts import Break, Contract, Provider, ShiftTemplate, Staffing

    lunch, pause = Break(60, 180, 300), Break(15, 90, 120, paid=True)
    days = (0, 1, 2, 3, 4, 5, 6)
    staffing = Staffing(
        templates=(
            ShiftTemplate("early-8h", 480, tuple(range(420, 661, 30)), days, (lunch, pause)),
            ShiftTemplate("late-8h", 480, tuple(range(690, 781, 30)), days, (lunch,)),
            ShiftTemplate("part-4h", 240, tuple(range(480, 961, 30)), days),
        ),
        contracts=(
            Contract("full-time-35h", ("early-8h", "late-8h"), 24.0, 200),
            Contract("part-time-20h", ("part-4h",), 22.0, 60, weekly_hours=(20.0, 20.0)),
        ),
        providers=(Provider("provider", 200, hourly_price=30.0),),
    )
    required = np.asarray(view.required_total()[: 7 * PER_DAY])
    if len(required) < 7 * PER_DAY:
        required = np.concatenate([required, np.zeros(7 * PER_DAY - len(required))])
    problem = ScheduleProblem(
        start=view.start,
        interval_minutes=INTERVAL,
        required=required,
        staff=staffing,
        lead_days=7,
        time_limit_s=time_limit_s,
    )
    return schedule_json(problem, solve(problem))


def history_csv(series: dict[str, Any]) -> str:
    """The store's history as the CSV the forecast and scenario inputs read."""
    lines = ["interval_start,channel,contacts"]
    for channel, s in sorted(series.items()):
        for at, v in zip(s.interval_starts(), s.contacts, strict=True):
            lines.append(f"{at:%Y-%m-%dT%H:%M},{channel},{float(v):g}")
    return "\n".join(lines) + "\n"


def scenario_for(
    session: Session,
    who: Principal,
    brand_id: int,
    today: date,
    *,
    growth_per_month: float,
    price_per_contact: float,
    months: int = 12,
    timezone: str = "Europe/Paris",
) -> dict[str, Any]:
    """Internal vs outsourced vs hybrid over ``months`` from the brand's last 9 weeks
    (``wfm.scenario.run``, the same answer as ``POST /api/v1/wfm/scenario``). Raises
    ``WfmInputError`` (field, reason) for input the scenario refuses."""
    from omnicase.wfm.errors import WfmInputError
    from omnicase.wfm.scenario import run
    from omnicase.wfm.scenario_input import (
        ChannelScenarioIn,
        HistoryIn,
        ProviderIn,
        ScenarioRequest,
        build_spec,
    )
    from omnicase.wfm.scenario_report import answer_json

    _, series = history(session, who, brand_id, today, 9)
    series = {ch: s for ch, s in series.items() if float(s.contacts.sum()) > 0}
    if not series:
        raise WfmInputError("history", "no inbound contacts in the last 9 weeks")
    request = ScenarioRequest(
        situation="growth",
        months=months,
        history=HistoryIn(csv=history_csv(series), timezone=timezone),
        growth_per_month=growth_per_month,
        channels={
            ch: ChannelScenarioIn(aht_seconds=DEFAULT_AHT.get(ch, OTHER_AHT)) for ch in series
        },
        provider=ProviderIn(price_per_contact=price_per_contact),
        simulate=False,
    )
    return answer_json(run(build_spec(request)))
