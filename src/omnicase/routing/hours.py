"""Is a team open now? Weekly hours per team (``team_hours``), in the team's timezone.

This is deliberately small: the SLA engine builds business-hours calendars with public
holidays and one-off closures. :func:`is_open` is the hook: once a team has a calendar,
ask it here first (a closed day there means closed), and keep weekly hours as the
fallback for teams without one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HHMM = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")


def minutes(hhmm: str) -> int:
    match = _HHMM.match(hhmm)
    if match is None:
        raise ValueError(f"{hhmm!r} is not HH:MM")
    value = int(match.group(1)) * 60 + int(match.group(2))
    if value > 24 * 60:
        raise ValueError(f"{hhmm!r} is after 24:00")
    return value


def validate_weekly(weekly: Mapping[str, Sequence[Sequence[str]]]) -> list[str]:
    """Problems with a weekly table, each naming the day and why (empty = valid)."""
    problems: list[str] = []
    for day, spans in weekly.items():
        if day not in DAYS:
            problems.append(f"{day}: not a day (use {', '.join(DAYS)})")
            continue
        previous_end = -1
        for span in spans:
            if len(span) != 2:
                problems.append(f"{day}: each span is [opens, closes]")
                continue
            try:
                start, end = minutes(span[0]), minutes(span[1])
            except ValueError as exc:
                problems.append(f"{day}: {exc}")
                continue
            if end <= start:
                problems.append(f"{day}: {span[0]}-{span[1]} closes before it opens")
            elif start < previous_end:
                problems.append(f"{day}: {span[0]}-{span[1]} overlaps the span before")
            previous_end = max(previous_end, end)
    return problems


def is_open(
    weekly: Mapping[str, Sequence[Sequence[str]]] | None, timezone: str, at: datetime
) -> bool:
    """Open at ``at``; a team without hours is always open (nothing to overflow)."""
    if not weekly:
        return True
    local = at.astimezone(ZoneInfo(timezone))
    now = local.hour * 60 + local.minute
    for start, end in weekly.get(DAYS[local.weekday()], ()):
        if minutes(start) <= now < minutes(end):
            return True
    return False
