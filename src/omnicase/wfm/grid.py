"""The interval grid every planning function works on: whole local days of 15- or 30-min
intervals, and the public holidays that fall on them.

Times are the brand's local wall-clock time (naive datetimes): contact centres plan in the
hours their agents work. A day always has ``1440 / interval`` intervals; on the two DST
days the store's history folds the doubled hour into one interval and leaves the skipped
one empty (services/wfm_history.py), so the grid never needs a 23- or 25-hour day.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache

import holidays as holidays_lib
import numpy as np
from numpy.typing import NDArray

INTERVALS = (15, 30)
CHANNELS = ("email", "chat", "messenger", "instagram", "whatsapp", "x", "phone", "sms", "webform")

FloatArray = NDArray[np.float64]


def per_day(interval_minutes: int) -> int:
    if interval_minutes not in INTERVALS:
        raise ValueError(f"interval_minutes must be 15 or 30, not {interval_minutes}")
    return 1440 // interval_minutes


@dataclass(frozen=True)
class Series:
    """One channel's contacts (and average handling time) per interval, from a local
    midnight, over whole days. ``aht`` is seconds per contact; 0 where nothing came in."""

    channel: str
    start: date
    interval_minutes: int
    contacts: FloatArray
    aht: FloatArray | None = field(default=None)

    def __post_init__(self) -> None:
        n = per_day(self.interval_minutes)
        if self.contacts.ndim != 1 or len(self.contacts) % n:
            raise ValueError(f"contacts must cover whole days of {n} intervals")
        if self.aht is not None and self.aht.shape != self.contacts.shape:
            raise ValueError("aht must have one value per interval")

    @property
    def days(self) -> int:
        return len(self.contacts) // per_day(self.interval_minutes)

    @property
    def per_day(self) -> int:
        return per_day(self.interval_minutes)

    def interval_starts(self) -> list[datetime]:
        step = timedelta(minutes=self.interval_minutes)
        first = datetime.combine(self.start, datetime.min.time())
        return [first + i * step for i in range(len(self.contacts))]

    def head(self, days: int) -> Series:
        """The first ``days`` days (a backtest's training part)."""
        n = days * self.per_day
        aht = None if self.aht is None else self.aht[:n]
        return Series(self.channel, self.start, self.interval_minutes, self.contacts[:n], aht)

    def window(self, first_day: int, days: int) -> Series:
        a, b = first_day * self.per_day, (first_day + days) * self.per_day
        aht = None if self.aht is None else self.aht[a:b]
        return Series(
            self.channel,
            self.start + timedelta(days=first_day),
            self.interval_minutes,
            self.contacts[a:b],
            aht,
        )


@dataclass(frozen=True)
class HolidayCalendar:
    """Public holidays of a country (and subdivision: ``FR``/``57`` for Alsace-Moselle's
    two extra days), from the ``holidays`` package: no download, no database."""

    country: str | None = "FR"
    subdiv: str | None = None

    def mask(self, start: date, days: int) -> NDArray[np.bool_]:
        if self.country is None or days <= 0:
            return np.zeros(max(days, 0), dtype=bool)
        years = tuple(range(start.year, (start + timedelta(days=days)).year + 1))
        known = _holidays(self.country, self.subdiv, years)
        return np.array([(start + timedelta(days=i)) in known for i in range(days)], dtype=bool)


@lru_cache(maxsize=64)
def _holidays(country: str, subdiv: str | None, years: tuple[int, ...]) -> frozenset[date]:
    return frozenset(holidays_lib.country_holidays(country, subdiv=subdiv, years=years).keys())


def weekdays(start: date, days: int) -> NDArray[np.int64]:
    """Monday = 0 … Sunday = 6, for each day from ``start``."""
    return (start.weekday() + np.arange(days)) % 7
