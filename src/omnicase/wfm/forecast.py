"""Contacts and handling time per channel × interval: a multiplicative profile model.

    contacts(day, slot) = level(day) × weekday(day) × holiday(day) × events(day)
                          × shape(weekday, slot)

* ``events`` are declared (events.py) and divided out of history before anything is
  learnt, then multiplied into the future;
* ``weekday`` is the median ratio of each weekday to its week's mean over the last
  ``weekday_weeks`` weeks, holidays left out;
* ``level`` is a log-linear trend fitted by Theil-Sen (robust to a bad day) on the
  de-seasonalised daily totals of the last ``trend_weeks`` weeks, its slope damped;
* ``holiday`` is the median ratio of past holidays to what their day would have had
  (``default_holiday`` when the history has none), and a holiday takes Sunday's shape;
* ``shape`` is each weekday's share of the day per slot, exponentially weighted over past
  weeks (half-life ``shape_half_life_weeks``), shrunk towards the shape pooled over the
  weekday's group (Monday-Friday, Saturday, Sunday) and lightly smoothed, which is what
  keeps it from chasing the noise of small volumes.

AHT: per slot of the day, contact-weighted and exponentially weighted over past weeks,
shrunk towards the channel's overall mean where few contacts were seen.

It is fast (a few ms per channel and fit, all numpy) and every number it uses can be
shown to a planner. ``forecast()`` backtests it against seasonal naive first and falls
back to seasonal naive, saying so, when it is not at least 10 % better (backtest.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Literal

import numpy as np

from omnicase.wfm.backtest import Backtest, min_days, rolling_origin, seasonal_naive
from omnicase.wfm.events import Event, day_multipliers
from omnicase.wfm.grid import FloatArray, HolidayCalendar, Series, weekdays

GROUPS = np.array([0, 0, 0, 0, 0, 1, 2])  # Mon-Fri, Sat, Sun


@dataclass(frozen=True)
class ProfileParams:
    """Tuned on the tuning seeds only (benchmarks/forecast.py, TUNING_SEEDS)."""

    shape_half_life_weeks: float = 6.0
    shape_shrink: float = 0.5
    smooth: float = 0.1
    weekday_weeks: int = 8
    trend_weeks: int = 8
    trend_damping: float = 0.5
    max_weekly_growth: float = 0.05
    default_holiday: float = 0.5
    aht_weeks: int = 4
    aht_prior_contacts: float = 50.0


@dataclass(frozen=True)
class ProfileModel:
    """A fitted model: everything ``predict`` needs, and what a planner may inspect."""

    channel: str
    interval_minutes: int
    fitted_until: date  # first day after the history
    level: float  # de-seasonalised contacts per day on ``fitted_until``
    slope: float  # log growth per day, damped
    weekday: FloatArray  # 7 factors, mean 1
    holiday: float
    shapes: FloatArray  # 7 × slots, rows sum to 1
    aht: FloatArray | None  # per slot of day
    events: tuple[Event, ...] = ()
    calendar: HolidayCalendar = field(default_factory=HolidayCalendar)

    def predict(self, days: int) -> tuple[FloatArray, FloatArray | None]:
        """Contacts (and AHT) per interval for ``days`` days from ``fitted_until``."""
        start = self.fitted_until
        t = np.arange(days)
        wd = weekdays(start, days)
        hol = self.calendar.mask(start, days)
        total = self.level * np.exp(self.slope * t) * self.weekday[wd]
        total = total * np.where(hol, self.holiday, 1.0)
        total = total * day_multipliers(self.events, self.channel, start, days)
        rows = np.where(hol[:, None], self.shapes[6][None, :], self.shapes[wd])
        contacts = (total[:, None] * rows).ravel()
        aht = None if self.aht is None else np.tile(self.aht, days)
        return contacts, aht


def fit(
    history: Series,
    events: tuple[Event, ...] = (),
    calendar: HolidayCalendar | None = None,
    params: ProfileParams | None = None,
) -> ProfileModel:
    """Fit the profile model on ``history`` (at least one week)."""
    p = params or ProfileParams()
    cal = calendar if calendar is not None else HolidayCalendar("FR")
    days, slots = history.days, history.per_day
    if days < 7:
        raise ValueError("history: at least 7 days are needed")
    x = history.contacts.reshape(days, slots)
    wd = weekdays(history.start, days)
    hol = cal.mask(history.start, days)
    mult = day_multipliers(events, history.channel, history.start, days)
    usable = mult > 0.1
    adjusted = np.where(usable, x.sum(1) / np.where(usable, mult, 1.0), np.nan)
    normal = usable & ~hol

    weekday = _weekday_factors(adjusted, wd, normal, p.weekday_weeks)
    level, slope = _trend(adjusted / weekday[wd], normal, p)
    t = np.arange(days) - days  # days before fitted_until
    expected = level * np.exp(slope * t) * weekday[wd]
    holiday = _holiday_factor(adjusted, expected, hol & usable, p.default_holiday)
    shapes = _shapes(x, wd, normal, p)
    aht = None if history.aht is None else _aht(x, history.aht.reshape(days, slots), p)
    return ProfileModel(
        channel=history.channel,
        interval_minutes=history.interval_minutes,
        fitted_until=history.start + timedelta(days=days),
        level=level,
        slope=slope,
        weekday=weekday,
        holiday=holiday,
        shapes=shapes,
        aht=aht,
        events=events,
        calendar=cal,
    )


def _weekday_factors(
    totals: FloatArray, wd: np.ndarray, normal: np.ndarray, weeks: int
) -> FloatArray:
    """Median ratio of each weekday to the mean of its 7-day block, recent blocks only.
    Blocks are counted back from the last day so the latest week is always whole."""
    days = len(totals)
    blocks = min(weeks, days // 7)
    recent = totals[days - 7 * blocks :].reshape(blocks, 7)
    ok = normal[days - 7 * blocks :].reshape(blocks, 7)
    wdb = wd[days - 7 * blocks :].reshape(blocks, 7)
    factors = np.ones(7)
    for _ in range(2):  # a missing (holiday) day would bias its block's mean: iterate
        deseason = np.where(ok, recent / factors[wdb], np.nan)
        count = ok.sum(axis=1, keepdims=True)
        sums = np.where(ok, deseason, 0.0).sum(axis=1, keepdims=True)
        means = np.divide(sums, count, out=np.zeros_like(sums), where=count > 0)
        ratio = np.where(ok & (means > 0), recent / np.where(means > 0, means, 1), np.nan)
        new = np.ones(7)
        for w in range(7):
            values = ratio[wdb == w]
            values = values[np.isfinite(values)]
            if len(values):
                new[w] = max(float(np.median(values)), 1e-3)
        factors = new / new.mean()
    return factors


def _trend(level: FloatArray, normal: np.ndarray, p: ProfileParams) -> tuple[float, float]:
    """Robust log-linear level at the end of history and its damped daily slope."""
    days = len(level)
    window = min(days, 7 * p.trend_weeks)
    t = np.arange(days - window, days, dtype=float) - days
    y = level[days - window :]
    ok = normal[days - window :] & np.isfinite(y) & (y > 0)
    if ok.sum() < 3:
        finite = y[np.isfinite(y)]
        return (float(np.nanmean(finite)) if len(finite) else 0.0), 0.0
    logy = np.log(y[ok])
    slope = 0.0
    if ok.sum() >= 14:
        from scipy.stats import theilslopes  # 1-2 s to import: only when fitting

        slope = float(theilslopes(logy, t[ok])[0]) * p.trend_damping
        cap = np.log1p(p.max_weekly_growth) / 7
        slope = float(np.clip(slope, -cap, cap))
    intercept = float(np.median(logy - slope * t[ok]))
    return float(np.exp(intercept)), slope


def _holiday_factor(
    totals: FloatArray, expected: FloatArray, holiday: np.ndarray, default: float
) -> float:
    ok = holiday & (expected > 0)
    if not ok.any():
        return default
    return float(np.median(totals[ok] / expected[ok]))


def _shapes(x: FloatArray, wd: np.ndarray, normal: np.ndarray, p: ProfileParams) -> FloatArray:
    days, slots = x.shape
    age_weeks = (days - 1 - np.arange(days)) / 7.0
    weight = np.where(normal, 0.5 ** (age_weeks / p.shape_half_life_weeks), 0.0)
    by_wd = np.zeros((7, slots))
    for w in range(7):
        sel = wd == w
        by_wd[w] = (weight[sel, None] * x[sel]).sum(0)
    by_group = np.zeros((3, slots))
    for g in range(3):
        by_group[g] = by_wd[g == GROUPS].sum(0)
    out = np.zeros((7, slots))
    for w in range(7):
        own, pool = _normalise(by_wd[w]), _normalise(by_group[GROUPS[w]])
        blend = (1 - p.shape_shrink) * own + p.shape_shrink * pool
        if p.smooth:
            # Circular (the night wraps round), so a day's shape keeps summing to 1.
            blend = (1 - p.smooth) * blend + p.smooth * 0.5 * (
                np.roll(blend, 1) + np.roll(blend, -1)
            )
        out[w] = _normalise(blend)
    return out


def _normalise(row: FloatArray) -> FloatArray:
    total = row.sum()
    out: FloatArray = row / total if total > 0 else np.full(len(row), 1.0 / len(row))
    return out


def _aht(x: FloatArray, aht: FloatArray, p: ProfileParams) -> FloatArray:
    days = x.shape[0]
    recent = slice(max(0, days - 7 * p.aht_weeks), days)
    c, a = x[recent], aht[recent]
    age = (c.shape[0] - 1 - np.arange(c.shape[0])) / 7.0
    w = c * (0.5 ** (age / 2.0))[:, None]
    work = (w * a).sum(0)
    seen = w.sum(0)
    overall = work.sum() / seen.sum() if seen.sum() > 0 else 0.0
    k = p.aht_prior_contacts
    out: FloatArray = (work + k * overall) / (seen + k)
    return out


#: The model must beat seasonal naive by this much WAPE in the backtest, or it is not used.
REQUIRED_IMPROVEMENT = 0.10


@dataclass(frozen=True)
class ChannelForecast:
    """What ``forecast`` hands a planner (and scenarios): the numbers, the method used and
    why, and the backtest that decided it."""

    channel: str
    start: date
    interval_minutes: int
    contacts: FloatArray
    aht: FloatArray | None
    method: Literal["profile", "seasonal_naive"]
    reason: str
    backtest: Backtest | None
    model: ProfileModel | None

    def as_series(self) -> Series:
        return Series(self.channel, self.start, self.interval_minutes, self.contacts, self.aht)


def forecast(
    history: Series,
    horizon_days: int,
    *,
    events: tuple[Event, ...] = (),
    calendar: HolidayCalendar | None = None,
    params: ProfileParams | None = None,
    origins: int = 4,
    backtest_horizon_days: int = 7,
    min_train_days: int = 28,
) -> ChannelForecast:
    """Forecast ``horizon_days`` days after ``history`` (the entry point for the CLI, the
    API and scenarios). Backtests first; uses the profile model only when it beats
    seasonal naive by ``REQUIRED_IMPROVEMENT`` WAPE, otherwise seasonal naive, and
    ``reason`` says which and why."""
    if horizon_days < 1:
        raise ValueError("horizon_days: at least 1")
    if history.days < 7:
        raise ValueError(f"history: {history.days} days; at least 7 are needed")
    cal = calendar if calendar is not None else HolidayCalendar("FR")
    start = history.start + timedelta(days=history.days)

    def profile(train: Series, days: int) -> tuple[FloatArray, FloatArray | None]:
        return fit(train, events, cal, params).predict(days)

    def answer(why: str, bt: Backtest | None, model: ProfileModel | None) -> ChannelForecast:
        if model is None:
            contacts, aht = seasonal_naive(history, horizon_days)
        else:
            contacts, aht = model.predict(horizon_days)
        return ChannelForecast(
            history.channel,
            start,
            history.interval_minutes,
            contacts,
            aht,
            "seasonal_naive" if model is None else "profile",
            why,
            bt,
            model,
        )

    fallback = "fell back to seasonal naive"
    needed = min_days(origins, backtest_horizon_days, min_train_days)
    if history.days < needed:
        why = f"history too short to backtest ({history.days} days, {needed} needed)"
        return answer(f"{why}: {fallback}", None, None)
    if history.contacts.sum() == 0:
        return answer(f"no contacts in the history: {fallback}", None, None)
    bt = rolling_origin(
        history,
        profile,
        origins=origins,
        horizon_days=backtest_horizon_days,
        min_train_days=min_train_days,
    )
    gain = bt.improvement
    scores = f"profile model WAPE {bt.model.wape:.3f} vs seasonal naive {bt.naive.wape:.3f}"
    if np.isfinite(gain):
        scores += f" ({gain:+.1%})"
    if not np.isfinite(bt.naive.wape) or gain < REQUIRED_IMPROVEMENT:
        return answer(f"{scores}: not {REQUIRED_IMPROVEMENT:.0%} better, {fallback}", bt, None)
    return answer(
        f"{scores}: better by {REQUIRED_IMPROVEMENT:.0%} or more",
        bt,
        fit(history, events, cal, params),
    )


def forecast_channels(
    histories: dict[str, Series],
    horizon_days: int,
    *,
    events: tuple[Event, ...] = (),
    calendar: HolidayCalendar | None = None,
) -> list[ChannelForecast]:
    """``forecast`` for each channel's history (the events naming other channels, or
    none, are ignored per channel by the events themselves)."""
    return [
        forecast(series, horizon_days, events=events, calendar=calendar)
        for _, series in sorted(histories.items())
    ]
