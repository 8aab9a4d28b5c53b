"""Realistic generated contact history per channel, seeded: what forecasts are tuned and
judged on when no real history is at hand (and the benchmark's input).

Each channel has its own intraday × weekday shape (phone peaks 9-11 h and 14-16 h and is
nearly closed on Sunday; chat rises into the evening; email is spread over the day and
piles up on Monday; social media is an evening and weekend channel), a yearly growth,
French public holidays (less volume, Sunday's shape), declared events (events.py),
day-to-day variation (weather, news) and negative-binomial noise per interval.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from omnicase.wfm.events import Event, day_multipliers
from omnicase.wfm.grid import FloatArray, HolidayCalendar, Series, per_day, weekdays


@dataclass(frozen=True)
class ChannelShape:
    """Contacts per day, when in the day (Gaussian bumps: hour, width, weight) and which
    days; ``holiday`` is a public holiday's volume relative to the same weekday's."""

    daily: float
    bumps: tuple[tuple[float, float, float], ...]
    open_hours: tuple[float, float]
    weekday: tuple[float, float, float, float, float, float, float]
    holiday: float
    aht_seconds: float
    base: float = 0.05


SHAPES: dict[str, ChannelShape] = {
    "phone": ChannelShape(
        1200,
        ((10.0, 0.9, 1.0), (15.0, 1.0, 0.8), (12.5, 1.5, 0.25)),
        (8.0, 20.0),
        (1.25, 1.1, 1.0, 1.0, 0.95, 0.45, 0.05),
        0.2,
        330,
    ),
    "chat": ChannelShape(
        600,
        ((11.0, 1.5, 0.4), (15.0, 1.5, 0.5), (20.0, 1.3, 1.0)),
        (9.0, 22.5),
        (1.1, 1.0, 1.0, 1.0, 0.95, 0.85, 0.75),
        0.6,
        540,
    ),
    "email": ChannelShape(
        800,
        ((10.0, 2.5, 1.0), (15.0, 3.0, 0.8), (21.0, 2.0, 0.4)),
        (0.0, 24.0),
        (1.35, 1.05, 1.0, 0.95, 0.9, 0.55, 0.5),
        0.55,
        420,
        0.15,
    ),
    "social": ChannelShape(
        300,
        ((13.0, 2.0, 0.4), (20.5, 1.6, 1.0)),
        (7.0, 24.0),
        (0.9, 0.9, 0.9, 0.95, 1.0, 1.3, 1.4),
        1.1,
        240,
        0.1,
    ),
}


def intraday_shape(shape: ChannelShape, interval_minutes: int) -> FloatArray:
    """Fraction of a day's contacts in each interval (sums to 1)."""
    n = per_day(interval_minutes)
    hours = (np.arange(n) + 0.5) * interval_minutes / 60
    curve = np.full(n, shape.base)
    for centre, width, weight in shape.bumps:
        curve += weight * np.exp(-0.5 * ((hours - centre) / width) ** 2)
    lo, hi = shape.open_hours
    curve[(hours < lo) | (hours > hi)] *= 0.02
    out: FloatArray = curve / curve.sum()
    return out


def generate(
    channel: str,
    *,
    start: date,
    days: int,
    seed: int,
    interval_minutes: int = 30,
    growth_per_year: float = 0.15,
    events: tuple[Event, ...] = (),
    calendar: HolidayCalendar | None = None,
    scale: float = 1.0,
    dispersion: float = 30.0,
    day_noise: float = 0.06,
    shape: ChannelShape | None = None,
) -> Series:
    """``days`` days of ``channel`` (a key of SHAPES, or any name with ``shape`` given)
    from ``start``; ``dispersion`` is the negative binomial's k (variance μ + μ²/k),
    ``day_noise`` the log-sd of each day's own level. The same seed gives the same series."""
    shape = shape or SHAPES[channel]
    calendar = calendar if calendar is not None else HolidayCalendar("FR")
    rng = np.random.default_rng(seed)
    n = per_day(interval_minutes)
    wd = weekdays(start, days)
    hol = calendar.mask(start, days)
    level = shape.daily * scale * (1 + growth_per_year) ** (np.arange(days) / 365.0)
    factor = np.asarray(shape.weekday)[wd]
    day_total = level * factor * np.where(hol, shape.holiday, 1.0)
    day_total *= day_multipliers(events, channel, start, days)
    day_total *= rng.lognormal(0.0, day_noise, days)
    base_shape = intraday_shape(shape, interval_minutes)
    # Weekend mornings start later, Sunday and holidays later still.
    late = np.roll(base_shape, 2 * 60 // interval_minutes)
    sunday = 0.5 * base_shape + 0.5 * late
    shapes = np.where(((wd == 6) | hol)[:, None], sunday, base_shape)
    shapes = np.where((wd == 5)[:, None] & ~hol[:, None], 0.75 * base_shape + 0.25 * late, shapes)
    mean = (day_total[:, None] * shapes).ravel()
    contacts = _negative_binomial(rng, mean, dispersion)
    aht = _aht(rng, shape.aht_seconds, contacts, n)
    return Series(channel, start, interval_minutes, contacts, aht)


def _negative_binomial(rng: np.random.Generator, mean: FloatArray, k: float) -> FloatArray:
    if k <= 0:
        return rng.poisson(mean).astype(float)
    lam = rng.gamma(k, mean / k)
    return rng.poisson(lam).astype(float)


def _aht(rng: np.random.Generator, base: float, contacts: FloatArray, n: int) -> FloatArray:
    """Average of lognormal handling times per interval: longer late in the day, noisier
    when few contacts came in; 0 where none did."""
    hours = (np.arange(len(contacts)) % n) * 24 / n
    mean = base * (1 + 0.12 * np.clip(hours - 17, 0, None) / 6)
    spread = 0.6 / np.sqrt(np.maximum(contacts, 1))
    aht = mean * np.exp(rng.normal(0.0, spread) - spread**2 / 2)
    out: FloatArray = np.where(contacts > 0, aht, 0.0)
    return out
