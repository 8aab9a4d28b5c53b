"""The generated history looks like a contact centre's: each channel's own hours and
days, holidays, events, growth, and the same series for the same seed."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np

from omnicase.wfm.events import Event
from omnicase.wfm.grid import HolidayCalendar
from omnicase.wfm.series import generate

MONDAY = date(2026, 3, 2)


def _hourly(channel: str, **kw: object) -> np.ndarray:
    s = generate(channel, start=MONDAY, days=28, seed=3, **kw)  # type: ignore[arg-type]
    return s.contacts.reshape(28, 24, 2).sum(2)  # day × hour


def test_same_seed_same_series_and_different_seed_differs() -> None:
    a = generate("phone", start=MONDAY, days=14, seed=1)
    b = generate("phone", start=MONDAY, days=14, seed=1)
    c = generate("phone", start=MONDAY, days=14, seed=2)
    assert np.array_equal(a.contacts, b.contacts) and a.aht is not None
    assert not np.array_equal(a.contacts, c.contacts)
    assert (a.contacts >= 0).all() and np.array_equal(a.contacts, np.round(a.contacts))


def test_each_channel_has_its_own_hours_and_days() -> None:
    phone = _hourly("phone")
    weekday_profile = phone[[d for d in range(28) if d % 7 < 5]].mean(0)
    peaks = set(np.argsort(weekday_profile)[-4:])
    assert peaks <= {9, 10, 14, 15}, peaks  # 9-11 h and 14-16 h
    assert phone[6::7].sum() < 0.1 * phone[0::7].sum()  # Sunday nearly closed

    chat = _hourly("chat")
    assert 19 <= int(np.argmax(chat.mean(0))) <= 21  # evenings
    email = _hourly("email")
    assert (email.mean(0) > 0).sum() == 24  # spread round the clock
    social = _hourly("social")
    weekend, weekdays = (
        social[[d for d in range(28) if d % 7 >= 5]],
        social[[d for d in range(28) if d % 7 < 5]],
    )
    assert weekend.sum(1).mean() > 1.2 * weekdays.sum(1).mean()
    assert int(np.argmax(social.mean(0))) >= 19


def test_holidays_campaigns_ramp_and_growth_move_the_volume() -> None:
    easter_monday = date(2026, 4, 6)
    start = easter_monday - timedelta(days=7)
    with_h = generate("phone", start=start, days=14, seed=5)
    without = generate("phone", start=start, days=14, seed=5, calendar=HolidayCalendar(None))
    day = with_h.contacts.reshape(14, 48).sum(1)
    assert day[7] < 0.35 * day[0]  # Easter Monday vs the Monday before
    assert without.contacts.reshape(14, 48).sum(1)[7] > 0.7 * day[0]

    campaign = Event("campaign", MONDAY + timedelta(days=7), MONDAY + timedelta(days=13), 0.5)
    c = generate("email", start=MONDAY, days=21, seed=7, events=(campaign,))
    weeks = c.contacts.reshape(3, -1).sum(1)
    assert weeks[1] > 1.35 * weeks[0] and weeks[1] > 1.35 * weeks[2]

    ramp = Event("ramp", MONDAY + timedelta(days=7), MONDAY + timedelta(days=34))
    r = generate("chat", start=MONDAY, days=42, seed=2, events=(ramp,))
    weekly = r.contacts.reshape(6, -1).sum(1)
    assert weekly[0] == 0 and weekly[1] < weekly[2] < weekly[3] < weekly[4]

    grow = generate("email", start=MONDAY, days=364, seed=4, growth_per_year=0.5)
    first, last = grow.contacts[: 28 * 48].sum(), grow.contacts[-28 * 48 :].sum()
    assert 1.3 < last / first < 1.7
