"""``omnicase bench scenario``: a 12-month, 6-channel, three-option run with the ±20 %
risk, timed (the base weeks are forecast once, outside the timing)."""

from __future__ import annotations

import time
from typing import Any

from omnicase.wfm.scenario import run
from omnicase.wfm.scenario_input import (
    CampaignIn,
    GeneratedIn,
    HistoryIn,
    NewChannelIn,
    ProviderIn,
    ScenarioRequest,
    build_spec,
)


def bench_request() -> ScenarioRequest:
    return ScenarioRequest(
        situation="growth",
        months=12,
        history=HistoryIn(generated=GeneratedIn(channels=["phone", "chat", "email", "social"])),
        new_channels={
            "whatsapp": NewChannelIn(volume_per_day=400, aht_seconds=300, ramp_months=3),
            "sms": NewChannelIn(volume_per_day=150, aht_seconds=120, launch_month=2),
        },
        growth_per_month=0.03,
        campaigns=[CampaignIn(start_month=4, months=2, uplift=0.2)],
        provider=ProviderIn(price_per_contact=2.8, notice_days=30),
    )


def run_scenario_bench(repeats: int = 3) -> dict[str, Any]:
    """Wall and CPU seconds (this machine is shared: CPU time is the steadier figure)."""
    started = time.perf_counter()
    spec = build_spec(bench_request())
    build = time.perf_counter() - started
    times, sim_times, cpu = [], [], []
    result = None
    for _ in range(repeats):
        t0, c0 = time.perf_counter(), time.process_time()
        result = run(spec)
        times.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    no_sim = spec.__class__(**{**spec.__dict__, "simulate": False})
    for _ in range(repeats):
        t0 = time.perf_counter()
        run(no_sim)
        sim_times.append(time.perf_counter() - t0)
    assert result is not None
    return {
        "bench": "scenario",
        "months": spec.months,
        "channels": len(spec.weeks),
        "options": 3,
        "build_seconds": round(build, 3),
        "run_seconds_median": round(sorted(times)[len(times) // 2], 3),
        "run_cpu_seconds_median": round(sorted(cpu)[len(cpu) // 2], 3),
        "run_without_simulation_seconds_median": round(sorted(sim_times)[len(sim_times) // 2], 3),
        "simulated_contacts": (result.validation or {}).get("contacts"),
        "cheapest": result.cheapest,
        "most_robust": result.most_robust,
    }
