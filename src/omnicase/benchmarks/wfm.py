"""``omnicase bench staffing | simulate | erlang-peers``: workforce-model timings.

The peers (pyworkforce, ciw) are the optional extra ``bench-peers``; without them the
peer benchmark says which is missing instead of failing.
"""

from __future__ import annotations

import importlib.util
import math
import time
from typing import Any

import numpy as np

from omnicase.wfm import erlang
from omnicase.wfm.simulate import AgentGroup, Scenario, SimChannel, simulate
from omnicase.wfm.staffing import DEFAULT_POLICIES, Demand, staff

WEEK = 7 * 48
CHANNELS = {  # peak contacts per 30 min, AHT (s)
    "phone": (180.0, 300.0),
    "chat": (120.0, 420.0),
    "email": (90.0, 480.0),
    "social": (30.0, 240.0),
    "sms": (20.0, 180.0),
    "webform": (40.0, 360.0),
}


def week_demand(seed: int = 1) -> Demand:
    """A week of 30-minute intervals × 6 channels, with an intraday and weekday shape."""
    rng = np.random.default_rng(seed)
    tod = (np.arange(WEEK) % 48) / 48
    day = np.arange(WEEK) // 48
    shape = np.clip(np.sin((tod - 0.3) * np.pi / 0.55), 0, None) + 0.02
    shape = shape * np.where(day >= 5, 0.6, 1.0)
    intervals, names, volumes, ahts = [], [], [], []
    for name, (peak, aht) in CHANNELS.items():
        intervals.append(np.arange(WEEK))
        names.extend([name] * WEEK)
        volumes.append(rng.poisson(peak * shape).astype(np.float64))
        ahts.append(np.full(WEEK, aht))
    return Demand.of(
        np.concatenate(intervals), names, np.concatenate(volumes), np.concatenate(ahts)
    )


def _best_of(repeats: int, run: Any) -> tuple[float, Any]:
    best, out = math.inf, None
    for _ in range(repeats):
        start = time.perf_counter()
        out = run()
        best = min(best, time.perf_counter() - start)
    return best, out


def run_staffing_bench(repeats: int = 20) -> dict[str, Any]:
    demand = week_demand()
    staff(demand, DEFAULT_POLICIES)  # warm-up (imports, caches)
    times = []
    plan = None
    for _ in range(repeats):
        start = time.perf_counter()
        plan = staff(demand, DEFAULT_POLICIES)
        times.append(time.perf_counter() - start)
    assert plan is not None
    return {
        "bench": "wfm-staffing",
        "intervals": WEEK,
        "channels": len(CHANNELS),
        "rows": len(demand.volume),
        "best_ms": round(min(times) * 1000, 2),
        "median_ms": round(float(np.median(times)) * 1000, 2),
        "fte_week_total": round(float(plan.fte_per_week()["total"][0]), 1),
        "target_ms": 50,
    }


def mmc_scenario(contacts: int, agents: int, traffic: float, aht: float, seed: int) -> Scenario:
    """A stationary M/M/c phone queue with about ``contacts`` arrivals."""
    per_interval = traffic / aht * 1800
    intervals = max(1, round(contacts / per_interval))
    channel = SimChannel("phone", "phone", [per_interval] * intervals, aht, answer_within=20)
    return Scenario([channel], [AgentGroup("agents", ["phone"], agents)], 1800, seed)


def run_simulate_bench(
    contacts: int = 1_000_000, agents: int = 12, traffic: float = 10.0, seed: int = 7
) -> dict[str, Any]:
    """The general event loop and the FCFS fast path on the same M/M/c, against Erlang C."""
    aht = 180.0
    scenario = mmc_scenario(contacts, agents, traffic, aht, seed)
    exact = float(erlang.service_level(agents, traffic, aht, 20))
    out: dict[str, Any] = {
        "bench": "wfm-simulate",
        "agents": agents,
        "traffic_erlangs": traffic,
        "erlang_c_service_level": round(exact, 5),
    }
    for engine in ("events", "auto"):
        seconds, result = _best_of(1, lambda e=engine: simulate(scenario, engine=e))
        sl = result.channels["phone"]["service_level"]
        out[result.engine] = {
            "contacts": result.contacts,
            "seconds": round(seconds, 3),
            "contacts_per_second": round(result.contacts / seconds),
            "service_level": round(sl, 5),
            "pp_from_erlang_c": round((sl - exact) * 100, 3),
        }
    out["omnichannel"] = _omnichannel_bench(seed)
    return out


def _omnichannel_bench(seed: int) -> dict[str, Any]:
    """A week of the 6 channels × 20 (multi-skill groups, chat, overflow, shifts)."""
    demand = week_demand(seed)
    plan = staff(demand, DEFAULT_POLICIES)
    scale = 20
    channels = []
    for p in plan.channels:
        policy = DEFAULT_POLICIES[p.channel]
        channels.append(
            SimChannel(
                p.channel,
                p.kind,
                (p.volume * scale).tolist(),
                float(p.aht_seconds.mean()),
                patience=240.0 if p.kind != "async" else None,
                answer_within=policy.answer_within,
                deadline=policy.deadline,
                concurrency=policy.concurrency,
                concurrency_penalty=policy.concurrency_penalty,
                overflow_after=60.0 if p.channel == "phone" else None,
            )
        )
    by = {p.channel: p.agents * scale for p in plan.channels}
    asyncs = by["email"] + by["social"] + by["sms"] + by["webform"]
    groups = [
        AgentGroup("voice", ["phone"], [int(v) for v in by["phone"]]),
        AgentGroup("chat", ["chat", "email"], [int(v) for v in by["chat"]]),
        # tightest deadlines first: social and SMS (1 h) before email and web forms (24 h)
        AgentGroup("back office", ["social", "sms", "email", "webform"], [int(v) for v in asyncs]),
        AgentGroup("provider", ["phone"], 40, provider=True),
    ]
    scenario = Scenario(channels, groups, 1800, seed)
    seconds, result = _best_of(1, lambda: simulate(scenario))
    return {
        "contacts": result.contacts,
        "seconds": round(seconds, 3),
        "contacts_per_second": round(result.contacts / seconds),
        "service_level": {
            name: None if c["service_level"] is None else round(c["service_level"], 4)
            for name, c in result.channels.items()
        },
    }


def _missing(*names: str) -> list[str]:
    return [n for n in names if importlib.util.find_spec(n) is None]


def run_peers_bench(ciw_contacts: int = 300_000, seed: int = 7) -> dict[str, Any]:
    """Erlang C staffing vs pyworkforce; M/M/c simulation vs ciw."""
    out: dict[str, Any] = {"bench": "wfm-peers"}
    missing = _missing("pyworkforce", "ciw")
    if missing:
        out["missing"] = missing
        out["install"] = "pip install 'omnicase[bench-peers]'"
    if "pyworkforce" not in missing:
        out["pyworkforce"] = _pyworkforce(seed)
    if "ciw" not in missing:
        out["ciw"] = _ciw(ciw_contacts, seed)
    return out


def _pyworkforce(seed: int) -> dict[str, Any]:
    from pyworkforce.queuing import ErlangC

    rng = np.random.default_rng(seed)
    cases = 2000
    volume = rng.uniform(5, 1500, cases).round(1)  # contacts per 30 min
    aht = rng.uniform(60, 900, cases).round(0)  # seconds
    target, within = 0.8, 20.0

    def theirs() -> list[int]:
        return [
            int(
                ErlangC(
                    transactions=float(v), aht=float(h) / 60, asa=within / 60, interval=30
                ).required_positions(service_level=target)["raw_positions"]
            )
            for v, h in zip(volume, aht, strict=True)
        ]

    traffic = volume / 1800 * aht

    def ours() -> Any:
        return erlang.erlang_c_agents(
            traffic, aht, service_level_target=target, answer_within=within
        )

    t_theirs, answer_theirs = _best_of(1, theirs)
    t_ours, answer_ours = _best_of(3, ours)
    differ = np.flatnonzero(np.asarray(answer_theirs) != answer_ours)
    explained = 0
    examples: list[dict[str, Any]] = []
    for i in differ:
        # pyworkforce starts its search at round(a + 1) agents, so it never answers
        # floor(a) + 1 when that already meets the target
        start = round(float(traffic[i]) + 1)
        if answer_ours[i] < start and answer_theirs[i] == start:
            explained += 1
        if len(examples) < 3:
            examples.append(
                {
                    "traffic": round(float(traffic[i]), 3),
                    "ours": int(answer_ours[i]),
                    "pyworkforce": int(answer_theirs[i]),
                    "sl_ours": round(
                        float(erlang.service_level(answer_ours[i], traffic[i], aht[i], within)), 4
                    ),
                }
            )
    return {
        "cases": cases,
        "target": target,
        "answer_within_s": within,
        "identical": int(cases - len(differ)),
        "different": len(differ),
        "different_explained_by_search_start": explained,
        "examples": examples,
        "seconds_pyworkforce": round(t_theirs, 4),
        "seconds_omnicase": round(t_ours, 4),
        "speed_ratio": round(t_theirs / t_ours, 1),
    }


def _ciw(contacts: int, seed: int) -> dict[str, Any]:
    import ciw

    agents, traffic, aht = 13, 10.0, 180.0  # 77 % occupancy: sampling noise well under 1 pp
    exact = float(erlang.service_level(agents, traffic, aht, 20))
    scenario = mmc_scenario(contacts, agents, traffic, aht, seed)
    horizon = len(scenario.channels[0].volume) * 1800.0

    def theirs() -> tuple[float, int]:
        network = ciw.create_network(
            arrival_distributions=[ciw.dists.Exponential(rate=traffic / aht)],
            service_distributions=[ciw.dists.Exponential(rate=1 / aht)],
            number_of_servers=[agents],
        )
        ciw.seed(seed)
        sim = ciw.Simulation(network)
        sim.simulate_until_max_time(horizon)
        waits = [r.waiting_time for r in sim.get_all_records()]
        return sum(w <= 20 for w in waits) / len(waits), len(waits)

    t_theirs, (sl_theirs, count) = _best_of(1, theirs)
    t_ours, result = _best_of(1, lambda: simulate(scenario, engine="events"))
    t_fast, _ = _best_of(1, lambda: simulate(scenario))
    sl_ours = result.channels["phone"]["service_level"]
    return {
        "agents": agents,
        "traffic_erlangs": traffic,
        "erlang_c_service_level": round(exact, 5),
        "ciw": {
            "contacts": count,
            "seconds": round(t_theirs, 3),
            "service_level": round(sl_theirs, 5),
            "pp_from_erlang_c": round((sl_theirs - exact) * 100, 3),
        },
        "omnicase_events": {
            "contacts": result.contacts,
            "seconds": round(t_ours, 3),
            "service_level": round(sl_ours, 5),
            "pp_from_erlang_c": round((sl_ours - exact) * 100, 3),
        },
        "speed_ratio_events": round((t_theirs / count) / (t_ours / result.contacts), 1),
        "speed_ratio_fast_path": round((t_theirs / count) / (t_fast / result.contacts), 1),
    }
