"""The discrete-event simulation: agrees with Erlang C and Erlang A, is reproducible, and
models chat concurrency, asynchronous deadlines, overflow to a provider, shifts and skills."""

from __future__ import annotations

import pytest

from omnicase.benchmarks.wfm import mmc_scenario
from omnicase.wfm import WfmInputError, erlang
from omnicase.wfm.simulate import AgentGroup, Scenario, SimChannel, simulate

DAY = 48


def phone_only(
    staff: int, per_interval: float, aht: float, intervals: int, **kw: object
) -> Scenario:
    ch = SimChannel("phone", "phone", [per_interval] * intervals, aht, **kw)  # type: ignore[arg-type]
    return Scenario([ch], [AgentGroup("agents", ["phone"], staff)], 1800, seed=11)


@pytest.mark.slow
def test_mmc_service_level_within_one_point_of_erlang_c() -> None:
    exact = float(erlang.service_level(13, 10.0, 180, 20))
    scenario = mmc_scenario(1_000_000, 13, 10.0, 180, seed=3)
    fast = simulate(scenario)
    assert fast.engine == "fast-fcfs" and fast.contacts > 990_000
    assert fast.channels["phone"]["service_level"] == pytest.approx(exact, abs=0.01)
    events = simulate(mmc_scenario(300_000, 13, 10.0, 180, seed=4), engine="events")
    assert events.engine == "events"
    assert events.channels["phone"]["service_level"] == pytest.approx(exact, abs=0.01)
    assert events.channels["phone"]["asa_seconds"] == pytest.approx(
        float(erlang.asa(13, 10.0, 180)), rel=0.1
    )
    occ = events.groups["agents"]["occupancy"]
    assert occ == pytest.approx(10 / 13, abs=0.01)


def test_fast_path_and_event_loop_give_the_same_answers() -> None:
    scenario = phone_only(12, 110, 180, 2 * DAY, patience=120.0)
    fast, events = simulate(scenario), simulate(scenario, engine="events")
    assert (fast.engine, events.engine) == ("fast-fcfs", "events")
    for key in ("offered", "handled_internal", "abandoned", "service_level"):
        assert fast.channels["phone"][key] == events.channels["phone"][key], key
    assert fast.channels["phone"]["asa_seconds"] == pytest.approx(
        events.channels["phone"]["asa_seconds"], rel=1e-9
    )


def test_same_seed_same_result_other_seed_other_result() -> None:
    scenario = omnichannel(seed=5)
    first, again = simulate(scenario).as_dict(), simulate(scenario).as_dict()
    assert first == again
    other = simulate(omnichannel(seed=6)).as_dict()
    assert other["channels"] != first["channels"]


@pytest.mark.slow
@pytest.mark.parametrize(
    ("agents", "per_interval", "patience"), [(10, 110.0, 120.0), (8, 60.0, 300.0)]
)
def test_erlang_a_agrees_with_simulation(agents: int, per_interval: float, patience: float) -> None:
    a = per_interval / 1800 * 180
    exact = erlang.erlang_a(agents, a, 180, patience, 20)
    got = simulate(phone_only(agents, per_interval, 180, 100 * DAY, patience=patience))
    phone = got.channels["phone"]
    assert phone["service_level"] == pytest.approx(float(exact.service_level), abs=0.01)
    assert phone["abandon_rate"] == pytest.approx(float(exact.p_abandon), abs=0.01)
    assert phone["asa_seconds"] == pytest.approx(float(exact.asa), rel=0.05)


def test_chat_concurrency_lets_fewer_agents_keep_up() -> None:
    def run(k: int, penalty: float) -> float:
        ch = SimChannel(
            "chat",
            "chat",
            [150.0] * DAY,
            400,
            answer_within=60,
            concurrency=k,
            concurrency_penalty=penalty,
            patience=600.0,
        )
        result = simulate(Scenario([ch], [AgentGroup("chat", ["chat"], 25)], 1800, seed=2))
        return float(result.channels["chat"]["service_level"])

    one, two, two_slow = run(1, 0.0), run(2, 0.0), run(2, 0.9)
    assert one < 0.5 < two  # 33 erlangs: 25 agents drown alone, cope with two chats each
    assert two_slow < two


def test_async_deadline_backlog_and_overflow_to_the_provider() -> None:
    email = SimChannel("email", "async", [60.0] * DAY, 600, deadline=4 * 3600)
    enough = Scenario([email], [AgentGroup("back office", ["email"], 25)], 1800, seed=1)
    ok = simulate(enough).channels["email"]
    assert ok["service_level"] > 0.99 and ok["handled_provider"] == 0
    short = Scenario([email], [AgentGroup("back office", ["email"], 15)], 1800, seed=1)
    late = simulate(short).channels["email"]
    assert late["service_level"] < 0.8  # 20 agents' work for 15: the backlog grows all day
    spill = dataclass_replace(email, overflow_after=30)
    with_provider = Scenario(
        [spill],
        [
            AgentGroup("back office", ["email"], 18),
            AgentGroup("callpro", ["email"], 5, provider=True),
        ],
        1800,
        seed=1,
    )
    out = simulate(with_provider).channels["email"]
    assert out["handled_provider"] > 0 and out["overflowed"] == out["handled_provider"]
    assert out["handled_internal"] + out["handled_provider"] == out["offered"]
    assert out["service_level"] > late["service_level"] + 0.1


def test_phone_overflow_on_head_of_line_wait() -> None:
    phone = SimChannel("phone", "phone", [130.0] * DAY, 180, patience=90.0, overflow_after=30)
    internal = AgentGroup("voice", ["phone"], 12)
    alone = simulate(Scenario([phone], [internal], 1800, seed=4)).channels["phone"]
    helped = simulate(
        Scenario(
            [phone], [internal, AgentGroup("callpro", ["phone"], 4, provider=True)], 1800, seed=4
        )
    ).channels["phone"]
    assert alone["handled_provider"] == 0
    assert helped["handled_provider"] > 0
    assert helped["abandon_rate"] < alone["abandon_rate"]
    assert helped["service_level"] > alone["service_level"]


def test_shift_schedule_and_night_backlog() -> None:
    # email all day; agents only 08:00-18:00 (intervals 16..35): night mail waits for them
    staff = [10 if 16 <= i < 36 else 0 for i in range(DAY)]
    email = SimChannel("email", "async", [20.0] * DAY, 300, deadline=12 * 3600)
    result = simulate(Scenario([email], [AgentGroup("day", ["email"], staff)], 1800, seed=3))
    out = result.channels["email"]
    assert out["unanswered"] > 0  # what came in after 18:00 waits for tomorrow
    assert out["handled_internal"] + out["unanswered"] == out["offered"]
    assert out["mean_response_seconds"] > 3600  # the night's mail waited for the morning
    assert result.groups["day"]["present_hours"] == pytest.approx(10 * 20 * 0.5)


def test_multi_skill_priority() -> None:
    phone = SimChannel("phone", "phone", [100.0] * DAY, 180)
    email = SimChannel("email", "async", [40.0] * DAY, 300, deadline=8 * 3600)

    def run(skills: list[str]) -> dict[str, dict[str, object]]:
        result = simulate(Scenario([phone, email], [AgentGroup("blend", skills, 20)], 1800, 8))
        assert result.channels["email"]["handled_internal"] == result.channels["email"]["offered"]
        occ = result.groups["blend"]["occupancy"]
        assert occ == pytest.approx((10 + 40 / 1800 * 300) / 20, abs=0.03)
        assert result.channels["phone"]["occupancy"] == pytest.approx(occ)
        return result.channels

    phone_first, email_first = run(["phone", "email"]), run(["email", "phone"])
    assert phone_first["phone"]["asa_seconds"] < email_first["phone"]["asa_seconds"]  # type: ignore[operator]
    assert (
        phone_first["email"]["mean_response_seconds"]  # type: ignore[operator]
        > email_first["email"]["mean_response_seconds"]
    )


def test_lognormal_handling_keeps_its_mean() -> None:
    ch = SimChannel("phone", "phone", [50.0] * DAY, 200, handling="lognormal", cv=0.5)
    result = simulate(Scenario([ch], [AgentGroup("a", ["phone"], 30)], 1800, seed=1))
    busy = result.groups["a"]["busy_hours"] * 3600
    assert busy / result.channels["phone"]["handled_internal"] == pytest.approx(200, rel=0.03)


@pytest.mark.parametrize(
    ("mutate", "field"),
    [
        (lambda s: Scenario(s.channels, [AgentGroup("x", ["fax"], 3)]), "groups[0].skills"),
        (
            lambda s: Scenario(s.channels, [AgentGroup("x", ["phone"], [5, 5])]),
            "groups[0].staff",
        ),
        (
            lambda s: Scenario([dataclass_replace(s.channels[0], aht=0)], s.groups),
            "channels[0].aht",
        ),
        (
            lambda s: Scenario([dataclass_replace(s.channels[0], volume=[-1.0] * DAY)], s.groups),
            "channels[0].volume[0]",
        ),
        (
            lambda s: Scenario([dataclass_replace(s.channels[0], kind="async")], s.groups),
            "channels[0].deadline",
        ),
        (lambda s: Scenario(s.channels, s.groups, interval_seconds=0), "interval_seconds"),
    ],
)
def test_invalid_scenarios(mutate: object, field: str) -> None:
    base = phone_only(5, 10.0, 180, DAY)
    with pytest.raises(WfmInputError) as err:
        simulate(mutate(base))  # type: ignore[operator]
    assert err.value.field == field


def omnichannel(seed: int) -> Scenario:
    ramp = [0.2 + 0.8 * min(i, DAY - i) / (DAY / 2) for i in range(DAY)]
    channels = [
        SimChannel(
            "phone", "phone", [120 * r for r in ramp], 240, patience=180.0, overflow_after=45
        ),
        SimChannel(
            "chat", "chat", [80 * r for r in ramp], 420, concurrency=3, concurrency_penalty=0.2
        ),
        SimChannel("email", "async", [50 * r for r in ramp], 480, deadline=4 * 3600),
    ]
    groups = [
        AgentGroup("voice", ["phone"], [max(1, round(16 * r)) for r in ramp]),
        AgentGroup("digital", ["chat", "email"], [max(1, round(14 * r)) for r in ramp]),
        AgentGroup("callpro", ["phone"], 3, provider=True),
    ]
    return Scenario(channels, groups, 1800, seed)


def dataclass_replace(obj: SimChannel, **changes: object) -> SimChannel:
    import dataclasses

    return dataclasses.replace(obj, **changes)  # type: ignore[arg-type]
