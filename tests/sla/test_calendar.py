"""Business-time arithmetic: weekends, French public holidays (Alsace-Moselle's too), DST."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from omnicase.sla.calendar import BusinessCalendar, CalendarError, compiled, parse_spec
from omnicase.sla.policies import DEFAULT_WEEKLY

PARIS = ZoneInfo("Europe/Paris")
DAY = 24 * 3600


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)  # type: ignore[misc]


def calendar(**kw: object) -> BusinessCalendar:
    kw.setdefault("timezone", "Europe/Paris")
    kw.setdefault("weekly", DEFAULT_WEEKLY)
    kw.setdefault("country", "FR")
    return compiled(parse_spec(**kw))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("arrival", "due", "why"),
    [
        # 10 min Fri, 9 h Mon 30 Mar (clocks went forward on Sunday 29), 9 h Tue, 5h50 Wed
        (paris(2026, 3, 27, 17, 50), paris(2026, 4, 1, 14, 50), "weekend + spring DST"),
        # Easter Monday 6 Apr is closed: Fri 10 min, Tue, Wed, Thu until 14:50
        (paris(2026, 4, 3, 17, 50), paris(2026, 4, 9, 14, 50), "Easter Monday"),
        # 11 November (a Wednesday) is closed
        (paris(2026, 11, 6, 17, 50), paris(2026, 11, 12, 14, 50), "Armistice Day"),
        # clocks go back on Sunday 25 Oct: still 14:50 local, now UTC+1
        (paris(2026, 10, 23, 17, 50), paris(2026, 10, 28, 14, 50), "weekend + autumn DST"),
        # arriving on a Saturday: the target starts on Monday at 9:00
        (paris(2026, 11, 7, 9, 0), paris(2026, 11, 12, 15, 0), "Saturday + 11 Nov"),
    ],
)
def test_a_24_business_hour_target_from_friday_evening(
    arrival: datetime, due: datetime, why: str
) -> None:
    cal = calendar()
    got = cal.add(arrival, DAY)
    assert got == due, why
    assert got.tzinfo is UTC
    assert cal.between(arrival, got) == DAY
    assert cal.is_open_at(got - timedelta(seconds=1))


def test_the_autumn_dst_due_time_is_in_winter_time() -> None:
    got = calendar().add(paris(2026, 10, 23, 17, 50), DAY)
    assert got.isoformat() == "2026-10-28T13:50:00+00:00"  # 14:50 CET


def test_alsace_moselle_closes_on_good_friday_and_26_december() -> None:
    national = calendar()
    for name in ("Alsace-Moselle", "57", "67", "68", "Moselle", "Alsace"):
        local = calendar(subdivision=name)
        assert not local.is_open_at(paris(2026, 4, 3, 10, 0)), name  # Good Friday
        assert not local.is_open_at(paris(2030, 12, 26, 10, 0)), name  # a Thursday
    assert national.is_open_at(paris(2026, 4, 3, 10, 0))
    assert national.is_open_at(paris(2030, 12, 26, 10, 0))
    # Friday 3 April 17:50 in Strasbourg: nothing counts before Tuesday 9:00 (Easter Mon.)
    assert calendar(subdivision="67").add(paris(2026, 4, 3, 17, 50), DAY) == paris(
        2026, 4, 9, 15, 0
    )


def test_overseas_departments_have_their_own_holidays() -> None:
    reunion = compiled(
        parse_spec(
            timezone="Indian/Reunion",
            weekly=DEFAULT_WEEKLY,
            country="FR",
            subdivision="974",
        )
    )
    at = datetime(2027, 12, 20, 10, 0, tzinfo=ZoneInfo("Indian/Reunion"))  # a Monday
    assert not reunion.is_open_at(at)  # abolition of slavery, La Réunion
    assert calendar().is_open_at(paris(2027, 12, 20, 10, 0))


def test_several_ranges_a_day_and_other_countries() -> None:
    cal = calendar(
        timezone="Europe/London",
        country="GB",
        subdivision="ENG",
        weekly={"mon": [["09:00", "12:00"], ["13:00", "17:00"]], "sat": [["10:00", "14:00"]]},
    )
    london = ZoneInfo("Europe/London")
    monday = datetime(2026, 11, 2, 11, 0, tzinfo=london)
    assert cal.add(monday, 2 * 3600) == datetime(2026, 11, 2, 14, 0, tzinfo=london)
    assert not cal.is_open_at(monday.replace(hour=12, minute=30))
    # Monday 17:00 → Saturday 10:00: the next open hour
    assert cal.add(monday.replace(hour=16), 2 * 3600) == datetime(2026, 11, 7, 11, 0, tzinfo=london)
    # Christmas Day 2026 is a Friday; Boxing Day (substitute Monday 28) is closed in England
    assert not cal.is_open_at(datetime(2026, 12, 28, 10, 0, tzinfo=london))


def test_closures_and_exceptional_openings() -> None:
    cal = calendar(
        closures=[
            {"date": "2026-12-24", "hours": [["14:00", "24:00"]]},
            {"date": "2026-12-28", "until": "2026-12-31", "note": "inventory"},
        ],
        openings=[{"date": "2026-12-20", "hours": [["10:00", "16:00"]]}],  # a Sunday
    )
    assert cal.is_open_at(paris(2026, 12, 24, 13, 0))
    assert not cal.is_open_at(paris(2026, 12, 24, 15, 0))
    assert cal.is_open_at(paris(2026, 12, 20, 11, 0))
    # Thursday 24 Dec 13:00 + 2 h: 1 h that day, then 25 (Christmas), weekend, 28-31
    # closed, 1 Jan: holiday → Monday 4 January 10:00
    assert cal.add(paris(2026, 12, 24, 13, 0), 2 * 3600) == paris(2027, 1, 4, 10, 0)


def test_round_the_clock_calendar_across_dst_counts_real_seconds() -> None:
    cal = calendar(
        country=None,
        weekly={d: [["00:00", "24:00"]] for d in DEFAULT_WEEKLY}
        | {
            "sat": [["00:00", "24:00"]],
            "sun": [["00:00", "24:00"]],
        },
    )
    start = paris(2026, 10, 24, 12, 0)
    # the night of 24-25 October has 25 hours: a day later is 11:00 local
    assert cal.add(start, DAY) == paris(2026, 10, 25, 11, 0)
    assert cal.between(start, paris(2026, 10, 25, 12, 0)) == DAY + 3600


def test_fast_enough_to_run_per_case() -> None:
    cal = calendar()
    start = paris(2026, 11, 6, 17, 50)
    cal.add(start, DAY)  # lays out the years once
    import time

    t0 = time.perf_counter()
    for i in range(20_000):
        cal.add(start + timedelta(minutes=i), DAY)
    per_call = (time.perf_counter() - t0) / 20_000
    assert per_call < 100e-6  # ~5 µs here; generous for a loaded machine


@pytest.mark.parametrize(
    ("kw", "field", "reason"),
    [
        ({"weekly": {"mon": [["18:00", "09:00"]]}}, "weekly.mon[0]", "ends before it starts"),
        (
            {"weekly": {"tue": [["09:00", "13:00"], ["12:00", "18:00"]]}},
            "weekly.tue",
            "09:00-13:00 and 12:00-18:00 overlap",
        ),
        ({"weekly": {"mon": [["9h", "18:00"]]}}, "weekly.mon[0]", "not a time"),
        ({"weekly": {"lundi": [["09:00", "18:00"]]}}, "weekly", "unknown day"),
        ({"weekly": {}}, "weekly", "never open"),
        ({"country": "ZZ"}, "country", "no public holidays known"),
        ({"subdivision": "99"}, "subdivision", "no subdivision '99'"),
        ({"timezone": "Europe/Lutece"}, "timezone", "unknown timezone"),
        ({"closures": [{"date": "2026-13-01"}]}, "closures[0].date", "not a date"),
        ({"openings": [{"date": "2026-12-20"}]}, "openings[0].hours", "needs its hours"),
    ],
)
def test_invalid_calendars_are_refused_with_the_reason(
    kw: dict[str, object], field: str, reason: str
) -> None:
    args: dict[str, object] = {
        "timezone": "Europe/Paris",
        "weekly": DEFAULT_WEEKLY,
        "country": "FR",
    }
    args.update(kw)
    with pytest.raises(CalendarError) as err:
        parse_spec(**args)  # type: ignore[arg-type]
    assert err.value.field == field
    assert reason in err.value.reason
