"""Outsourcing scenarios: internal-only vs fully outsourced vs hybrid, month by month.

Each month is staffed on a representative week (the base week of each channel × that
month's volume factor: growth, campaigns, a new channel's ramp-up), with the staffing
formulas of :mod:`omnicase.wfm.staffing`. The three options then differ in who supplies the
agents each interval needs:

* **internal**: the brand's own staff, hired ahead by ``ramp_months`` (at most
  ``max_hires_per_month``), shrunk by attrition; a month short of productive staff has
  every interval's agents scaled down by the shortfall (and its service level shows it);
* **outsourced**: the provider supplies every agent from the first month its notice allows
  (before that the current internal staff carries on); internal staff is released at the
  switch (severance is not modelled);
* **hybrid**: an internal base of the ``percentile`` of the agents required over the
  week's open intervals, the provider above it (and while internal hires ramp up).

The risk columns keep the decisions made on the forecast (internal agents, and a
provider paid per hour keeps the agents it was booked for; one paid per contact restaffs
to the actual volume up to its maximum) and evaluate the service level and cost at
``1 ± risk`` × the forecast volume: Erlang C/A for live channels, the deadline backlog for
asynchronous ones. The hybrid's overflow is validated on one week by the simulator.
"""

from __future__ import annotations

import calendar
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from omnicase.wfm import checks, erlang
from omnicase.wfm.checks import FloatArray
from omnicase.wfm.errors import WfmInputError
from omnicase.wfm.simulate import AgentGroup, SimChannel, simulate
from omnicase.wfm.simulate import Scenario as SimScenario
from omnicase.wfm.staffing import ChannelPlan, ChannelPolicy, Demand, staff

OPTIONS: tuple[str, ...] = ("internal", "outsourced", "hybrid")
#: The service level an asynchronous channel must reach (share answered by its deadline)
#: when the input gives none.
ASYNC_TARGET = 0.95


@dataclass(frozen=True)
class InternalCosts:
    """The brand's own staff: loaded cost of an FTE per month, a hire's one-off cost,
    months before a hire is productive, monthly attrition, hiring capacity."""

    cost_per_fte_month: float = 4200.0
    hiring_cost: float = 3000.0
    ramp_months: int = 1
    attrition_per_month: float = 0.02
    max_hires_per_month: int = 10
    current_fte: float | None = None  # default: what the first month needs
    hours_per_week: float = 35.0


@dataclass(frozen=True)
class ProviderContract:
    """The provider's price (per agent-hour or per contact handled), its monthly volume
    bounds (contacts; the minimum is paid even when unused) and notice period."""

    price_per_hour: float | None = None
    price_per_contact: float | None = 3.0
    min_contacts_per_month: float = 0.0
    max_contacts_per_month: float | None = None
    notice_days: int = 30


@dataclass(frozen=True)
class HybridRule:
    """Internal base at this percentile of the agents required per open interval;
    ``overflow_after`` per channel is the simulator's threshold (live: head-of-line wait in
    seconds, default the answer target; async: backlog items, default one interval of the
    base's work)."""

    percentile: float = 0.7
    overflow_after: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class ChannelWeek:
    """A channel's base week: contacts and AHT per interval (7 days from a Monday)."""

    contacts: FloatArray
    aht_seconds: FloatArray


@dataclass(frozen=True)
class ScenarioSpec:
    """Everything a scenario run needs, already in numbers (scenario_input.py builds it
    from JSON, a CSV history or a generated demo)."""

    situation: str
    start: date
    months: int
    interval_minutes: int
    weeks: Mapping[str, ChannelWeek]
    policies: Mapping[str, ChannelPolicy]
    factors: Mapping[str, FloatArray]  # per channel, one volume multiplier per month
    targets: Mapping[str, float] = field(default_factory=dict)
    internal: InternalCosts = field(default_factory=InternalCosts)
    provider: ProviderContract = field(default_factory=ProviderContract)
    hybrid: HybridRule = field(default_factory=HybridRule)
    risk: float = 0.2
    simulate: bool = True
    seed: int = 0
    notes: tuple[str, ...] = ()


@dataclass
class MonthRow:
    """One option × month: the monthly table's row."""

    option: str
    month: str
    contacts: float
    fte_needed: float
    internal_fte: float
    productive_fte: float
    hires: float
    provider_fte: float
    provider_contacts: float
    provider_share: float
    cost_internal: float
    cost_provider: float
    cost_total: float
    occupancy: float
    service_level: dict[str, float]
    service_level_low: dict[str, float]  # volume × (1 − risk)
    service_level_high: dict[str, float]  # volume × (1 + risk)
    cost_low: float
    cost_high: float

    def flat(self) -> dict[str, Any]:
        """The row as CSV/XLSX columns (per-channel service levels spread out)."""
        out: dict[str, Any] = {
            k: getattr(self, k)
            for k in (
                "option",
                "month",
                "contacts",
                "fte_needed",
                "internal_fte",
                "productive_fte",
                "hires",
                "provider_fte",
                "provider_contacts",
                "provider_share",
                "cost_internal",
                "cost_provider",
                "cost_total",
                "cost_low",
                "cost_high",
                "occupancy",
            )
        }
        for name, sl in self.service_level.items():
            out[f"sl_{name}"] = sl
            out[f"sl_{name}_low"] = self.service_level_low[name]
            out[f"sl_{name}_high"] = self.service_level_high[name]
        return out


@dataclass
class OptionSummary:
    option: str
    cost_total: float
    cost_low: float
    cost_high: float
    meets_targets: bool
    worst_margin: float  # lowest SL − target over months and channels, base case
    worst_margin_risk: float  # the same under ±risk
    months_robust: int  # months meeting every target at both 1 − risk and 1 + risk
    provider_share: float


@dataclass
class ScenarioResult:
    spec: ScenarioSpec
    months: list[str]
    rows: list[MonthRow]
    summaries: dict[str, OptionSummary]
    cheapest: str | None
    most_robust: str
    recommendation: str
    provider_start_month: int
    validation: dict[str, Any] | None
    fte_by_channel: dict[str, list[float]]

    def table(self) -> list[dict[str, Any]]:
        return [row.flat() for row in self.rows]


# --------------------------------------------------------------------------- checks


def check_spec(spec: ScenarioSpec) -> int:
    """Refuse what cannot be planned (field and reason); the provider's first month."""
    if int(spec.months) != spec.months or spec.months <= 0:
        raise WfmInputError("months", "must be a whole number of months above 0")
    if spec.months > 60:
        raise WfmInputError("months", "at most 60 (five years)")
    if not spec.weeks:
        raise WfmInputError("channels", "give at least one channel")
    n = 7 * 1440 // spec.interval_minutes
    for name, week in spec.weeks.items():
        if name not in spec.policies:
            raise WfmInputError(f"channels.{name}", "no staffing policy for this channel")
        spec.policies[name].checked(name)
        if len(week.contacts) != n or len(week.aht_seconds) != n:
            raise WfmInputError(f"channels.{name}.volume", f"needs a week of {n} intervals")
        checks.nonnegative(f"channels.{name}.volume", week.contacts)
        checks.positive(f"channels.{name}.aht_seconds", week.aht_seconds)
        factor = checks.nonnegative(f"channels.{name}.growth", spec.factors[name])
        if len(factor) != spec.months:
            raise WfmInputError(f"channels.{name}.growth", f"needs {spec.months} months")
    for name, target in spec.targets.items():
        checks.fraction(f"channels.{name}.target", target, allow_one=True)
    c = spec.internal
    checks.positive("internal.cost_per_fte_month", c.cost_per_fte_month)
    checks.nonnegative("internal.hiring_cost", c.hiring_cost)
    if int(c.ramp_months) != c.ramp_months or not 0 <= c.ramp_months <= 12:
        raise WfmInputError("internal.ramp_months", "a whole number of months from 0 to 12")
    checks.fraction("internal.attrition_per_month", c.attrition_per_month, allow_zero=True)
    if int(c.max_hires_per_month) != c.max_hires_per_month or c.max_hires_per_month < 0:
        raise WfmInputError("internal.max_hires_per_month", "a whole number ≥ 0")
    if c.current_fte is not None:
        checks.nonnegative("internal.current_fte", c.current_fte)
    checks.positive("internal.hours_per_week", c.hours_per_week)
    p = spec.provider
    if (p.price_per_hour is None) == (p.price_per_contact is None):
        raise WfmInputError(
            "provider.price_per_hour", "give exactly one of price_per_hour, price_per_contact"
        )
    if p.price_per_hour is not None:
        checks.positive("provider.price_per_hour", p.price_per_hour)
    if p.price_per_contact is not None:
        checks.positive("provider.price_per_contact", p.price_per_contact)
    checks.nonnegative("provider.min_contacts_per_month", p.min_contacts_per_month)
    if p.max_contacts_per_month is not None:
        checks.positive("provider.max_contacts_per_month", p.max_contacts_per_month)
        if p.max_contacts_per_month < p.min_contacts_per_month:
            raise WfmInputError(
                "provider.min_contacts_per_month",
                f"{p.min_contacts_per_month:g} is above the maximum {p.max_contacts_per_month:g}",
            )
    checks.nonnegative("provider.notice_days", p.notice_days)
    checks.fraction("hybrid.percentile", spec.hybrid.percentile, allow_zero=True, allow_one=True)
    for name, value in spec.hybrid.overflow_after.items():
        if name not in spec.weeks:
            raise WfmInputError(f"hybrid.overflow_after.{name}", "no such channel")
        checks.nonnegative(f"hybrid.overflow_after.{name}", value)
    checks.fraction("risk", spec.risk, allow_zero=True)
    starts = [_month_start(spec.start, t) for t in range(spec.months)]
    first = next((t for t, s in enumerate(starts) if (s - spec.start).days >= p.notice_days), None)
    if first is None:
        raise WfmInputError(
            "provider.notice_days",
            f"{p.notice_days} days of notice: the provider cannot start within the "
            f"{spec.months}-month horizon",
        )
    return first


def _month_start(start: date, t: int) -> date:
    y, m = divmod(start.month - 1 + t, 12)
    return date(start.year + y, m + 1, 1) if t else start


def _days_in(start: date, t: int) -> int:
    first = _month_start(start, t)
    return calendar.monthrange(first.year, first.month)[1] - first.day + 1


# --------------------------------------------------------------------------- staffing


@dataclass
class _Week:
    """The channels' staffing for one month's representative week at one volume factor."""

    plans: dict[str, ChannelPlan]
    fte: float  # scheduled FTE (all channels)


def _staff_weeks(spec: ScenarioSpec, scales: tuple[float, ...]) -> dict[float, list[_Week]]:
    """Every month × volume scale staffed in one call (the asynchronous backlog loop runs
    once over all of them). Each week is staffed three times in a row and the middle one
    kept: its Monday carries the previous Sunday's backlog and its Sunday is not cut off by
    the horizon (what the week repeating month-long looks like to a deadline channel)."""
    scales = tuple(dict.fromkeys(scales))  # risk 0: one scale
    names = list(spec.weeks)
    n = 7 * 1440 // spec.interval_minutes
    L = spec.interval_minutes * 60.0
    keys = [(s, t, c) for s in scales for t in range(spec.months) for c in names]
    label = {k: f"{k[2]}@{k[1]}@{k[0]}" for k in keys}
    vols = [np.tile(spec.weeks[c].contacts * spec.factors[c][t] * s, 3) for s, t, c in keys]
    demand = Demand(
        np.tile(np.arange(3 * n, dtype=np.int64), len(keys)),
        [label[k] for k in keys for _ in range(3 * n)],
        np.concatenate(vols),
        np.concatenate([np.tile(spec.weeks[k[2]].aht_seconds, 3) for k in keys]),
    )
    plan = staff(
        demand,
        {label[k]: spec.policies[k[2]] for k in keys},
        interval_seconds=L,
        fte_hours_per_week=spec.internal.hours_per_week,
        intervals=3 * n,
    )
    middle = slice(n, 2 * n)
    found = {p.channel: p for p in plan.channels}
    out: dict[float, list[_Week]] = {}
    for s in scales:
        out[s] = []
        for t in range(spec.months):
            plans = {}
            for c in names:
                p = found[label[(s, t, c)]]
                for column in _COLUMNS:
                    setattr(p, column, getattr(p, column)[middle])
                p.channel = c
                plans[c] = p
            fte = sum(float(p.scheduled.sum()) for p in plans.values()) * L / 3600
            out[s].append(_Week(plans, fte / spec.internal.hours_per_week))
    return out


_COLUMNS = (
    "volume",
    "aht_seconds",
    "workload",
    "agents",
    "scheduled",
    "service_level",
    "asa",
    "occupancy",
    "abandon",
    "backlog",
)


def _scheduled_fte(spec: ScenarioSpec, agents: Mapping[str, FloatArray]) -> float:
    hours = sum(float(a.sum()) / (1.0 - spec.policies[c].shrinkage) for c, a in agents.items()) * (
        spec.interval_minutes / 60
    )
    return hours / spec.internal.hours_per_week


def _workforce(spec: ScenarioSpec, need: list[float], current: float) -> list[tuple[float, ...]]:
    """(headcount, productive, hires) per month: hire ``ramp_months`` ahead of the need,
    at most ``max_hires_per_month``, everyone lost to attrition at the same rate."""
    c = spec.internal
    a, r = c.attrition_per_month, int(c.ramp_months)
    productive, ramping = current, [0.0] * (spec.months + r + 1)
    out: list[tuple[float, ...]] = []
    for t in range(spec.months):
        if t:
            productive *= 1 - a
            ramping = [x * (1 - a) for x in ramping]
        productive += ramping[t]
        ramping[t] = 0.0
        target = need[min(t + r, spec.months - 1)]
        future = (productive + sum(ramping[t + 1 : t + r + 1])) * (1 - a) ** r
        hires = float(min(c.max_hires_per_month, max(0, math.ceil(target - future - 1e-9))))
        if r == 0:
            productive += hires
        else:
            ramping[t + r] += hires
        out.append((productive + sum(ramping[t + 1 :]), productive, hires))
    return out


# --------------------------------------------------------------------------- evaluation


def _async_within(vol: FloatArray, aht: FloatArray, capacity: FloatArray, d: int) -> float:
    """Share of the week's items answered within ``d`` intervals when ``capacity``
    agent-seconds per interval work the backlog first come, first served (the week
    repeated, so Monday's backlog carries Sunday's)."""
    n = len(vol)
    if vol.sum() == 0:
        return 1.0
    reps = 2 + -(-d // n)
    work = np.tile(vol * aht, reps)
    cap = np.tile(capacity, reps)
    arrived = np.cumsum(work)
    supplied = np.cumsum(cap)
    # done_t = min(done_{t-1} + cap_t, arrived_t)
    #        = supplied_t + min(0, min_{s≤t} (arrived_s − supplied_s))
    done = supplied + np.minimum(0.0, np.minimum.accumulate(arrived - supplied))
    i = np.arange(n, 2 * n)
    before = arrived[i] - work[i]
    with np.errstate(divide="ignore", invalid="ignore"):
        frac = np.where(work[i] > 0, np.clip(done[i + d - 1] - before, 0.0, work[i]) / work[i], 1.0)
    return float((vol * frac).sum() / vol.sum())


def _service(
    spec: ScenarioSpec, name: str, vol: FloatArray, agents: FloatArray
) -> tuple[float, float, float]:
    """(service level, busy agent-seconds, present agent-seconds) of one channel's week."""
    policy = spec.policies[name]
    aht = spec.weeks[name].aht_seconds
    L = spec.interval_minutes * 60.0
    if policy.kind == "async":
        per = L * policy.max_occupancy
        d = max(1, int((policy.deadline or 0) // L))
        sl = _async_within(vol, aht, agents * per, d)
        busy = min(float((vol * aht).sum()), float(agents.sum()) * L)
        return sl, busy, float(agents.sum()) * L
    k = int(policy.concurrency)
    aht_k = aht * (1.0 + policy.concurrency_penalty * (k - 1))
    traffic = vol / L * aht_k
    servers = agents * k
    if policy.patience is not None:
        sl_i = erlang.erlang_a(
            servers, traffic, aht_k, policy.patience, policy.answer_within, with_asa=False
        ).service_level
    else:
        sl_i = erlang.service_level(servers, traffic, aht_k, policy.answer_within)
    total = float(vol.sum())
    sl = float((vol * sl_i).sum() / total) if total else 1.0
    busy = float(np.minimum(traffic, servers).sum()) * L / k
    return sl, busy, float(agents.sum()) * L


@dataclass
class _Month:
    """One option's agents per interval and channel in one month (decided on the forecast)."""

    internal: dict[str, FloatArray]
    provider: dict[str, FloatArray]


def _provider_contacts(
    spec: ScenarioSpec, week: _Week, provider: Mapping[str, FloatArray], weeks: float
) -> float:
    total = 0.0
    for name, p in week.plans.items():
        req = p.agents.astype(np.float64)
        with np.errstate(divide="ignore", invalid="ignore"):
            share = np.where(req > 0, np.minimum(provider[name] / req, 1.0), 0.0)
        total += float((p.volume * share).sum())
    return total * weeks


def _provider_cost(spec: ScenarioSpec, contacts: float, fte: float, month_days: int) -> float:
    p = spec.provider
    if p.price_per_contact is not None:
        return max(contacts, p.min_contacts_per_month) * p.price_per_contact
    hours = fte * spec.internal.hours_per_week * month_days / 7
    assert p.price_per_hour is not None
    if contacts and contacts < p.min_contacts_per_month:
        hours *= p.min_contacts_per_month / contacts
    return hours * p.price_per_hour


def _cap(spec: ScenarioSpec, provider: dict[str, FloatArray], contacts: float) -> float:
    """Scale the provider's agents down to its monthly maximum; the contacts it takes."""
    top = spec.provider.max_contacts_per_month
    if top is None or contacts <= top:
        return contacts
    for name in provider:
        provider[name] = np.floor(provider[name] * top / contacts)
    return top


def _evaluate(
    spec: ScenarioSpec,
    option: str,
    month: int,
    decided: _Month,
    scale: float,
    actual: _Week,
) -> tuple[dict[str, float], float, float, float, float]:
    """(SL per channel, provider contacts, provider FTE, provider cost, occupancy) when the
    volume is ``scale`` × the forecast; ``actual`` is the staffing that volume would need."""
    days = _days_in(spec.start, month)
    weeks = days / 7
    provider = dict(decided.provider)
    per_contact = spec.provider.price_per_contact is not None
    if per_contact and scale != 1.0 and any(float(a.sum()) for a in provider.values()):
        # paid per contact: the provider staffs to what actually comes above the internal
        provider = {
            c: np.maximum(actual.plans[c].agents - decided.internal[c], 0.0) for c in provider
        }
    contacts = _provider_contacts(spec, actual, provider, weeks)
    contacts = _cap(spec, provider, contacts)
    fte = _scheduled_fte(spec, provider)
    sls: dict[str, float] = {}
    busy = present = 0.0
    for name in spec.weeks:
        agents = decided.internal[name] + provider[name]
        vol = actual.plans[name].volume
        sls[name], b, p = _service(spec, name, vol, agents)
        busy += b
        present += p
    cost = _provider_cost(spec, contacts, fte, days) if option != "internal" else 0.0
    return sls, contacts, fte, cost, busy / present if present else 0.0


def _decide(
    spec: ScenarioSpec,
    option: str,
    week: _Week,
    productive: float,
    need: float,
    provider_on: bool,
    base: Mapping[str, float],
) -> _Month:
    ratio = productive / need if need > 0 else (math.inf if productive > 0 else 1.0)
    internal: dict[str, FloatArray] = {}
    provider: dict[str, FloatArray] = {}
    for name, plan in week.plans.items():
        req = plan.agents.astype(np.float64)
        if option == "outsourced" and provider_on:
            internal[name] = np.zeros_like(req)
        elif option == "hybrid" and provider_on:
            internal[name] = np.minimum(req, np.floor(np.minimum(req, base[name]) * ratio))
        else:
            internal[name] = np.minimum(req, np.floor(req * min(ratio, 1.0) + 1e-9))
        provider[name] = (
            req - internal[name] if provider_on and option != "internal" else (np.zeros_like(req))
        )
    return _Month(internal, provider)


def _base(spec: ScenarioSpec, week: _Week) -> dict[str, float]:
    out = {}
    for name, plan in week.plans.items():
        open_ = plan.agents[plan.agents > 0]
        out[name] = float(np.quantile(open_, spec.hybrid.percentile)) if len(open_) else 0.0
    return out


def _internal_need(
    spec: ScenarioSpec, week: _Week, option: str, base: Mapping[str, float]
) -> float:
    if option == "internal":
        return week.fte
    if option == "outsourced":
        return 0.0
    return _scheduled_fte(
        spec,
        {c: np.minimum(p.agents.astype(np.float64), base[c]) for c, p in week.plans.items()},
    )


def target_of(spec: ScenarioSpec, name: str) -> float:
    """The service level a channel must reach: its policy's for live channels, the
    input's (default 95 % answered by the deadline) for asynchronous ones."""
    if name in spec.targets:
        return spec.targets[name]
    policy = spec.policies[name]
    if policy.kind != "async" and policy.service_level is not None:
        return policy.service_level
    return ASYNC_TARGET


def run(spec: ScenarioSpec) -> ScenarioResult:
    """Every option, month by month, with the ±risk evaluation and the recommendation."""
    first = check_spec(spec)
    low, high = 1.0 - spec.risk, 1.0 + spec.risk
    staffed = _staff_weeks(spec, (1.0, low, high))
    base_weeks, low_weeks, high_weeks = staffed[1.0], staffed[low], staffed[high]
    bases = [_base(spec, w) for w in base_weeks]
    current = spec.internal.current_fte
    if current is None:
        current = base_weeks[0].fte
    labels = [_month_start(spec.start, t).strftime("%Y-%m") for t in range(spec.months)]
    rows: list[MonthRow] = []
    decided_hybrid: list[_Month] = []
    for option in OPTIONS:
        need = [
            base_weeks[t].fte
            if t < first
            else _internal_need(spec, base_weeks[t], option, bases[t])
            for t in range(spec.months)
        ]
        workforce = _workforce(spec, need, current)
        for t in range(spec.months):
            on = t >= first
            headcount, productive, hires = workforce[t]
            if option == "outsourced":
                hires = 0.0
                if on:
                    headcount = productive = 0.0
            week = base_weeks[t]
            decided = _decide(spec, option, week, productive, need[t], on, bases[t])
            if option == "hybrid" and t == _peak(base_weeks, first):
                decided_hybrid.append(decided)
            sl, contacts, pfte, pcost, occ = _evaluate(spec, option, t, decided, 1.0, week)
            sl_lo, _, _, pc_lo, _ = _evaluate(spec, option, t, decided, low, low_weeks[t])
            sl_hi, _, _, pc_hi, _ = _evaluate(spec, option, t, decided, high, high_weeks[t])
            icost = headcount * spec.internal.cost_per_fte_month + hires * spec.internal.hiring_cost
            total_contacts = sum(float(p.volume.sum()) for p in week.plans.values())
            total_contacts *= _days_in(spec.start, t) / 7
            rows.append(
                MonthRow(
                    option=option,
                    month=labels[t],
                    contacts=total_contacts,
                    fte_needed=week.fte,
                    internal_fte=headcount,
                    productive_fte=productive,
                    hires=hires,
                    provider_fte=pfte,
                    provider_contacts=contacts,
                    provider_share=contacts / total_contacts if total_contacts else 0.0,
                    cost_internal=icost,
                    cost_provider=pcost,
                    cost_total=icost + pcost,
                    occupancy=occ,
                    service_level=sl,
                    service_level_low=sl_lo,
                    service_level_high=sl_hi,
                    cost_low=icost + pc_lo,
                    cost_high=icost + pc_hi,
                )
            )
    summaries = {o: _summary(spec, o, [r for r in rows if r.option == o]) for o in OPTIONS}
    cheapest, robust, line = _recommend(summaries, spec.risk, spec.months)
    validation = None
    if spec.simulate and decided_hybrid:
        peak = _peak(base_weeks, first)
        validation = _validate(spec, decided_hybrid[0], base_weeks[peak], labels[peak])
    fte_by_channel = {
        name: [
            _scheduled_fte(spec, {name: w.plans[name].agents.astype(np.float64)})
            for w in base_weeks
        ]
        for name in spec.weeks
    }
    return ScenarioResult(
        spec, labels, rows, summaries, cheapest, robust, line, first, validation, fte_by_channel
    )


def _peak(weeks: list[_Week], first: int) -> int:
    return max(range(first, len(weeks)), key=lambda t: weeks[t].fte)


def _summary(spec: ScenarioSpec, option: str, rows: list[MonthRow]) -> OptionSummary:
    margin = min(r.service_level[c] - target_of(spec, c) for r in rows for c in spec.weeks)
    risk = min(
        min(r.service_level_low[c], r.service_level_high[c]) - target_of(spec, c)
        for r in rows
        for c in spec.weeks
    )
    contacts = sum(r.contacts for r in rows)
    robust = sum(
        all(
            min(r.service_level_low[c], r.service_level_high[c]) >= target_of(spec, c) - 1e-6
            for c in spec.weeks
        )
        for r in rows
    )
    return OptionSummary(
        option=option,
        cost_total=sum(r.cost_total for r in rows),
        cost_low=sum(r.cost_low for r in rows),
        cost_high=sum(r.cost_high for r in rows),
        meets_targets=margin >= -1e-6,
        worst_margin=margin,
        worst_margin_risk=risk,
        months_robust=robust,
        provider_share=sum(r.provider_contacts for r in rows) / contacts if contacts else 0.0,
    )


def _recommend(
    summaries: Mapping[str, OptionSummary], risk: float, months: int
) -> tuple[str | None, str, str]:
    ok = [s for s in summaries.values() if s.meets_targets]
    cheapest = min(ok, key=lambda s: s.cost_total).option if ok else None
    robust = max(
        summaries.values(),
        key=lambda s: (s.months_robust, round(s.worst_margin_risk, 4), -s.cost_total),
    ).option
    r = summaries[robust]
    if cheapest is None:
        first = (
            "no option meets every service-level target every month (hiring capacity, "
            "provider maximum or notice period)"
        )
    else:
        c = summaries[cheapest]
        first = (
            f"cheapest meeting every service-level target: {cheapest} "
            f"({c.cost_total:,.0f} over the horizon)"
        )
    second = (
        f"most robust under ±{risk:.0%} volume: {robust} (every target met at both in "
        f"{r.months_robust} of {months} months, cost {r.cost_low:,.0f}–{r.cost_high:,.0f})"
    )
    return cheapest, robust, f"{first}; {second}"


# --------------------------------------------------------------------------- simulation


def _validate(spec: ScenarioSpec, decided: _Month, week: _Week, label: str) -> dict[str, Any]:
    """Simulate the hybrid's peak-month week: internal agents per channel, the provider's
    agents taking contacts beyond the overflow threshold; simulated vs planned."""
    L = spec.interval_minutes * 60.0
    channels, groups = [], []
    for name, plan in week.plans.items():
        policy = spec.policies[name]
        vol = plan.volume
        aht = float((vol * plan.aht_seconds).sum() / vol.sum()) if vol.sum() else 300.0
        base_agents = decided.internal[name]
        if name in spec.hybrid.overflow_after:
            threshold = spec.hybrid.overflow_after[name]
        elif policy.kind == "async":  # the backlog the base clears by the deadline
            d = max(1, int((policy.deadline or 0) // L))
            threshold = max(1.0, float(base_agents.mean()) * L * policy.max_occupancy * d / aht)
        else:
            threshold = policy.answer_within
        channels.append(
            SimChannel(
                name=name,
                kind=policy.kind,
                volume=vol.tolist(),
                aht=aht,
                patience=policy.patience,
                answer_within=policy.answer_within,
                deadline=policy.deadline,
                concurrency=policy.concurrency,
                concurrency_penalty=policy.concurrency_penalty,
                overflow_after=threshold,
            )
        )
        groups.append(AgentGroup(f"internal:{name}", [name], [int(v) for v in base_agents]))
        groups.append(
            AgentGroup(
                f"provider:{name}",
                [name],
                [int(v) for v in decided.provider[name]],
                provider=True,
            )
        )
    result = simulate(SimScenario(channels, groups, L, spec.seed))
    out: dict[str, Any] = {"month": label, "contacts": result.contacts, "channels": {}}
    for name, stats in result.channels.items():
        offered = stats["offered"] or 1
        planned_provider = float(
            (
                week.plans[name].volume
                * np.where(
                    week.plans[name].agents > 0,
                    decided.provider[name] / np.maximum(week.plans[name].agents, 1),
                    0.0,
                )
            ).sum()
            / max(float(week.plans[name].volume.sum()), 1e-9)
        )
        out["channels"][name] = {
            "service_level": stats["service_level"],
            "target": target_of(spec, name),
            "provider_share": stats["handled_provider"] / offered,
            "planned_provider_share": planned_provider,
        }
    return out
