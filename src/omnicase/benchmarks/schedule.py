"""``omnicase bench schedule``: solve time and cost of one week of 30-minute intervals.

The requirement is a forecast week of the phone channel's generated series (8 weeks of
history) turned into agents with a plain workload rule (contacts × AHT / interval /
85 % occupancy, rounded up, in the phone line's opening hours 8-20 h): Erlang C staffing
(wfm/staffing.py) is a separate piece, and the schedule only needs the agents per
interval, whichever rule made them.
Staff: full-time 35 h (5 × 7 h + lunch, early or late), part-time 20 h (5 × 4 h), and a
provider at an hourly price with a minimum of 2 agents when present.
"""

from __future__ import annotations

import time
from datetime import date, timedelta
from typing import Any

import numpy as np

from omnicase.wfm.forecast import forecast
from omnicase.wfm.plan_io import schedule_json
from omnicase.wfm.schedule import ScheduleProblem, solve
from omnicase.wfm.series import generate
from omnicase.wfm.shifts import Break, Contract, Provider, ShiftTemplate, Staffing

WEEKDAYS = (0, 1, 2, 3, 4, 5)


def bench_staffing() -> Staffing:
    lunch = Break(60, 180, 300)
    pause = Break(15, 90, 120, paid=True)
    return Staffing(
        templates=(
            ShiftTemplate("early-8h", 480, tuple(range(420, 661, 30)), WEEKDAYS, (lunch, pause)),
            ShiftTemplate("late-8h", 480, tuple(range(690, 781, 30)), WEEKDAYS, (lunch,)),
            ShiftTemplate("part-4h", 240, tuple(range(480, 961, 30)), WEEKDAYS),
        ),
        contracts=(
            Contract("full-time-35h", ("early-8h", "late-8h"), 24.0, 80),
            Contract("part-time-20h", ("part-4h",), 22.0, 25, weekly_hours=(20.0, 20.0)),
        ),
        providers=(Provider("callpro", 60, hourly_price=30.0, min_agents=2),),
    )


def bench_problem(seed: int) -> ScheduleProblem:
    start = date(2026, 2, 2)
    history = generate("phone", start=start, days=56, seed=seed)
    week = forecast(history, 7)
    aht = week.aht if week.aht is not None else np.full(len(week.contacts), 330.0)
    workload = week.contacts * aht / 1800 / 0.85
    hour = (np.arange(len(workload)) % 48) / 2
    required = np.where((hour >= 8) & (hour < 20), np.ceil(workload - 1e-9), 0.0)
    return ScheduleProblem(
        start=start + timedelta(days=56),
        interval_minutes=30,
        required=required,
        staff=bench_staffing(),
        contacts=week.contacts,
    )


def run_schedule_bench(seed: int = 7) -> dict[str, Any]:
    problem = bench_problem(seed)
    t0, c0 = time.perf_counter(), time.process_time()
    result = solve(problem)
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    body = schedule_json(problem, result)
    hours = problem.interval_minutes / 60
    return {
        "bench": "schedule",
        "seed": seed,
        "intervals": len(problem.required),
        "templates": len(problem.staff.templates),
        "variables": result.variables,
        "constraints": result.constraints,
        "status": result.status,
        "seconds": round(elapsed, 3),
        "cpu_seconds": round(cpu, 3),  # less sensitive to a loaded machine
        "cost": result.cost,
        "cost_breakdown": result.cost_breakdown,
        "agents": result.agents,
        "required_agent_hours": round(float(problem.required.sum()) * hours, 1),
        "under_agent_hours": round(float(result.under.sum()) * hours, 2),
        "over_agent_hours": round(float(result.over.sum()) * hours, 2),
        "intervals_not_coverable_internally": len(body["uncovered_with_internal_only"]),
        "roster_outside_contract": sum(not a.within_contract for a in result.roster),
    }
