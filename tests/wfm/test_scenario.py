"""Outsourcing scenarios (wfm/scenario.py): hand-checkable cases and the situations."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import date
from typing import Any

import numpy as np
import pytest

from omnicase.wfm.errors import WfmInputError
from omnicase.wfm.scenario import (
    ChannelWeek,
    InternalCosts,
    ProviderContract,
    ScenarioSpec,
    run,
)
from omnicase.wfm.scenario_input import (
    ChannelScenarioIn,
    GeneratedIn,
    HistoryIn,
    NewChannelIn,
    ScenarioRequest,
    build_spec,
    demo_request,
)
from omnicase.wfm.staffing import DEFAULT_POLICIES, Demand, staff

N = 336


def _flat_week(per_interval: float = 40.0) -> FloatWeek:
    vol = np.zeros(N)
    for d in range(5):
        vol[d * 48 + 18 : d * 48 + 36] = per_interval  # Mon-Fri 9:00-18:00
        vol[d * 48 + 20 : d * 48 + 24] = 2 * per_interval  # a 10:00-12:00 peak
    return ChannelWeek(vol, np.full(N, 300.0))


FloatWeek = ChannelWeek


def _spec(months: int = 3, growth: float = 0.0, **over: Any) -> ScenarioSpec:
    week = _flat_week()
    base: dict[str, Any] = {
        "situation": "custom",
        "start": date(2027, 1, 1),
        "months": months,
        "interval_minutes": 30,
        "weeks": {"phone": week},
        "policies": DEFAULT_POLICIES,
        "factors": {"phone": (1 + growth) ** np.arange(months)},
        "internal": InternalCosts(attrition_per_month=0.0, ramp_months=0, hiring_cost=0),
        "provider": ProviderContract(price_per_contact=3.0, notice_days=0),
        "simulate": False,
    }
    base.update(over)
    return ScenarioSpec(**base)


def _rows(result: Any, option: str) -> list[Any]:
    return [r for r in result.rows if r.option == option]


def test_flat_single_channel_is_hand_checkable() -> None:
    spec = _spec()
    result = run(spec)
    week = _flat_week()
    plan = staff(
        Demand.of(np.arange(N), ["phone"] * N, week.contacts, week.aht_seconds),
        DEFAULT_POLICIES,
    )
    formula_fte = float(plan.fte_per_week()["total"][0])
    internal = _rows(result, "internal")
    for row in internal:
        assert row.fte_needed == pytest.approx(formula_fte)
        assert row.internal_fte == pytest.approx(formula_fte)  # current staff = the need
        assert row.hires == 0
        assert row.cost_total == pytest.approx(formula_fte * 4200)
        assert row.service_level["phone"] >= 0.8
    outsourced = _rows(result, "outsourced")
    weekly = float(week.contacts.sum())
    for row, days in zip(outsourced, (31, 28, 31), strict=True):
        assert row.internal_fte == 0 and row.provider_share == pytest.approx(1.0)
        assert row.cost_total == pytest.approx(3.0 * weekly * days / 7)
    # starting from nobody (no staff to carry), the hybrid lies between the two
    fresh = run(
        _spec(
            internal=InternalCosts(
                current_fte=0,
                ramp_months=0,
                hiring_cost=0,
                attrition_per_month=0,
                max_hires_per_month=99,
            )
        )
    )
    for i, row in enumerate(_rows(fresh, "hybrid")):
        inside, out = _rows(fresh, "internal")[i], _rows(fresh, "outsourced")[i]
        assert min(inside.cost_total, out.cost_total) < row.cost_total
        assert row.cost_total < max(inside.cost_total, out.cost_total)
        assert 0 < row.provider_share < 1 and 0 < row.internal_fte < inside.internal_fte
    assert result.cheapest == "outsourced"  # 3 per 5-minute call beats 4,200 an FTE


def test_growth_raises_fte_and_hires_respect_capacity_and_ramp() -> None:
    spec = _spec(
        months=8,
        growth=0.08,
        internal=InternalCosts(
            attrition_per_month=0.02, ramp_months=2, max_hires_per_month=2, hiring_cost=1000
        ),
    )
    result = run(spec)
    internal = _rows(result, "internal")
    needed = [r.fte_needed for r in internal]
    assert all(b >= a for a, b in itertools.pairwise(needed))
    assert needed[-1] > needed[0] * 1.5
    assert all(r.hires <= 2 for r in internal)
    assert sum(r.hires for r in internal) > 0
    # ramp: a hire counts in the headcount at once, in the productive staff 2 months later
    first = next(i for i, r in enumerate(internal) if r.hires)
    assert internal[first].internal_fte > internal[first].productive_fte
    # growth faster than 2 hires a month: the internal option falls short and says so
    assert internal[-1].productive_fte < internal[-1].fte_needed
    assert internal[-1].service_level["phone"] < 0.8
    assert not result.summaries["internal"].meets_targets
    assert result.summaries["outsourced"].meets_targets


def test_risk_moves_service_level_the_right_way() -> None:
    result = run(
        _spec(provider=ProviderContract(price_per_hour=25.0, price_per_contact=None, notice_days=0))
    )
    for row in result.rows:
        sl = row.service_level["phone"]
        assert row.service_level_low["phone"] > sl > row.service_level_high["phone"]
    # a per-hour provider keeps its booked agents: its cost does not move with volume
    out = _rows(result, "outsourced")[0]
    assert out.cost_low == pytest.approx(out.cost_total) == pytest.approx(out.cost_high)
    per_contact = _rows(run(_spec()), "outsourced")[0]
    assert per_contact.cost_low < per_contact.cost_total < per_contact.cost_high
    assert per_contact.service_level_high["phone"] >= 0.8  # it restaffs to the volume


def test_notice_and_provider_bounds() -> None:
    result = run(_spec(provider=ProviderContract(price_per_contact=3.0, notice_days=40)))
    assert result.provider_start_month == 2  # 2027-03-01 is the first start ≥ 40 days
    assert _rows(result, "outsourced")[0].provider_share == 0
    capped = run(
        _spec(
            provider=ProviderContract(
                price_per_contact=3.0, max_contacts_per_month=5000, notice_days=0
            )
        )
    )
    row = _rows(capped, "outsourced")[0]
    assert row.provider_contacts == 5000 and row.service_level["phone"] < 0.8
    with pytest.raises(WfmInputError) as err:
        run(_spec(provider=ProviderContract(price_per_contact=3.0, notice_days=200)))
    assert err.value.field == "provider.notice_days"


@pytest.mark.parametrize(
    ("over", "field"),
    [
        ({"months": 0}, "months"),
        (
            {
                "provider": ProviderContract(
                    price_per_contact=1, min_contacts_per_month=9, max_contacts_per_month=5
                )
            },
            "provider.min_contacts_per_month",
        ),
        (
            {"provider": ProviderContract(price_per_hour=1, price_per_contact=1, notice_days=0)},
            "provider.price_per_hour",
        ),
        (
            {"weeks": {"phone": ChannelWeek(np.full(N, -1.0), np.full(N, 300.0))}},
            "channels.phone.volume[0]",
        ),
        (
            {"weeks": {"phone": ChannelWeek(np.ones(N), np.zeros(N))}},
            "channels.phone.aht_seconds[0]",
        ),
        ({"targets": {"phone": 1.2}}, "channels.phone.target"),
        ({"internal": InternalCosts(attrition_per_month=1.5)}, "internal.attrition_per_month"),
    ],
)
def test_invalid_inputs_name_the_field(over: dict[str, Any], field: str) -> None:
    with pytest.raises(WfmInputError) as err:
        run(_spec(**over))
    assert err.value.field == field


def _generated(channels: list[str], **over: Any) -> HistoryIn:
    return HistoryIn(generated=GeneratedIn(channels=channels, days=35, **over))


@pytest.mark.slow
def test_new_channel_ramps_up() -> None:
    req = ScenarioRequest(
        months=6,
        history=_generated(["phone"]),
        new_channels={
            "chat": NewChannelIn(volume_per_day=600, aht_seconds=500, launch_month=1, ramp_months=3)
        },
        simulate=False,
    )
    result = run(build_spec(req))
    chat = result.fte_by_channel["chat"]
    assert chat[0] == 0
    assert 0 < chat[1] < chat[2] < chat[3]
    assert chat[3] == pytest.approx(chat[5], rel=0.02)
    with pytest.raises(WfmInputError) as err:
        build_spec(
            req.model_copy(
                update={"new_channels": {"chat": NewChannelIn(volume_per_day=1, aht_seconds=0)}}
            )
        )
    assert err.value.field == "new_channels.chat.aht_seconds"


@pytest.mark.slow
def test_merger_combines_volumes_and_harmonises_policies() -> None:
    req = demo_request("merger", months=4).model_copy(update={"simulate": False})
    spec = build_spec(req)
    assert set(spec.weeks) == {"phone", "chat", "email", "social"}
    alone = build_spec(
        ScenarioRequest(
            months=2,
            history=req.brands[0].history,
            channels={"phone": ChannelScenarioIn(aht_seconds=330)},
            simulate=False,
        )
    )
    assert spec.weeks["phone"].contacts.sum() > 1.4 * alone.weeks["phone"].contacts.sum()
    # globex's 70 %/30 s phone target gives way to acme's 80 %/20 s; its longer AHT too
    assert spec.policies["phone"].service_level == 0.8
    assert spec.policies["phone"].answer_within == 20
    assert np.all(spec.weeks["phone"].aht_seconds == 330)
    assert any("harmonised to acme" in n for n in spec.notes)
    run(dataclasses.replace(spec))  # runs end to end


@pytest.mark.slow
def test_hybrid_is_validated_by_simulation() -> None:
    spec = _spec(simulate=True)
    result = run(spec)
    assert result.validation is not None
    sim = result.validation["channels"]["phone"]
    assert sim["service_level"] > 0.7
    assert 0 <= sim["provider_share"] < 0.5


def test_no_risk_means_the_forecast_everywhere() -> None:
    result = run(_spec(risk=0.0))
    for row in result.rows:
        assert row.service_level_low == row.service_level == row.service_level_high
        assert row.cost_low == row.cost_total == row.cost_high
