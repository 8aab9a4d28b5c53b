"""Erlang B/C/A against published examples, direct sums, an exact birth-death chain and
their own limits; stability at 2,000 agents and huge traffic."""

from __future__ import annotations

import math

import numpy as np
import pytest

from omnicase.wfm import WfmInputError, erlang


def direct_erlang_c(n: int, a: float) -> float:
    """The textbook formula with factorials (fine for small n)."""
    top = a**n / math.factorial(n) * n / (n - a)
    return top / (sum(a**k / math.factorial(k) for k in range(n)) + top)


def test_westbay_worked_example() -> None:
    # Westbay Engineers, "The Erlang-C formula" worked example: 360 calls per half hour,
    # 4-minute calls, 55 agents, 15-second target: traffic 48 E, occupancy 87.3 %,
    # E_C = 0.2387, ASA = 0.1364 min (8.2 s), service level 84.6 %.
    a = 360 / 1800 * 240
    assert a == 48
    assert float(erlang.occupancy(55, a)) == pytest.approx(0.8727, abs=1e-4)
    assert float(erlang.erlang_c(55, a)) == pytest.approx(0.2387, abs=1e-4)
    assert float(erlang.asa(55, a, 240)) / 60 == pytest.approx(0.1364, abs=1e-4)
    assert float(erlang.service_level(55, a, 240, 15)) == pytest.approx(0.846, abs=5e-4)


def test_call_centre_helper_example_needs_14_agents() -> None:
    # Call Centre Helper, "Erlang C formula - made simple": 100 calls in 30 minutes, AHT
    # 180 s, 80 % in 20 s: 13 agents give 79.6 % (just short), 14 give 88.8 %.
    a = 100 / 1800 * 180
    assert float(erlang.service_level(13, a, 180, 20)) == pytest.approx(0.7956, abs=1e-4)
    assert float(erlang.service_level(14, a, 180, 20)) == pytest.approx(0.8884, abs=1e-4)
    needed = erlang.erlang_c_agents(a, 180, service_level_target=0.8, answer_within=20)
    assert int(needed) == 14


@pytest.mark.parametrize("n", [1, 2, 3, 5, 8, 13, 21, 34])
def test_erlang_c_equals_direct_sum_for_small_n(n: int) -> None:
    for load in (0.1, 0.5, 0.9, 0.99):
        a = n * load
        assert float(erlang.erlang_c(n, a)) == pytest.approx(direct_erlang_c(n, a), rel=1e-12)


def test_erlang_b_recurrence_and_log_space_agree() -> None:
    n = np.arange(1, 400, dtype=np.float64)
    for a in (0.5, 7.0, 120.0, 390.0, 3000.0):
        rec = erlang._erlang_b_recurrence(n, np.full_like(n, a))
        assert np.allclose(erlang.erlang_b(n, a), rec, rtol=1e-10, atol=1e-300)


def test_stable_at_2000_agents_and_huge_traffic() -> None:
    c = float(erlang.erlang_c(2000, 1950.0))
    assert 0 < c < 1 and math.isfinite(c)
    # the same figure by the recurrence (no factorials), 2,000 steps
    b = float(erlang._erlang_b_recurrence(np.array([2000.0]), np.array([1950.0]))[0])
    assert c == pytest.approx(2000 * b / (2000 - 1950 * (1 - b)), rel=1e-9)
    assert 0 < float(erlang.erlang_c(5000, 4990.0)) < 1
    # overload: B → 1 − n/a; far below traffic no NaN and no overflow
    assert float(erlang.erlang_b(10, 5000.0)) == pytest.approx(1 - 10 / 5000, abs=1e-5)
    assert float(erlang.erlang_b(100, 1e7)) == pytest.approx(1 - 100 / 1e7, abs=1e-9)
    assert float(erlang.erlang_b(2000, 1.0)) == 0.0  # underflows to 0, not NaN
    needed = erlang.erlang_c_agents(1950.0, 180, service_level_target=0.9, answer_within=20)
    assert 1950 < int(needed) < 2100
    m = erlang.erlang_a(2000, 1950.0, 180, 120, 20)
    assert all(math.isfinite(float(v)) for v in (m.p_wait, m.p_abandon, m.service_level, m.asa))


def test_unstable_queue_and_no_traffic() -> None:
    assert float(erlang.erlang_c(10, 10.0)) == 1.0
    assert float(erlang.service_level(10, 12.0, 180, 20)) == 0.0
    assert float(erlang.asa(10, 12.0, 180)) == math.inf
    assert float(erlang.service_level(0, 0.0, 180, 20)) == 1.0
    assert int(erlang.erlang_c_agents(0.0, 180, service_level_target=0.8, answer_within=20)) == 0


def test_vectorised_search_is_the_smallest_meeting_every_target() -> None:
    a = np.array([0.3, 2.0, 10.0, 48.0, 250.0, 900.0])
    aht = 240.0
    n = erlang.erlang_c_agents(
        a, aht, service_level_target=0.85, answer_within=15, asa_target=10, max_occupancy=0.9
    )
    for ni, ai in zip(n.tolist(), a.tolist(), strict=True):

        def ok(k: int, ai: float = ai) -> bool:
            return (
                k > ai
                and float(erlang.service_level(k, ai, aht, 15)) >= 0.85
                and float(erlang.asa(k, ai, aht)) <= 10
                and ai / k <= 0.9
            )

        assert ok(ni) and not ok(ni - 1), (ai, ni)


def exact_chain(n: int, lam: float, mu: float, theta: float) -> tuple[float, float]:
    """P(wait), P(abandon) of M/M/n+M from its birth-death chain, truncated far out."""
    k = np.arange(6000)
    death = np.minimum(k[1:], n) * mu + np.maximum(k[1:] - n, 0) * theta
    logp = np.concatenate([[0.0], np.cumsum(np.log(lam / death))])
    p = np.exp(logp - logp.max())
    p /= p.sum()
    queue = (np.maximum(k - n, 0) * p).sum()
    return float(p[n:].sum()), float(theta * queue / lam)


@pytest.mark.parametrize(
    ("n", "a", "aht", "patience"),
    [
        (10, 10.0, 180.0, 120.0),
        (50, 60.0, 300.0, 60.0),
        (100, 80.0, 240.0, 600.0),
        (5, 1.0, 60, 30),
    ],
)
def test_erlang_a_matches_the_exact_chain(n: int, a: float, aht: float, patience: float) -> None:
    p_wait, p_abandon = exact_chain(n, a / aht, 1 / aht, 1 / patience)
    m = erlang.erlang_a(n, a, aht, patience, 20)
    assert float(m.p_wait) == pytest.approx(p_wait, rel=1e-9)
    assert float(m.p_abandon) == pytest.approx(p_abandon, rel=1e-9)
    # Little's law on the queue: mean time in queue of everyone = P(abandon) · patience
    assert float(m.mean_wait) == pytest.approx(p_abandon * patience, rel=1e-9)


def test_erlang_a_tends_to_erlang_c_with_endless_patience() -> None:
    m = erlang.erlang_a(14, 10.0, 180, 1e9, 20)
    assert float(m.p_wait) == pytest.approx(float(erlang.erlang_c(14, 10.0)), rel=1e-5)
    assert float(m.service_level) == pytest.approx(
        float(erlang.service_level(14, 10.0, 180, 20)), rel=1e-5
    )
    assert float(m.asa) == pytest.approx(float(erlang.asa(14, 10.0, 180)), rel=1e-4)
    assert float(m.p_abandon) < 1e-6


@pytest.mark.parametrize("a", [30.0, 300.0, 3000.0])
def test_erlang_a_overload_is_finite_and_abandonment_absorbs_it(a: float) -> None:
    m = erlang.erlang_a(10, a, 180, 60, 20)  # 3 to 300 times the staff's capacity
    p_wait, p_abandon = exact_chain(10, a / 180, 1 / 180, 1 / 60)
    assert float(m.p_wait) == pytest.approx(p_wait, rel=1e-9)
    assert float(m.p_abandon) == pytest.approx(p_abandon, rel=1e-9)
    assert float(m.p_abandon) > 1 - 10 / a - 0.01  # what the agents cannot take leaves
    assert 0.99 < float(m.occupancy) <= 1.0
    assert math.isfinite(float(m.asa)) and 0 <= float(m.service_level) < 0.05


def test_erlang_a_staffing_targets() -> None:
    a, aht, patience = 20.0, 240.0, 90.0
    n = int(
        erlang.erlang_a_agents(
            a, aht, patience, service_level_target=0.8, answer_within=20, max_abandon=0.03
        )
    )
    good = erlang.erlang_a(n, a, aht, patience, 20)
    worse = erlang.erlang_a(n - 1, a, aht, patience, 20)
    assert good.service_level >= 0.8 and good.p_abandon <= 0.03
    assert worse.service_level < 0.8 or worse.p_abandon > 0.03
    # patience lets fewer agents meet the same service level than Erlang C
    c = int(erlang.erlang_c_agents(a, aht, service_level_target=0.8, answer_within=20))
    a_only = erlang.erlang_a_agents(a, aht, patience, service_level_target=0.8, answer_within=20)
    assert int(a_only) <= c


def test_invalid_inputs_name_the_field() -> None:
    with pytest.raises(WfmInputError) as err:
        erlang.erlang_c_agents(10.0, 180, service_level_target=1.2, answer_within=20)
    assert err.value.field == "service_level" and "100 %" in err.value.reason
    with pytest.raises(WfmInputError, match="aht"):
        erlang.service_level(10, 5.0, 0, 20)
    with pytest.raises(WfmInputError, match=r"traffic\[1\]: must not be negative"):
        erlang.erlang_c(10, [1.0, -2.0])
    with pytest.raises(WfmInputError, match="whole number"):
        erlang.erlang_b(2.5, 1.0)
    with pytest.raises(WfmInputError, match="patience"):
        erlang.erlang_a(10, 5.0, 180, 0, 20)
