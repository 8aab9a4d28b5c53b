"""``omnicase bench forecast``: backtest of the profile model against seasonal naive on
generated series (wfm/series.py) with holidays, campaigns, a launch and a ramp-up.

Tuning and evaluation never share a series: ``ProfileParams`` defaults were chosen on
``TUNING_SEEDS``; the figure reported in docs/benchmarks.md is on ``EVALUATION_SEEDS``.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np

from omnicase.wfm.events import Event
from omnicase.wfm.forecast import ProfileParams, forecast
from omnicase.wfm.grid import Series
from omnicase.wfm.series import generate

TUNING_SEEDS = tuple(range(1, 7))
EVALUATION_SEEDS = tuple(range(101, 113))
CHANNELS = ("phone", "chat", "email", "social")


@dataclass(frozen=True)
class Case:
    label: str
    series: Series
    events: tuple[Event, ...]


def suite(seed: int, interval_minutes: int = 30, weeks: int = 20) -> list[Case]:
    """One seed's series: the four channels, each with a campaign of random timing and
    uplift; every other seed a product launch on phone and a chat channel ramping up
    from zero. Start dates move with the seed so different holidays fall in."""
    rng = np.random.default_rng(seed)
    start = date(2025, 9, 1) + timedelta(days=7 * int(rng.integers(0, 40)))
    start -= timedelta(days=start.weekday())
    days = 7 * weeks
    cases = []
    for i, channel in enumerate(CHANNELS):
        first = start + timedelta(days=int(rng.integers(35, days - 10)))
        events: tuple[Event, ...] = (
            Event(
                "campaign",
                first,
                first + timedelta(days=int(rng.integers(3, 15))),
                float(rng.uniform(0.15, 0.6)),
                name="campaign",
            ),
        )
        if channel == "phone" and seed % 2:
            launch = start + timedelta(days=int(rng.integers(40, days - 20)))
            events += (Event("launch", launch, launch + timedelta(days=13), 0.8),)
        series = generate(
            channel,
            start=start,
            days=days,
            seed=seed * 100 + i,
            interval_minutes=interval_minutes,
            growth_per_year=float(rng.uniform(0.0, 0.4)),
            events=events,
        )
        cases.append(Case(f"{channel}/{seed}", series, events))
    if seed % 2 == 0:
        ramp = (Event("ramp", start, start + timedelta(days=55), channels=("chat",)),)
        series = generate(
            "chat",
            start=start,
            days=days,
            seed=seed * 100 + 9,
            interval_minutes=interval_minutes,
            growth_per_year=0.1,
            events=ramp,
        )
        cases.append(Case(f"chat-ramp/{seed}", series, ramp))
    return cases


def run_forecast_bench(
    seeds: tuple[int, ...] = EVALUATION_SEEDS,
    params: ProfileParams | None = None,
    interval_minutes: int = 30,
) -> dict[str, Any]:
    """Pooled backtest figures over every series of ``seeds`` (4 origins × 7 days)."""
    model_abs = naive_abs = actual = 0.0
    mase_model, mase_naive, gains, aht_model, aht_naive = [], [], [], [], []
    fallbacks: list[str] = []
    cases = [c for s in seeds for c in suite(s, interval_minutes)]
    import scipy.stats  # noqa: F401  (loaded by the first fit: not the model's time)

    t0, c0 = time.perf_counter(), time.process_time()
    for case in cases:
        result = forecast(case.series, 7, events=case.events, params=params)
        bt = result.backtest
        assert bt is not None
        total = float(case.series.contacts[-28 * case.series.per_day :].sum())
        model_abs += bt.model.wape * total
        naive_abs += bt.naive.wape * total
        actual += total
        mase_model.append(bt.model.mase)
        mase_naive.append(bt.naive.mase)
        gains.append(bt.improvement)
        if bt.model.aht_wape is not None and bt.naive.aht_wape is not None:
            aht_model.append(bt.model.aht_wape)
            aht_naive.append(bt.naive.aht_wape)
        if result.method != "profile":
            fallbacks.append(case.label)
    elapsed = time.perf_counter() - t0
    cpu = time.process_time() - c0
    model_wape, naive_wape = model_abs / actual, naive_abs / actual
    return {
        "bench": "forecast",
        "seeds": list(seeds),
        "series": len(cases),
        "interval_minutes": interval_minutes,
        "origins": 4,
        "horizon_days": 7,
        "model_wape": round(model_wape, 4),
        "naive_wape": round(naive_wape, 4),
        "improvement": round(1 - model_wape / naive_wape, 4),
        "worst_series_improvement": round(min(gains), 4),
        "model_mase": round(float(np.mean(mase_model)), 4),
        "naive_mase": round(float(np.mean(mase_naive)), 4),
        "model_aht_wape": round(float(np.mean(aht_model)), 4),
        "naive_aht_wape": round(float(np.mean(aht_naive)), 4),
        "fallbacks": fallbacks,
        "seconds": round(elapsed, 3),
        "cpu_seconds": round(cpu, 3),  # less sensitive to a loaded machine
        "ms_per_series": round(1000 * elapsed / len(cases), 1),
    }
