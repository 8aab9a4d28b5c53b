"""Staffing per channel: phone by Erlang C/A, chat by slots with concurrency, asynchronous
work with deadlines and backlog carried across intervals; shrinkage, FTE, errors."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from omnicase.benchmarks.wfm import week_demand
from omnicase.wfm import WfmInputError, erlang
from omnicase.wfm.staffing import DEFAULT_POLICIES, ChannelPolicy, Demand, staff

PHONE = ChannelPolicy("phone", service_level=0.8, answer_within=20, shrinkage=0.3)
EMAIL = ChannelPolicy("async", deadline=4 * 3600, max_occupancy=1.0, shrinkage=0.0)


def one_channel(name: str, volumes: list[float], aht: float) -> Demand:
    n = len(volumes)
    return Demand.of(list(range(n)), [name] * n, volumes, [aht] * n)


def test_phone_is_erlang_c_per_interval_with_shrinkage() -> None:
    plan = staff(one_channel("phone", [100, 360], 180), {"phone": PHONE})
    (p,) = plan.channels
    assert p.agents.tolist() == [
        int(erlang.erlang_c_agents(10.0, 180, service_level_target=0.8, answer_within=20)),
        int(erlang.erlang_c_agents(36.0, 180, service_level_target=0.8, answer_within=20)),
    ]
    assert p.agents[0] == 14  # the Call Centre Helper example (test_erlang)
    assert p.scheduled[0] == pytest.approx(14 / 0.7)
    assert (p.service_level >= 0.8).all()


def test_phone_erlang_a_when_patience_is_given() -> None:
    demand = one_channel("phone", [300], 240)
    a_policy = dataclasses.replace(PHONE, patience=90.0, max_abandon=0.05)
    c_plan = staff(demand, {"phone": PHONE}).channels[0]
    a_plan = staff(demand, {"phone": a_policy}).channels[0]
    assert a_plan.abandon[0] <= 0.05 and a_plan.service_level[0] >= 0.8
    assert a_plan.agents[0] <= c_plan.agents[0]


def test_chat_concurrency_model() -> None:
    demand = one_channel("chat", [120], 600)
    base = ChannelPolicy("chat", service_level=0.8, answer_within=60)
    single = staff(demand, {"chat": base}).channels[0].agents[0]
    two = staff(demand, {"chat": dataclasses.replace(base, concurrency=2)}).channels[0]
    slow = dataclasses.replace(base, concurrency=2, concurrency_penalty=0.5)
    two_slow = staff(demand, {"chat": slow}).channels[0]
    three_slow = staff(demand, {"chat": dataclasses.replace(slow, concurrency=3)}).channels[0]
    # two chats at once halve the agents when chats do not slow down...
    assert two.agents[0] == pytest.approx(single / 2, abs=1)
    # ...and need more once each chat lasts AHT·(1 + α(k − 1)) longer
    assert two.agents[0] < two_slow.agents[0] < single
    # slots = agents × k are the Erlang C servers of AHT(k) = 600 · (1 + 0.5 · 2)
    slots = erlang.erlang_c_agents(
        120 / 1800 * 1200, 1200, service_level_target=0.8, answer_within=60
    )
    assert three_slow.agents[0] == -(-int(slots) // 3)


def test_async_more_volume_or_tighter_deadline_needs_more_agents() -> None:
    rng = np.random.default_rng(5)
    volumes = rng.poisson(40, 96).astype(float).tolist()
    base = staff(one_channel("email", volumes, 300), {"email": EMAIL}).channels[0]
    more = staff(one_channel("email", [v * 1.5 for v in volumes], 300), {"email": EMAIL})
    tight = staff(
        one_channel("email", volumes, 300),
        {"email": dataclasses.replace(EMAIL, deadline=1800)},
    ).channels[0]
    assert more.channels[0].agents.sum() > base.agents.sum()
    assert (tight.agents.sum() >= base.agents.sum()) and tight.agents.max() > base.agents.max()
    # with a deadline of one interval everything is answered in the interval it arrives
    assert tight.backlog.max() == pytest.approx(0.0, abs=1e-9)


def test_async_backlog_is_carried_over_and_answered_by_its_deadline() -> None:
    # 100 emails of 6 minutes arrive in interval 0, nothing after; 4-hour deadline
    plan = staff(one_channel("email", [100] + [0] * 11, 360), {"email": EMAIL}).channels[0]
    work = 100 * 360  # agent-seconds
    # the steadiest pace that clears it in 8 intervals: 36,000 s / (8 × 1,800 s) = 2.5 → 3;
    # what the third agent does early is carried: 30,600 s left / 7 = 2.43 → 3, …, then
    # 14,400 / 4 = 2 exactly
    assert plan.agents.tolist() == [3, 3, 3, 3, 2, 2, 2, 2, 0, 0, 0, 0]
    assert plan.backlog[0] == pytest.approx(100 - 3 * 1800 / 360)  # 85 left after interval 0
    assert plan.backlog[1] == pytest.approx(70)
    done = np.cumsum(plan.agents * 1800)
    assert done[7] >= work  # all answered by the end of interval 7 (deadline)
    last = int(np.flatnonzero(plan.agents)[-1])
    assert last <= 7 and plan.backlog[last] == pytest.approx(0, abs=1e-9)
    assert (plan.agents[last + 1 :] == 0).all()


def test_async_work_due_later_is_not_staffed_for_now() -> None:
    # a day-long deadline spreads a morning's burst thinly
    plan = staff(
        one_channel("email", [200] + [0] * 47, 300),
        {"email": dataclasses.replace(EMAIL, deadline=86_400)},
    ).channels[0]
    assert plan.agents.max() == 1


def test_fte_per_day_and_week() -> None:
    plan = staff(week_demand(), DEFAULT_POLICIES)
    daily = plan.fte_per_day()
    weekly = plan.fte_per_week()
    assert set(daily) == {"phone", "chat", "email", "social", "sms", "webform", "total"}
    assert len(daily["total"]) == 7 and len(weekly["total"]) == 1
    phone = plan.channels[0]
    hours = float((phone.scheduled * 0.5).sum())
    assert weekly["phone"][0] == pytest.approx(hours / 35)
    assert daily["phone"].sum() == pytest.approx(hours / 7)
    assert weekly["total"][0] == pytest.approx(sum(weekly[c][0] for c in daily if c != "total"))


@pytest.mark.parametrize(
    ("make", "field", "reason"),
    [
        (lambda: Demand.of([0], ["phone"], [-5], [180]), "volume[0]", "negative"),
        (lambda: Demand.of([0, 1], ["phone"] * 2, [5, 5], [180, 0]), "aht_seconds[1]", "greater"),
        (lambda: Demand.of([0, 0], ["phone"] * 2, [5, 5], [180, 180]), "interval[1]", "twice"),
        (lambda: Demand.of([0.5], ["phone"], [5], [180]), "interval[0]", "whole"),
    ],
)
def test_demand_errors(make: object, field: str, reason: str) -> None:
    with pytest.raises(WfmInputError) as err:
        make()  # type: ignore[operator]
    assert err.value.field == field and reason in err.value.reason


@pytest.mark.parametrize(
    ("policy", "field"),
    [
        (ChannelPolicy("phone", service_level=1.5), "channels.phone.service_level"),
        (ChannelPolicy("phone", service_level=1.0), "channels.phone.service_level"),
        (ChannelPolicy("phone", shrinkage=1.0), "channels.phone.shrinkage"),
        (ChannelPolicy("phone", max_occupancy=0), "channels.phone.max_occupancy"),
        (ChannelPolicy("async"), "channels.phone.deadline"),
        (ChannelPolicy("phone", concurrency=2), "channels.phone.concurrency"),
        (ChannelPolicy("phone", max_abandon=0.05), "channels.phone.max_abandon"),
    ],
)
def test_policy_errors(policy: ChannelPolicy, field: str) -> None:
    with pytest.raises(WfmInputError) as err:
        staff(one_channel("phone", [10], 180), {"phone": policy})
    assert err.value.field == field


def test_staffing_errors() -> None:
    demand = one_channel("phone", [10], 180)
    with pytest.raises(WfmInputError, match="interval_seconds"):
        staff(demand, {"phone": PHONE}, interval_seconds=0)
    with pytest.raises(WfmInputError, match="interval_seconds: must divide a day"):
        staff(demand, {"phone": PHONE}, interval_seconds=700)
    with pytest.raises(WfmInputError, match=r"channels\.phone: no staffing policy"):
        staff(demand, {})
