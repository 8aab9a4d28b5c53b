"""Declared events that move volume on known days: a campaign's uplift, a product launch's
decaying surge, a new channel's ramp-up. The generator applies them to make history and
the forecast divides them out of history and multiplies them into the future, so one
definition serves both."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

import numpy as np

from omnicase.wfm.grid import FloatArray

EventKind = Literal["campaign", "launch", "ramp"]


@dataclass(frozen=True)
class Event:
    """``campaign``: volume × (1 + uplift) from ``start`` to ``end`` inclusive.
    ``launch``: × (1 + uplift) on ``start``, decaying linearly to × 1 after ``end``.
    ``ramp``: a new channel: nothing before ``start``, rising linearly to full volume on
    ``end`` (``uplift`` unused). ``channels`` empty = every channel."""

    kind: EventKind
    start: date
    end: date
    uplift: float = 0.0
    channels: tuple[str, ...] = ()
    name: str = ""

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError("end: before start")
        if self.kind != "ramp" and self.uplift <= -1:
            raise ValueError("uplift: must be above -1 (-100 % would mean no contacts)")

    def applies_to(self, channel: str) -> bool:
        return not self.channels or channel in self.channels

    def multiplier(self, start: date, days: int) -> FloatArray:
        offset = np.arange(days) + (start - self.start).days
        span = (self.end - self.start).days + 1
        inside = (offset >= 0) & (offset < span)
        out = np.ones(days)
        if self.kind == "campaign":
            out[inside] = 1.0 + self.uplift
        elif self.kind == "launch":
            out[inside] = 1.0 + self.uplift * (1.0 - offset[inside] / span)
        else:
            out[offset < 0] = 0.0
            out[inside] = (offset[inside] + 1) / span
        return out


def day_multipliers(events: tuple[Event, ...], channel: str, start: date, days: int) -> FloatArray:
    """The product of every event's multiplier on each day for ``channel``."""
    out = np.ones(days)
    for event in events:
        if event.applies_to(channel):
            out *= event.multiplier(start, days)
    return out
