"""Backtesting on rolling origins: WAPE and MASE of a forecaster against seasonal naive.

At each origin the forecaster sees only the days before it and forecasts the next
``horizon_days``; errors are pooled over every origin (WAPE = Σ|error| / Σ actual, so a
busy Monday weighs what it weighs in staffing). MASE divides the mean absolute error by
the in-sample error of seasonal naive on the same training days (< 1: better than naive).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from omnicase.wfm.grid import FloatArray, Series

#: forecaster(history, days) -> (contacts, aht or None) per interval
Forecaster = Callable[[Series, int], tuple[FloatArray, FloatArray | None]]


def seasonal_naive(history: Series, days: int) -> tuple[FloatArray, FloatArray | None]:
    """Same interval last week, repeated: the benchmark every forecast must beat."""
    n = history.per_day
    reps = -(-days // 7)
    contacts = np.tile(history.contacts[-7 * n :], reps)[: days * n]
    aht = None
    if history.aht is not None:
        aht = np.tile(history.aht[-7 * n :], reps)[: days * n]
    return contacts, aht


@dataclass(frozen=True)
class Scores:
    wape: float
    mase: float
    aht_wape: float | None  # contact-weighted, None without AHT


@dataclass(frozen=True)
class Backtest:
    origins: int
    horizon_days: int
    model: Scores
    naive: Scores

    @property
    def improvement(self) -> float:
        """Relative WAPE gain over seasonal naive (0.25 = 25 % lower WAPE)."""
        if self.naive.wape == 0:
            return 0.0 if self.model.wape == 0 else -np.inf
        return 1.0 - self.model.wape / self.naive.wape


def min_days(origins: int, horizon_days: int, min_train_days: int) -> int:
    return min_train_days + origins * horizon_days


def rolling_origin(
    series: Series,
    forecaster: Forecaster,
    *,
    origins: int = 4,
    horizon_days: int = 7,
    min_train_days: int = 28,
) -> Backtest:
    """Score ``forecaster`` and seasonal naive on the last ``origins`` × ``horizon_days``
    days, one origin every ``horizon_days``."""
    if series.days < min_days(origins, horizon_days, min_train_days):
        raise ValueError(
            f"history: {series.days} days; a backtest of {origins} origins × {horizon_days} "
            f"days needs at least {min_days(origins, horizon_days, min_train_days)}"
        )
    n = series.per_day
    actual, model_f, naive_f, scales, weights = [], [], [], [], []
    aht_actual, aht_model, aht_naive = [], [], []
    for k in range(origins, 0, -1):
        origin = series.days - k * horizon_days
        train = series.head(origin)
        test = series.window(origin, horizon_days)
        m, m_aht = forecaster(train, horizon_days)
        s, s_aht = seasonal_naive(train, horizon_days)
        actual.append(test.contacts)
        model_f.append(m)
        naive_f.append(s)
        scales.append(_naive_scale(train.contacts, 7 * n))
        weights.append(len(test.contacts))
        if test.aht is not None and m_aht is not None and s_aht is not None:
            aht_actual.append(test.aht)
            aht_model.append(m_aht)
            aht_naive.append(s_aht)
    y = np.concatenate(actual)
    scale = float(np.average(scales, weights=weights))
    return Backtest(
        origins=origins,
        horizon_days=horizon_days,
        model=_scores(y, np.concatenate(model_f), scale, aht_actual, aht_model, y),
        naive=_scores(y, np.concatenate(naive_f), scale, aht_actual, aht_naive, y),
    )


def wape(actual: FloatArray, forecast: FloatArray) -> float:
    total = float(np.abs(actual).sum())
    return float(np.abs(actual - forecast).sum()) / total if total > 0 else float("nan")


def _naive_scale(train: FloatArray, lag: int) -> float:
    if len(train) <= lag:
        return float("nan")
    return float(np.mean(np.abs(train[lag:] - train[:-lag])))


def _scores(
    y: FloatArray,
    f: FloatArray,
    scale: float,
    aht_actual: list[FloatArray],
    aht_forecast: list[FloatArray],
    contacts: FloatArray,
) -> Scores:
    mae = float(np.mean(np.abs(y - f)))
    aht_score = None
    if aht_actual:
        a, b = np.concatenate(aht_actual), np.concatenate(aht_forecast)
        work = float((contacts * a).sum())
        aht_score = float((contacts * np.abs(a - b)).sum()) / work if work > 0 else None
    return Scores(wape(y, f), mae / scale if scale > 0 else float("nan"), aht_score)
