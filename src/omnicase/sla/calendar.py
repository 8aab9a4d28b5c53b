"""Business-hours calendars: when a brand's team is at work, as instants (no database).

A calendar is a timezone, weekly hours (several ranges a day), the public holidays of a
country (and subdivision: Alsace-Moselle, the overseas departments…) from the
``holidays`` package, one-off closures and exceptional openings. Service-level targets
in business time are counted on it: :meth:`BusinessCalendar.add` (the due time of a
target), :meth:`BusinessCalendar.between` (business seconds elapsed) and
:meth:`BusinessCalendar.is_open_at`.

Speed matters (it runs per case, in the ingestion transaction): the open intervals of
whole years are laid out once as sorted UTC epoch seconds with the open seconds before
each one, so every question is a bisection. Local wall-clock hours are turned into
instants day by day through ``zoneinfo``, which is what makes DST days come out right
(9:00-18:00 is 9 hours on the day clocks change, and 9:00 means 9:00 after the switch).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import lru_cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60
#: How far ahead a due time is looked for before the calendar is declared never open.
MAX_YEARS_AHEAD = 10

#: Names people use that the ``holidays`` package spells another way. Alsace-Moselle's
#: local law (Good Friday, 26 December) is subdivision "57" (Moselle) or "6AE" (the
#: Collectivité européenne d'Alsace, départements 67 and 68): the same holidays.
SUBDIVISION_ALIASES: dict[tuple[str, str], str] = {
    ("FR", "ALSACE-MOSELLE"): "57",
    ("FR", "ALSACE MOSELLE"): "57",
    ("FR", "67"): "6AE",
    ("FR", "68"): "6AE",
    ("FR", "BAS-RHIN"): "6AE",
    ("FR", "HAUT-RHIN"): "6AE",
}


class CalendarError(ValueError):
    """A calendar that cannot be used as given; ``field`` names the part at fault."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


@dataclass(frozen=True, slots=True, order=True)
class Hours:
    """A range of one day, in minutes from local midnight (``end`` may be 1440)."""

    start: int
    end: int

    def label(self) -> str:
        return f"{_hhmm(self.start)}-{_hhmm(self.end)}"


@dataclass(frozen=True, slots=True)
class DayRule:
    """A closure (``hours`` closed; none = the whole day) or an exceptional opening
    (``hours`` open instead of the usual ones, holiday or not)."""

    day: date
    hours: tuple[Hours, ...] = ()


@dataclass(frozen=True, slots=True)
class CalendarSpec:
    timezone: str
    #: Seven tuples of ranges, Monday first.
    weekly: tuple[tuple[Hours, ...], ...]
    country: str | None = None
    subdivision: str | None = None
    closures: tuple[DayRule, ...] = ()
    openings: tuple[DayRule, ...] = ()


# ---- parsing and validation ---------------------------------------------------------------


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_time(value: Any, where: str, *, end: bool = False) -> int:
    """``"09:30"`` → 570; ``"24:00"`` only as the end of a range."""
    if not isinstance(value, str) or len(value) != 5 or value[2] != ":":
        raise CalendarError(where, f"{value!r} is not a time written HH:MM")
    try:
        hh, mm = int(value[:2]), int(value[3:])
    except ValueError:
        raise CalendarError(where, f"{value!r} is not a time written HH:MM") from None
    if mm > 59 or hh > 24 or (hh == 24 and (mm or not end)):
        raise CalendarError(where, f"{value!r} is not a time of day")
    return hh * 60 + mm


def parse_ranges(value: Any, where: str) -> tuple[Hours, ...]:
    """``[["09:00", "12:30"], ["14:00", "18:00"]]``: refused when a range ends before it
    starts or two ranges overlap (an overnight shift is two ranges on two days)."""
    if not isinstance(value, list | tuple):
        raise CalendarError(where, 'expected a list of ["HH:MM", "HH:MM"] ranges')
    ranges = []
    for i, pair in enumerate(value):
        at = f"{where}[{i}]"
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise CalendarError(at, 'expected ["HH:MM", "HH:MM"]')
        start, stop = parse_time(pair[0], at), parse_time(pair[1], at, end=True)
        if stop <= start:
            raise CalendarError(
                at, f"{pair[0]}-{pair[1]} ends before it starts (split a night into two days)"
            )
        ranges.append(Hours(start, stop))
    ranges.sort()
    for before, after in itertools.pairwise(ranges):
        if after.start < before.end:
            raise CalendarError(where, f"{before.label()} and {after.label()} overlap")
    return tuple(ranges)


def parse_weekly(value: Any) -> tuple[tuple[Hours, ...], ...]:
    if not isinstance(value, Mapping):
        raise CalendarError("weekly", 'expected {"mon": [["09:00", "18:00"]], ...}')
    unknown = sorted(set(value) - set(WEEKDAYS))
    if unknown:
        raise CalendarError("weekly", f"unknown day {unknown[0]!r} (use {', '.join(WEEKDAYS)})")
    weekly = tuple(parse_ranges(value.get(day, []), f"weekly.{day}") for day in WEEKDAYS)
    return weekly


def resolve_holidays(country: str | None, subdivision: str | None) -> tuple[str | None, str | None]:
    """The country and subdivision codes the ``holidays`` package knows, or a
    :class:`CalendarError` naming what it does not know."""
    if country is None:
        if subdivision is not None:
            raise CalendarError("subdivision", "a subdivision needs a country")
        return None, None
    import holidays  # here, not at import: 0.3 s that web processes need not pay to start

    code = country.strip().upper()
    try:  # not list_supported_countries(): it imports every country's module (0.4 s)
        known = holidays.country_holidays(code, years=2026)
    except NotImplementedError:
        raise CalendarError(
            "country", f"no public holidays known for country {country!r}"
        ) from None
    if subdivision is None:
        return code, None
    sub = SUBDIVISION_ALIASES.get((code, subdivision.strip().upper()), subdivision.strip())
    try:
        holidays.country_holidays(code, subdiv=sub, years=2026)
    except NotImplementedError:
        names = ", ".join(type(known).subdivisions) or "none"
        raise CalendarError(
            "subdivision", f"{country} has no subdivision {subdivision!r} (known: {names})"
        ) from None
    return code, sub


def _parse_day(value: Any, where: str) -> date:
    if not isinstance(value, str):
        raise CalendarError(where, "expected a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CalendarError(where, f"{value!r} is not a date written YYYY-MM-DD") from None


def parse_day_rules(value: Any, where: str, *, opening: bool) -> tuple[DayRule, ...]:
    """Closures: ``{"date": "2026-12-24", "hours": [["14:00", "24:00"]]}`` (no hours: the
    whole day; ``"until": "2026-12-31"`` for several whole days). Openings: ``{"date": …,
    "hours": […]}`` (hours required)."""
    if not isinstance(value, list | tuple):
        raise CalendarError(where, "expected a list")
    rules: list[DayRule] = []
    for i, item in enumerate(value):
        at = f"{where}[{i}]"
        if not isinstance(item, Mapping):
            raise CalendarError(at, 'expected {"date": "YYYY-MM-DD", ...}')
        unknown = sorted(set(item) - {"date", "until", "hours", "note"})
        if unknown:
            raise CalendarError(at, f"unknown key {unknown[0]!r}")
        first = _parse_day(item.get("date"), f"{at}.date")
        hours = parse_ranges(item.get("hours", []), f"{at}.hours")
        if opening and not hours:
            raise CalendarError(f"{at}.hours", "an opening needs its hours")
        last = first
        if "until" in item:
            if opening or hours:
                raise CalendarError(f"{at}.until", "only a whole-day closure spans several days")
            last = _parse_day(item["until"], f"{at}.until")
            if last < first:
                raise CalendarError(f"{at}.until", "ends before it starts")
            if (last - first).days > 366:
                raise CalendarError(f"{at}.until", "a closure lasts at most a year")
        day = first
        while day <= last:
            rules.append(DayRule(day, hours))
            day += timedelta(days=1)
    seen: set[date] = set()
    for rule in rules:
        if rule.day in seen:
            raise CalendarError(where, f"{rule.day.isoformat()} is given twice")
        seen.add(rule.day)
    return tuple(rules)


def parse_spec(
    *,
    timezone: str,
    weekly: Any,
    country: str | None = None,
    subdivision: str | None = None,
    closures: Any = (),
    openings: Any = (),
) -> CalendarSpec:
    """A checked :class:`CalendarSpec` from the stored/JSON form."""
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise CalendarError("timezone", f"unknown timezone {timezone!r}") from None
    week = parse_weekly(weekly)
    code, sub = resolve_holidays(country, subdivision)
    spec = CalendarSpec(
        timezone=timezone,
        weekly=week,
        country=code,
        subdivision=sub,
        closures=parse_day_rules(list(closures), "closures", opening=False),
        openings=parse_day_rules(list(openings), "openings", opening=True),
    )
    if not any(week) and not spec.openings:
        raise CalendarError("weekly", "the calendar is never open")
    return spec


def weekly_json(weekly: Sequence[Sequence[Hours]]) -> dict[str, list[list[str]]]:
    return {
        day: [[_hhmm(h.start), _hhmm(h.end)] for h in ranges]
        for day, ranges in zip(WEEKDAYS, weekly, strict=True)
        if ranges
    }


# ---- arithmetic ---------------------------------------------------------------------------


@lru_cache(maxsize=256)
def _holiday_days(country: str, subdivision: str | None, year: int) -> frozenset[date]:
    import holidays

    return frozenset(holidays.country_holidays(country, subdiv=subdivision, years=year))


def _subtract(hours: tuple[Hours, ...], closed: tuple[Hours, ...]) -> tuple[Hours, ...]:
    out: list[Hours] = []
    for h in hours:
        pieces = [h]
        for c in closed:
            pieces = [
                part
                for p in pieces
                for part in (Hours(p.start, min(p.end, c.start)), Hours(max(p.start, c.end), p.end))
                if part.end > part.start
            ]
        out.extend(pieces)
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Layout:
    """Open intervals of whole years ``years[0]..years[1]`` as epoch seconds, and the open
    seconds before each interval and up to its end. Replaced whole, never changed, so a
    thread reading one while another extends the calendar sees a consistent one."""

    years: tuple[int, int]
    starts: list[float]
    ends: list[float]
    before: list[float]
    upto: list[float]

    def cumulative(self, t: float) -> float:
        i = bisect.bisect_right(self.starts, t) - 1
        if i < 0:
            return 0.0
        return self.before[i] + min(t, self.ends[i]) - self.starts[i]


class BusinessCalendar:
    """A calendar's questions, answered by bisection over its laid-out years."""

    def __init__(self, spec: CalendarSpec) -> None:
        self.spec = spec
        self._tz = ZoneInfo(spec.timezone)
        self._closures = {r.day: r.hours for r in spec.closures}
        self._openings = {r.day: r.hours for r in spec.openings}
        self._layout: _Layout | None = None

    # -- public questions --
    def is_open_at(self, at: datetime) -> bool:
        t = _epoch(at)
        lay = self._cover(t, t)
        i = bisect.bisect_right(lay.starts, t) - 1
        return i >= 0 and t < lay.ends[i]

    def between(self, start: datetime, end: datetime) -> float:
        """Open seconds from ``start`` to ``end`` (negative when ``end`` is earlier)."""
        a, b = _epoch(start), _epoch(end)
        lay = self._cover(min(a, b), max(a, b))
        return lay.cumulative(b) - lay.cumulative(a)

    def add(self, start: datetime, seconds: float) -> datetime:
        """The instant at which ``seconds`` open seconds have passed since ``start``: a
        target counted from an arrival outside hours starts at the next opening."""
        if seconds <= 0:
            return start
        t = _epoch(start)
        lay = self._cover(t, t)
        target = lay.cumulative(t) + seconds
        while lay.upto[-1] < target:
            if lay.years[1] - start.year >= MAX_YEARS_AHEAD:
                raise CalendarError("weekly", "the calendar is never open")
            lay = self._build(lay.years[0], lay.years[1] + 1)
        j = bisect.bisect_left(lay.upto, target)
        return datetime.fromtimestamp(lay.starts[j] + (target - lay.before[j]), UTC)

    def open_intervals(self, day: date) -> list[tuple[datetime, datetime]]:
        """The day's open intervals (for explanations and tests)."""
        return [
            (datetime.fromtimestamp(a, UTC), datetime.fromtimestamp(b, UTC))
            for a, b in self._day_intervals(day)
        ]

    # -- internals --
    def _cover(self, lo: float, hi: float) -> _Layout:
        lay = self._layout
        first = datetime.fromtimestamp(lo, self._tz).year
        last = datetime.fromtimestamp(hi, self._tz).year
        if lay is not None and lay.years[0] <= first and last <= lay.years[1]:
            return lay
        if lay is not None:
            first, last = min(first, lay.years[0]), max(last, lay.years[1])
        # a year either side: a question near New Year, or a target running into January
        return self._build(first - 1, last + 1)

    def _hours_of(self, day: date) -> tuple[Hours, ...]:
        opening = self._openings.get(day)
        if opening is not None:
            hours = opening
        elif self.spec.country and day in _holiday_days(
            self.spec.country, self.spec.subdivision, day.year
        ):
            return ()
        else:
            hours = self.spec.weekly[day.weekday()]
        closed = self._closures.get(day)
        if closed is None:
            return hours
        return _subtract(hours, closed) if closed else ()

    def _day_intervals(self, day: date) -> Iterable[tuple[float, float]]:
        midnight = datetime(day.year, day.month, day.day, tzinfo=self._tz)
        for h in self._hours_of(day):
            # wall-clock arithmetic on an aware datetime: 09:00 is 09:00 local after DST
            start = (midnight + timedelta(minutes=h.start)).timestamp()
            if h.end == DAY_MINUTES:
                nxt = day + timedelta(days=1)
                end = datetime(nxt.year, nxt.month, nxt.day, tzinfo=self._tz).timestamp()
            else:
                end = (midnight + timedelta(minutes=h.end)).timestamp()
            if end > start:
                yield start, end

    def _build(self, first_year: int, last_year: int) -> _Layout:
        starts: list[float] = []
        ends: list[float] = []
        day, stop = date(first_year, 1, 1), date(last_year, 12, 31)
        while day <= stop:
            for a, b in self._day_intervals(day):
                if ends and a <= ends[-1]:  # touching or overlapping: one interval
                    ends[-1] = max(ends[-1], b)
                else:
                    starts.append(a)
                    ends.append(b)
            day += timedelta(days=1)
        before: list[float] = []
        upto: list[float] = []
        total = 0.0
        for a, b in zip(starts, ends, strict=True):
            before.append(total)
            total += b - a
            upto.append(total)
        if not starts:  # never open in these years: one empty interval keeps bisect simple
            starts, ends, before, upto = [0.0], [0.0], [0.0], [0.0]
        lay = _Layout((first_year, last_year), starts, ends, before, upto)
        self._layout = lay
        return lay


def _epoch(at: datetime) -> float:
    if at.tzinfo is None:
        raise ValueError("naive datetime given to a business calendar")
    return at.timestamp()


@lru_cache(maxsize=512)
def compiled(spec: CalendarSpec) -> BusinessCalendar:
    """One laid-out calendar per distinct spec, shared by every case that uses it."""
    return BusinessCalendar(spec)
