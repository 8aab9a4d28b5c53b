"""Contact history from a CSV file: ``interval_start,channel,contacts[,aht_seconds]``.

``interval_start`` is the brand's local time (``2026-03-02T09:30``); one with an offset
(``…+01:00``) is converted to ``timezone`` first. Intervals with no row have no contacts,
so a sparse export is fine. Every bad line is reported (line, field, reason), up to
``MAX_ERRORS``, and nothing is returned unless the whole file is valid.
"""

from __future__ import annotations

import csv
import io
import math
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import numpy as np

from omnicase.wfm.grid import CHANNELS, INTERVALS, Series, per_day

REQUIRED_COLUMNS = ("interval_start", "channel", "contacts")
MAX_ERRORS = 50
#: Channels a history may name: the store's nine, and "social" for a pooled planning line.
KNOWN_CHANNELS = (*CHANNELS, "social")


@dataclass(frozen=True)
class LineError:
    line: int  # 1 = header
    field: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.field}: {self.reason}"


class HistoryError(ValueError):
    def __init__(self, errors: list[LineError]) -> None:
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors[:5]))


@dataclass
class _Row:
    at: datetime
    contacts: float
    aht: float | None


def read_history_csv(
    text: str, *, interval_minutes: int = 30, timezone: str = "Europe/Paris"
) -> dict[str, Series]:
    """One Series per channel, all over the same whole days (first to last day seen)."""
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in (reader.fieldnames or [])]
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise HistoryError([LineError(1, c, "missing column") for c in missing])
    reader.fieldnames = header
    return read_history_rows(
        enumerate(reader, start=2),
        interval_minutes=interval_minutes,
        timezone=timezone,
        has_aht="aht_seconds" in header,
    )


def read_history_rows(
    rows: Iterable[tuple[int, Mapping[str, str | None]]],
    *,
    interval_minutes: int = 30,
    timezone: str = "Europe/Paris",
    has_aht: bool = True,
) -> dict[str, Series]:
    """The same from ``(line, row)`` pairs of strings (the API numbers its rows from 0)."""
    if interval_minutes not in INTERVALS:
        raise HistoryError([LineError(0, "interval_minutes", "must be 15 or 30")])
    try:
        tz = ZoneInfo(timezone)
    except (ValueError, KeyError):  # ZoneInfoNotFoundError is a KeyError (found by fuzzing)
        raise ValueError("timezone: not an IANA time zone") from None
    errors: list[LineError] = []
    by_channel: dict[str, dict[datetime, _Row]] = defaultdict(dict)
    line = 0
    for line, raw in rows:
        row = _parse(raw, line, interval_minutes, tz, has_aht, errors)
        if row is None:
            continue
        channel = (raw.get("channel") or "").strip()
        if row.at in by_channel[channel]:
            errors.append(
                LineError(
                    line,
                    "interval_start",
                    f"{row.at:%Y-%m-%dT%H:%M} appears twice for {channel}",
                )
            )
        by_channel[channel][row.at] = row
        if len(errors) >= MAX_ERRORS:
            break
    if errors:
        raise HistoryError(errors)
    if not by_channel:
        raise HistoryError([LineError(line + 1, "contacts", "no data rows")])
    first = min(min(r) for r in by_channel.values()).date()
    last = max(max(r) for r in by_channel.values()).date()
    return {
        ch: _series(ch, by_at, first, last, interval_minutes, has_aht)
        for ch, by_at in sorted(by_channel.items())
    }


def _parse(
    raw: Mapping[str, str | None],
    line: int,
    interval_minutes: int,
    tz: ZoneInfo,
    has_aht: bool,
    errors: list[LineError],
) -> _Row | None:
    before = len(errors)
    channel = (raw.get("channel") or "").strip()
    if channel not in KNOWN_CHANNELS:
        errors.append(
            LineError(
                line, "channel", f"unknown channel {channel!r} (one of {', '.join(KNOWN_CHANNELS)})"
            )
        )
    at = _when(raw.get("interval_start"), line, interval_minutes, tz, errors)
    contacts = _number(raw.get("contacts"), line, "contacts", errors)
    if contacts is not None and contacts < 0:
        errors.append(LineError(line, "contacts", "must not be negative"))
    aht = None
    if has_aht and (raw.get("aht_seconds") or "").strip():
        aht = _number(raw.get("aht_seconds"), line, "aht_seconds", errors)
        if aht is not None and aht <= 0 and (contacts or 0) > 0:
            errors.append(LineError(line, "aht_seconds", "must be above 0 when contacts > 0"))
    if len(errors) > before or at is None or contacts is None:
        return None
    return _Row(at, contacts, aht)


def _when(
    value: str | None, line: int, interval_minutes: int, tz: ZoneInfo, errors: list[LineError]
) -> datetime | None:
    text = (value or "").strip()
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        errors.append(LineError(line, "interval_start", f"not an ISO date-time: {text!r}"))
        return None
    if at.tzinfo is not None:
        at = at.astimezone(tz).replace(tzinfo=None)
    if at.second or at.microsecond or at.minute % interval_minutes:
        errors.append(
            LineError(
                line, "interval_start", f"{text} is not on the {interval_minutes}-minute grid"
            )
        )
        return None
    return at


def _number(value: str | None, line: int, name: str, errors: list[LineError]) -> float | None:
    text = (value or "").strip()
    try:
        number = float(text)
    except ValueError:
        errors.append(LineError(line, name, f"not a number: {text!r}"))
        return None
    if not math.isfinite(number):
        errors.append(LineError(line, name, f"not a finite number: {text!r}"))
        return None
    return number


def _series(
    channel: str,
    by_at: dict[datetime, _Row],
    first: date,
    last: date,
    interval_minutes: int,
    has_aht: bool,
) -> Series:
    n = ((last - first).days + 1) * per_day(interval_minutes)
    contacts = np.zeros(n)
    aht = np.zeros(n) if has_aht else None
    origin = datetime.combine(first, datetime.min.time())
    step = timedelta(minutes=interval_minutes)
    for at, row in by_at.items():
        i = (at - origin) // step
        contacts[i] = row.contacts
        if aht is not None and row.aht is not None:
            aht[i] = row.aht
    return Series(channel, first, interval_minutes, contacts, aht)


def write_forecast_csv(series: list[Series]) -> str:
    """The CSV a forecast is handed back in: the same columns as the history."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["interval_start", "channel", "contacts", "aht_seconds"])
    for s in series:
        aht = s.aht if s.aht is not None else np.zeros(len(s.contacts))
        for at, c, a in zip(s.interval_starts(), s.contacts, aht, strict=True):
            writer.writerow([f"{at:%Y-%m-%dT%H:%M}", s.channel, f"{c:.2f}", f"{a:.1f}"])
    return out.getvalue()
