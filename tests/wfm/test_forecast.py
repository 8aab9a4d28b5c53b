"""The profile forecast: beats seasonal naive on realistic series, falls back (and says
so) when it does not or cannot be checked, and moves with holidays and declared events."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pytest

from omnicase.benchmarks.forecast import EVALUATION_SEEDS, TUNING_SEEDS, suite
from omnicase.wfm.backtest import rolling_origin, seasonal_naive, wape
from omnicase.wfm.events import Event
from omnicase.wfm.forecast import REQUIRED_IMPROVEMENT, fit, forecast
from omnicase.wfm.grid import HolidayCalendar, Series
from omnicase.wfm.series import generate

MONDAY = date(2026, 1, 5)


def test_tuning_and_evaluation_seeds_never_overlap() -> None:
    assert not set(TUNING_SEEDS) & set(EVALUATION_SEEDS)


@pytest.mark.parametrize("seed", EVALUATION_SEEDS[:3])
def test_beats_seasonal_naive_by_ten_percent_on_generated_series(seed: int) -> None:
    """Every channel, with holidays, campaigns, a launch or a ramp-up (evaluation seeds)."""
    for case in suite(seed):
        result = forecast(case.series, 7, events=case.events)
        assert result.backtest is not None
        assert result.method == "profile", (case.label, result.reason)
        assert result.backtest.improvement >= REQUIRED_IMPROVEMENT, case.label
        assert result.backtest.model.mase < result.backtest.naive.mase
        assert "better" in result.reason
        aht = result.backtest.model.aht_wape
        assert aht is not None and aht < result.backtest.naive.aht_wape  # type: ignore[operator]


def test_falls_back_on_too_short_history() -> None:
    s = generate("phone", start=MONDAY, days=35, seed=1)
    result = forecast(s, 7)
    assert result.method == "seasonal_naive" and result.backtest is None
    assert "too short" in result.reason and "56 needed" in result.reason
    last_week = s.contacts[-7 * 48 :]
    assert np.array_equal(result.contacts, last_week)
    with pytest.raises(ValueError, match="at least 7"):
        forecast(s.head(6), 7)


def test_falls_back_when_noise_repeats_weekly() -> None:
    """A random pattern repeated every week is exactly what seasonal naive predicts: the
    profile model (which smooths and pools) cannot be 10 % better and must say so."""
    rng = np.random.default_rng(0)
    week = rng.poisson(rng.uniform(0, 40, 7 * 48)).astype(float)
    s = Series("chat", MONDAY, 30, np.tile(week, 10))
    result = forecast(s, 7, calendar=HolidayCalendar(None))
    assert result.method == "seasonal_naive"
    assert result.backtest is not None and result.backtest.naive.wape == 0
    assert "fell back" in result.reason


def test_decision_follows_the_backtest_on_pure_noise() -> None:
    """White noise with no pattern: whatever wins, the rule is the one stated."""
    rng = np.random.default_rng(1)
    s = Series("email", MONDAY, 30, rng.poisson(3.0, 70 * 48).astype(float))
    result = forecast(s, 7, calendar=HolidayCalendar(None))
    assert result.backtest is not None
    better = result.backtest.improvement >= REQUIRED_IMPROVEMENT
    assert result.method == ("profile" if better else "seasonal_naive")
    all_zero = Series("sms", MONDAY, 30, np.zeros(70 * 48))
    assert forecast(all_zero, 7).method == "seasonal_naive"


def test_holidays_lower_the_forecast_and_take_sundays_shape() -> None:
    start = date(2025, 12, 29)
    history = generate("phone", start=start, days=14 * 7, seed=11)  # to 5 April
    assert history.start + timedelta(days=history.days) == date(2026, 4, 6)  # Easter Monday
    f = forecast(history, 8)
    plain = forecast(history, 8, calendar=HolidayCalendar(None))
    day = f.contacts.reshape(8, 48).sum(1)
    assert day[0] < 0.5 * day[7]  # Easter Monday vs the next Monday
    assert plain.contacts.reshape(8, 48).sum(1)[0] > 0.8 * day[7]
    assert f.model is not None and 0.05 < f.model.holiday < 0.4  # learnt from 1 January


def test_declared_events_move_the_forecast_and_history() -> None:
    start = MONDAY
    history = generate("email", start=start, days=70, seed=5)
    after = start + timedelta(days=70)
    campaign = Event("campaign", after + timedelta(days=7), after + timedelta(days=13), 0.4)
    base = forecast(history, 14).contacts.reshape(2, -1).sum(1)
    lifted = forecast(history, 14, events=(campaign,)).contacts.reshape(2, -1).sum(1)
    assert lifted[0] == pytest.approx(base[0])
    assert lifted[1] == pytest.approx(base[1] * 1.4)

    # A campaign in the history, declared, is divided out instead of raising the level.
    past = Event("campaign", start + timedelta(days=56), start + timedelta(days=69), 0.6)
    boosted = generate("email", start=start, days=70, seed=5, events=(past,))
    declared = fit(boosted, (past,)).predict(7)[0].sum()
    undeclared = fit(boosted).predict(7)[0].sum()
    truth = fit(history).predict(7)[0].sum()
    assert abs(declared / truth - 1) < 0.08 < abs(undeclared / truth - 1)

    ramp = Event("ramp", start, start + timedelta(days=76), channels=("chat",))
    new_channel = generate("chat", start=start, days=63, seed=2, events=(ramp,))
    f = forecast(new_channel, 14, events=(ramp,))
    weeks = f.contacts.reshape(2, -1).sum(1)
    assert weeks[1] > weeks[0] * 1.05  # still ramping up in week 1, full in week 2
    other = forecast(generate("phone", start=start, days=63, seed=2), 7, events=(ramp,))
    assert other.contacts.sum() > 0  # the ramp names chat only


def test_aht_forecast_follows_the_channel() -> None:
    history = generate("chat", start=MONDAY, days=70, seed=8)
    f = forecast(history, 7)
    assert f.aht is not None
    busy = f.contacts > 5
    assert np.average(f.aht[busy], weights=f.contacts[busy]) == pytest.approx(540 * 1.05, rel=0.08)


def test_backtest_scores_are_what_they_say() -> None:
    s = generate("phone", start=MONDAY, days=70, seed=3)
    perfect = rolling_origin(s, lambda train, days: (s.window(train.days, days).contacts, None))
    assert perfect.model.wape == 0 and perfect.model.mase == 0
    naive = rolling_origin(s, seasonal_naive)
    assert naive.model == naive.naive and naive.improvement == 0
    y = np.array([10.0, 0.0, 10.0])
    assert wape(y, np.array([5.0, 5.0, 10.0])) == pytest.approx(0.5)
