"""Cost-optimal shifts for a planning period: which internal shifts to staff and how many
provider agents to book per interval so that the agents required per interval are covered
at the lowest cost (``scipy.optimize.milp``, HiGHS).

The model (one column per contract × template × day × start × break placement):

    minimise   Σ internal paid hours × hourly cost + Σ provider agent-hours × price
               (or contacts handled × price per contact) + Σ missing agent-hours × penalty
    subject to, per interval t:  internal coverage + provider agents + missing ≥ required
               per contract:     rostered agents between min and max; their shifts and
                                 paid hours within the contract's weekly bounds; at most
                                 one shift per agent per day
               per provider:     at most max agents (at least min when present); weekly
                                 contacts within min (if used at all) and max; nothing
                                 inside the notice period

Missing coverage is allowed at a penalty, so an impossible requirement still gets the
best schedule and the shortfall per interval. Contracts are modelled in aggregate (the
rostered headcount bounds the shifts) and then split into individual agents' weeks by
``roster`` (which checks each agent against the contract). The period is treated as
repeating: a shift running past its end covers the first intervals (a Sunday night shift
covers Monday 00:00). Rest between shifts (11 h in France) is not modelled yet.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from omnicase.wfm.grid import FloatArray, per_day
from omnicase.wfm.shifts import Contract, PlanInputError, Provider, Staffing, validate


@dataclass(frozen=True)
class ScheduleProblem:
    """Agents ``required`` per interval from ``start`` (whole days); ``contacts`` per
    interval is needed only for providers priced or limited per contact. ``lead_days`` is
    how far ahead of ``start`` the plan is made (a provider's notice counts from today)."""

    start: date
    interval_minutes: int
    required: FloatArray
    staff: Staffing
    contacts: FloatArray | None = None
    lead_days: int = 7
    under_penalty_per_hour: float = 500.0
    time_limit_s: float = 30.0
    mip_gap: float = 0.005


@dataclass(frozen=True)
class PlannedShift:
    contract: str
    template: str
    day: date
    start_minute: int  # after local midnight of ``day``
    breaks: tuple[tuple[int, int], ...]  # (start minute after midnight of day, minutes)
    agents: int
    paid_hours: float


@dataclass(frozen=True)
class AgentWeek:
    contract: str
    agent: int
    shifts: tuple[int, ...]  # indices into ScheduleResult.shifts
    paid_hours: float
    within_contract: bool


@dataclass
class ScheduleResult:
    status: str  # optimal | time_limit (best found) | …
    cost: float
    cost_breakdown: dict[str, float]
    shifts: list[PlannedShift]
    agents: dict[str, int]  # rostered per contract
    required: FloatArray
    internal: FloatArray
    provider: dict[str, FloatArray]
    under: FloatArray
    over: FloatArray
    #: What internal staff alone cannot cover, whatever it costs (internal-only re-solve).
    internal_shortfall: FloatArray
    roster: list[AgentWeek] = field(default_factory=list)
    solve_seconds: float = 0.0
    variables: int = 0
    constraints: int = 0
    notes: list[str] = field(default_factory=list)

    @property
    def uncovered_internal_intervals(self) -> list[int]:
        return [int(i) for i in np.flatnonzero(self.internal_shortfall > 1e-6)]


@dataclass
class _Columns:
    """The internal shift columns: who, when, and what each covers."""

    contract: list[int] = field(default_factory=list)
    template: list[int] = field(default_factory=list)
    day: list[int] = field(default_factory=list)
    start: list[int] = field(default_factory=list)
    breaks: list[tuple[int, ...]] = field(default_factory=list)
    paid_hours: list[float] = field(default_factory=list)
    rows: list[np.ndarray] = field(default_factory=list)
    values: list[np.ndarray] = field(default_factory=list)


def solve(problem: ScheduleProblem) -> ScheduleResult:
    """Validate, solve with providers, solve again with internal staff only (for the
    intervals they cannot cover), and roster the internal shifts."""
    _check(problem)
    t0 = time.perf_counter()
    result = _solve(problem, problem.staff.providers)
    if not problem.staff.contracts:
        result.internal_shortfall = problem.required.astype(float).copy()
    elif problem.staff.providers or result.under.any():
        # A penalty no extra agent's week can outweigh: what stays short is what internal
        # staff cannot cover at all, not what is merely cheaper to leave short.
        top = max(c.hourly_cost for c in problem.staff.contracts)
        forced = replace(problem, under_penalty_per_hour=1000 * max(top, 1.0))
        result.internal_shortfall = _solve(forced, ()).under
    result.solve_seconds = time.perf_counter() - t0
    return result


def _check(problem: ScheduleProblem) -> None:
    errors: list[tuple[str, str]] = []
    n = per_day(problem.interval_minutes)
    r = np.asarray(problem.required, dtype=float)
    if r.ndim != 1 or len(r) == 0 or len(r) % n:
        errors.append(("required", f"one value per interval over whole days ({n} a day)"))
    elif not np.all(np.isfinite(r)) or (r < 0).any():
        errors.append(("required", "agents required must be finite and not negative"))
    if problem.contacts is not None:
        c = np.asarray(problem.contacts, dtype=float)
        if c.shape != r.shape:
            errors.append(("contacts", "one value per interval, like required"))
        elif not np.all(np.isfinite(c)) or (c < 0).any():
            errors.append(("contacts", "contacts must be finite and not negative"))
    if problem.under_penalty_per_hour <= 0:
        errors.append(("under_penalty_per_hour", "must be above 0"))
    if problem.lead_days < 0:
        errors.append(("lead_days", "must not be negative"))
    if errors:
        raise PlanInputError(errors)
    validate(problem.staff, problem.interval_minutes, problem.contacts is not None)


def _columns(problem: ScheduleProblem) -> _Columns:
    step = problem.interval_minutes
    n = len(problem.required)
    days = n // per_day(step)
    total = days * 1440
    templates = {t.name: t for t in problem.staff.templates}
    cols = _Columns()
    for ci, contract in enumerate(problem.staff.contracts):
        for name in contract.templates:
            t = templates[name]
            ti = problem.staff.templates.index(t)
            offsets = np.arange(t.minutes)
            for placement in t.placements(step):
                work = np.ones(t.minutes, dtype=bool)
                for b, at in zip(t.breaks, placement, strict=True):
                    work[at : at + b.minutes] = False
                minutes = offsets[work]
                for d in range(days):
                    if (problem.start + timedelta(days=d)).weekday() not in t.days:
                        continue
                    for s in t.starts:
                        absolute = (d * 1440 + s + minutes) % total
                        cover = np.bincount(absolute // step, minlength=n) / step
                        nz = np.flatnonzero(cover)
                        cols.contract.append(ci)
                        cols.template.append(ti)
                        cols.day.append(d)
                        cols.start.append(s)
                        cols.breaks.append(placement)
                        cols.paid_hours.append(t.paid_minutes / 60)
                        cols.rows.append(nz)
                        cols.values.append(cover[nz])
    return cols


def _solve(problem: ScheduleProblem, providers: tuple[Provider, ...]) -> ScheduleResult:
    step = problem.interval_minutes
    hours = step / 60
    r = np.asarray(problem.required, dtype=float)
    n = len(r)
    days = n // per_day(step)
    contracts = problem.staff.contracts
    cols = _columns(problem)
    k = len(cols.contract)
    rate = np.zeros(n)
    if problem.contacts is not None:
        c = np.asarray(problem.contacts, dtype=float)
        rate = np.divide(c, r, out=np.zeros(n), where=r > 0)

    # Column layout: shifts | rostered agents per contract | provider agents per interval
    # | provider presence per interval (min_agents) | provider used (min_contacts) | missing
    cost: list[float] = []
    lower: list[float] = []
    upper: list[float] = []
    integer: list[int] = []

    def add(c: float, lo: float, hi: float, is_int: int) -> int:
        cost.append(c)
        lower.append(lo)
        upper.append(hi)
        integer.append(is_int)
        return len(cost) - 1

    for i in range(k):
        contract = contracts[cols.contract[i]]
        add(contract.hourly_cost * cols.paid_hours[i], 0, contract.max_agents, 1)
    y = [add(0.0, c.min_agents, c.max_agents, 1) for c in contracts]
    locked_days = {p.name: max(0, p.notice_days - problem.lead_days) for p in providers}
    pcols: list[list[int]] = []
    for p in providers:
        locked = min(days, locked_days[p.name]) * per_day(step)
        ids = []
        for t in range(n):
            if p.hourly_price is not None:
                price = p.hourly_price * hours
            else:
                price = (p.price_per_contact or 0.0) * rate[t] + 1e-3
            # More provider agents than required never help (nor handle more contacts
            # than there are): the bound also keeps the model small at night.
            useful = max(np.ceil(r[t] - 1e-9), p.min_agents) if r[t] > 0 else 0
            ids.append(add(price, 0, 0 if t < locked else min(p.max_agents, useful), 1))
        pcols.append(ids)
    vcols = [
        [add(0.0, 0, 1 if upper[pcols[j][t]] > 0 else 0, 1) for t in range(n)]
        if p.min_agents > 0
        else []
        for j, p in enumerate(providers)
    ]
    zcols = [add(0.0, 0, 1, 1) if p.min_contacts > 0 else -1 for p in providers]
    penalty = problem.under_penalty_per_hour * hours
    u = [add(penalty, 0, float(r[t]), 0) for t in range(n)]

    rows: list[int] = []
    colv: list[int] = []
    vals: list[float] = []
    lb: list[float] = []
    ub: list[float] = []

    def constraint(entries: list[tuple[int, float]], lo: float, hi: float) -> None:
        row = len(lb)
        for col, val in entries:
            rows.append(row)
            colv.append(col)
            vals.append(val)
        lb.append(lo)
        ub.append(hi)

    # Coverage rows 0..n-1, built in bulk.
    for i in range(k):
        rows.extend(cols.rows[i].tolist())
        colv.extend([i] * len(cols.rows[i]))
        vals.extend(cols.values[i].tolist())
    for ids in pcols:
        rows.extend(range(n))
        colv.extend(ids)
        vals.extend([1.0] * n)
    rows.extend(range(n))
    colv.extend(u)
    vals.extend([1.0] * n)
    lb.extend(r.tolist())
    ub.extend([np.inf] * n)

    contract_of = np.asarray(cols.contract, dtype=int)
    day_of = np.asarray(cols.day, dtype=int)
    paid = np.asarray(cols.paid_hours)
    for ci, contract in enumerate(contracts):
        mine = np.flatnonzero(contract_of == ci)
        lo_h, hi_h = contract.weekly_hours
        lo_s, hi_s = contract.shifts_per_week
        scale = days / 7  # a period of other than 7 days scales the weekly bounds
        hour_terms = [(int(i), float(paid[i])) for i in mine]
        shift_terms = [(int(i), 1.0) for i in mine]
        constraint([*hour_terms, (y[ci], -hi_h * scale)], -np.inf, 0.0)
        constraint([*hour_terms, (y[ci], -lo_h * scale)], 0.0, np.inf)
        constraint([*shift_terms, (y[ci], -hi_s * scale)], -np.inf, 0.0)
        constraint([*shift_terms, (y[ci], -lo_s * scale)], 0.0, np.inf)
        for d in range(days):
            today = mine[day_of[mine] == d]
            if len(today):
                constraint([*((int(i), 1.0) for i in today), (y[ci], -1.0)], -np.inf, 0.0)
    for j, p in enumerate(providers):
        if vcols[j]:
            for t in range(n):
                constraint([(pcols[j][t], 1.0), (vcols[j][t], -p.min_agents)], 0.0, np.inf)
                constraint([(pcols[j][t], 1.0), (vcols[j][t], -p.max_agents)], -np.inf, 0.0)
        volume = [(pcols[j][t], float(rate[t])) for t in range(n) if rate[t] > 0]
        if zcols[j] >= 0:
            constraint([*volume, (zcols[j], -p.min_contacts)], 0.0, np.inf)
            for t in range(n):
                constraint([(pcols[j][t], 1.0), (zcols[j], -p.max_agents)], -np.inf, 0.0)
        if p.max_contacts is not None and volume:
            constraint(volume, -np.inf, p.max_contacts)

    matrix = coo_array((vals, (rows, colv)), shape=(len(lb), len(cost))).tocsr()
    res = milp(
        np.asarray(cost),
        constraints=LinearConstraint(matrix, np.asarray(lb), np.asarray(ub)),
        integrality=np.asarray(integer),
        bounds=Bounds(np.asarray(lower), np.asarray(upper)),
        options={"time_limit": problem.time_limit_s, "mip_rel_gap": problem.mip_gap},
    )
    if res.x is None:
        raise RuntimeError(f"the solver found no schedule: {res.message}")
    x = np.asarray(res.x)
    counts = np.rint(x[:k]).astype(int)
    internal = np.zeros(n)
    for col in np.flatnonzero(counts):
        internal[cols.rows[col]] += counts[col] * cols.values[col]
    provider = {p.name: np.rint(x[pcols[j]]) for j, p in enumerate(providers)}
    covered = internal + sum(provider.values(), np.zeros(n))
    breakdown = _costs(problem, cols, counts, providers, provider, rate, np.maximum(r - covered, 0))
    result = ScheduleResult(
        status="optimal" if res.status == 0 else ("time_limit" if res.status == 1 else "other"),
        cost=round(sum(breakdown.values()), 2),
        cost_breakdown=breakdown,
        shifts=_shifts(problem, cols, counts),
        agents={c.name: int(np.rint(x[y[ci]])) for ci, c in enumerate(contracts)},
        required=r,
        internal=internal,
        provider=provider,
        under=np.maximum(r - covered, 0.0),
        over=np.maximum(covered - r, 0.0),
        internal_shortfall=np.zeros(n),
        variables=len(cost),
        constraints=len(lb),
    )
    for p in providers:
        if locked_days[p.name]:
            result.notes.append(
                f"{p.name}: {p.notice_days} days' notice, plan made {problem.lead_days} days "
                f"ahead: no agents on the first {locked_days[p.name]} day(s)"
            )
    result.roster = roster(result, contracts, days)
    return result


def _costs(
    problem: ScheduleProblem,
    cols: _Columns,
    counts: np.ndarray,
    providers: tuple[Provider, ...],
    provider: dict[str, FloatArray],
    rate: FloatArray,
    under: FloatArray,
) -> dict[str, float]:
    hours = problem.interval_minutes / 60
    out: dict[str, float] = {}
    for ci, contract in enumerate(problem.staff.contracts):
        mine = np.asarray(cols.contract) == ci
        paid = float((counts[mine] * np.asarray(cols.paid_hours)[mine]).sum())
        out[f"internal:{contract.name}"] = round(paid * contract.hourly_cost, 2)
    for p in providers:
        agents = provider[p.name]
        if p.hourly_price is not None:
            value = float(agents.sum()) * hours * p.hourly_price
        else:
            value = float((agents * rate).sum()) * (p.price_per_contact or 0.0)
        out[f"provider:{p.name}"] = round(value, 2)
    out["under_coverage_penalty"] = round(
        float(under.sum()) * hours * problem.under_penalty_per_hour, 2
    )
    return out


def _shifts(problem: ScheduleProblem, cols: _Columns, counts: np.ndarray) -> list[PlannedShift]:
    out = []
    for i in np.flatnonzero(counts):
        t = problem.staff.templates[cols.template[i]]
        s = cols.start[i]
        breaks = tuple((s + at, b.minutes) for b, at in zip(t.breaks, cols.breaks[i], strict=True))
        out.append(
            PlannedShift(
                contract=problem.staff.contracts[cols.contract[i]].name,
                template=t.name,
                day=problem.start + timedelta(days=cols.day[i]),
                start_minute=s,
                breaks=breaks,
                agents=int(counts[i]),
                paid_hours=cols.paid_hours[i],
            )
        )
    return out


def roster(result: ScheduleResult, contracts: tuple[Contract, ...], days: int) -> list[AgentWeek]:
    """Split each contract's shifts into its rostered agents' weeks: day by day, the
    longest shifts first, each to the agent with the fewest paid hours so far who has no
    shift that day (always possible: a day has at most as many shifts as agents). Each
    week is then checked against the contract."""
    out: list[AgentWeek] = []
    for contract in contracts:
        agents = result.agents.get(contract.name, 0)
        if agents == 0:
            continue
        hours = [0.0] * agents
        taken: list[list[int]] = [[] for _ in range(agents)]
        mine = [i for i, s in enumerate(result.shifts) if s.contract == contract.name]
        for day in sorted({result.shifts[i].day for i in mine}):
            todays = [i for i in mine if result.shifts[i].day == day]
            todays.sort(key=lambda i: -result.shifts[i].paid_hours)
            free = list(range(agents))
            for i in todays:
                for _ in range(result.shifts[i].agents):
                    a = min(free, key=lambda a: (hours[a], a))
                    free.remove(a)
                    hours[a] += result.shifts[i].paid_hours
                    taken[a].append(i)
        scale = days / 7
        lo_h, hi_h = contract.weekly_hours
        lo_s, hi_s = contract.shifts_per_week
        for a in range(agents):
            ok = lo_h * scale - 1e-6 <= hours[a] <= hi_h * scale + 1e-6 and (
                lo_s * scale - 1e-6 <= len(taken[a]) <= hi_s * scale + 1e-6
            )
            out.append(AgentWeek(contract.name, a + 1, tuple(taken[a]), hours[a], ok))
    return out


__all__ = [
    "AgentWeek",
    "PlanInputError",
    "PlannedShift",
    "ScheduleProblem",
    "ScheduleResult",
    "roster",
    "solve",
]
