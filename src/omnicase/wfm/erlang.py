"""Erlang B, C and A, and the smallest number of agents that meets a target.

Conventions (the same everywhere in :mod:`omnicase.wfm`):

* ``traffic`` is the offered load in erlangs, ``a = λ · AHT`` (contacts per second × seconds);
* ``aht``, ``answer_within`` and ``patience`` are in seconds;
* ``agents`` are whole numbers; every function broadcasts its array arguments (numpy rules) and
  returns float arrays (0-d for scalars: ``float(erlang_c(10, 8))``).

Numerics: no factorial is ever formed. Erlang B is computed in log space as the ratio of the
Poisson probability to the Poisson distribution function, ``B(n, a) = p(n; a) / P(N ≤ n; a)``
(``scipy.special.pdtr`` is the regularised incomplete gamma function), which stays exact to
machine precision for 2,000+ agents and any traffic; where ``P(N ≤ n; a)`` underflows (traffic
many times the agents) the classic stable recurrence ``B(k) = a·B(k−1) / (k + a·B(k−1))`` is
used instead.

Erlang A (M/M/n+M: exponential patience with mean ``patience``) follows Garnett, Mandelbaum
and Reiman (2002) and the summary of Mandelbaum and Zeltyn ("The M/M/n+G queue: summary of
performance measures", 2007), with ``x = n·patience/AHT`` and ``y = λ·patience``:

* ``A(x, y) = x·e^y·y^−x·γ(x, y)`` (``γ`` the lower incomplete gamma function);
* ``P(wait > 0) = A·E / (1 + (A − 1)·E)`` with ``E`` Erlang B of (n, a);
* a waiting contact's virtual wait ``V`` has ``P(V > t | V > 0) = γ(x, y·e^−θt) / γ(x, y)``
  (θ = 1/patience), from which
  ``P(served | wait > 0) = (x/y)·P(x+1, y) / P(x, y)`` and
  ``P(served, wait ≤ t | wait > 0) = (x/y)·[P(x+1, y) − P(x+1, y·e^−θt)] / P(x, y)``
  (``P`` regularised); this equals M-Z's ``1 − P(Ab | W > 0) = 1/ρ − 1/(ρA)``.

Service level in Erlang A is the share of **offered** contacts answered within
``answer_within`` (abandoned contacts count against it, as in the simulation). ASA is the mean
wait of the **answered** contacts: over the queue position ``j`` an arrival finds (PASTA, a
birth-death chain), a contact is answered with probability ``x/(x+j+1)`` and then waited
``Σ_{i≤j} 1/(θ(x+i+1))`` on average.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy import special

from omnicase.wfm import checks
from omnicase.wfm.checks import BoolArray, FloatArray, IntArray
from omnicase.wfm.errors import WfmInputError

#: Below this the regularised incomplete gamma function is treated as underflowed.
_TINY = 1e-280


# --------------------------------------------------------------------------- Erlang B / C


def _log_erlang_b(n: FloatArray, a: FloatArray) -> FloatArray:
    """log B(n, a) for n ≥ 0 whole, a > 0 (arrays of one shape)."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore", under="ignore"):
        cdf = special.pdtr(n, a)
        out = n * np.log(a) - a - special.gammaln(n + 1) - np.log(cdf)
    low = ~(cdf > _TINY)
    if low.any():
        out[low] = np.log(_erlang_b_recurrence(n[low], a[low]))
    result: FloatArray = np.minimum(out, 0.0)
    return result


def _erlang_b_recurrence(n: FloatArray, a: FloatArray) -> FloatArray:
    """``B(k) = a·B(k−1) / (k + a·B(k−1))``: stable, O(n); used where n ≪ a only."""
    b = np.ones_like(a)
    out = np.ones_like(a)
    for k in range(1, int(n.max()) + 1):
        b = a * b / (k + a * b)
        hit = n == k
        out[hit] = b[hit]
    return out


def _load(agents: npt.ArrayLike, traffic: npt.ArrayLike) -> tuple[FloatArray, FloatArray]:
    n = checks.agents("agents", agents)
    a = checks.nonnegative("traffic", traffic)
    n, a = np.broadcast_arrays(n, a)
    return n.astype(np.float64), a.astype(np.float64)


def _b(n: FloatArray, a: FloatArray) -> FloatArray:
    """Erlang B without input checks (n, a float arrays of one shape)."""
    out = np.where(n > 0, 0.0, 1.0)
    live = (a > 0) & (n > 0)
    if live.any():
        out[live] = np.exp(_log_erlang_b(n[live], a[live]))
    return out


def _c(n: FloatArray, a: FloatArray) -> FloatArray:
    b = _b(n, a)
    with np.errstate(divide="ignore", invalid="ignore"):
        c = n * b / (n - a * (1.0 - b))
    return np.where(n > a, c, 1.0)


def _sl(n: FloatArray, a: FloatArray, h: FloatArray, t: FloatArray) -> FloatArray:
    with np.errstate(over="ignore", invalid="ignore"):
        sl = 1.0 - _c(n, a) * np.exp(-(n - a) * t / h)
    return np.where(n > a, sl, np.where(a == 0, 1.0, 0.0))


def _asa(n: FloatArray, a: FloatArray, h: FloatArray) -> FloatArray:
    with np.errstate(divide="ignore", invalid="ignore"):
        w = _c(n, a) * h / (n - a)
    return np.where(n > a, w, np.where(a == 0, 0.0, np.inf))


def log_erlang_b(agents: npt.ArrayLike, traffic: npt.ArrayLike) -> FloatArray:
    """log of the blocking probability of M/M/n/n (−inf where nothing is ever blocked)."""
    n, a = _load(agents, traffic)
    out = np.where((a == 0) & (n > 0), -np.inf, 0.0)
    live = (a > 0) & (n > 0)
    if live.any():
        out[live] = _log_erlang_b(n[live], a[live])
    return out


def erlang_b(agents: npt.ArrayLike, traffic: npt.ArrayLike) -> FloatArray:
    """Blocking probability of M/M/n/n with ``traffic`` erlangs offered."""
    return _b(*_load(agents, traffic))


def erlang_c(agents: npt.ArrayLike, traffic: npt.ArrayLike) -> FloatArray:
    """Probability that a contact waits (M/M/n, infinite patience); 1 when n ≤ a."""
    return _c(*_load(agents, traffic))


def service_level(
    agents: npt.ArrayLike, traffic: npt.ArrayLike, aht: npt.ArrayLike, answer_within: npt.ArrayLike
) -> FloatArray:
    """Erlang C ``P(wait ≤ t) = 1 − C·e^{−(n−a)·t/AHT}`` (0 when the queue is unstable)."""
    n, a = _load(agents, traffic)
    h = checks.positive("aht", aht)
    t = checks.nonnegative("answer_within", answer_within)
    n, a, h, t = np.broadcast_arrays(n, a, h, t)
    return _sl(n, a, h, t)


def asa(agents: npt.ArrayLike, traffic: npt.ArrayLike, aht: npt.ArrayLike) -> FloatArray:
    """Erlang C average speed of answer ``C·AHT/(n − a)`` in seconds (inf when unstable)."""
    n, a = _load(agents, traffic)
    h = checks.positive("aht", aht)
    n, a, h = np.broadcast_arrays(n, a, h)
    return _asa(n, a, h)


def occupancy(agents: npt.ArrayLike, traffic: npt.ArrayLike) -> FloatArray:
    """Share of the agents' time spent handling: ``a/n`` (capped at 1)."""
    n, a = _load(agents, traffic)
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(n > 0, np.minimum(a / n, 1.0), np.where(a > 0, 1.0, 0.0))
    return occ.astype(np.float64)


# --------------------------------------------------------------------------- search


def smallest(
    lower: IntArray, step: IntArray, meets: Callable[[IntArray], BoolArray], what: str
) -> IntArray:
    """The smallest ``n ≥ lower`` (element-wise) with ``meets(n)``, ``meets`` monotone in n.

    Vectorised: the bracket is widened by doubling, then bisected; every call of ``meets``
    evaluates the whole batch (about 2·log2(range) calls in all).
    """
    shape = np.shape(lower)
    lo = np.atleast_1d(lower).astype(np.int64).ravel()

    def ok(n: IntArray) -> BoolArray:
        return np.atleast_1d(meets(n.reshape(shape))).ravel()

    hi = lo.copy()
    good = ok(hi)
    below = lo - 1  # the largest n known to fail (lower − 1 is never checked: bound)
    width = np.maximum(np.atleast_1d(step).astype(np.int64).ravel(), 1)
    for _ in range(62):
        if good.all():
            break
        todo = ~good
        below[todo] = hi[todo]
        hi[todo] += width[todo]
        width[todo] *= 2
        good = good | (ok(hi) & todo)
    else:  # pragma: no cover - only with a target no finite staff meets
        raise WfmInputError(what, "no number of agents meets this target")
    while True:
        gap = hi - below > 1
        if not gap.any():
            return hi.reshape(shape)
        mid = (below + hi) // 2
        mid_ok = ok(mid)
        hi = np.where(gap & mid_ok, mid, hi)
        below = np.where(gap & ~mid_ok, mid, below)


def _stable_lower(a: FloatArray, max_occupancy: float) -> IntArray:
    """n > a (a stable queue) and a/n ≤ max occupancy; 0 agents for no traffic."""
    lower = np.maximum(np.floor(a) + 1, np.ceil(a / max_occupancy - 1e-9))
    return np.where(a > 0, lower, 0).astype(np.int64)


def erlang_c_agents(
    traffic: npt.ArrayLike,
    aht: npt.ArrayLike,
    *,
    service_level_target: float | None = None,
    answer_within: float | None = None,
    asa_target: float | None = None,
    max_occupancy: float = 1.0,
) -> IntArray:
    """The fewest agents with Erlang C service level ≥ target (answered within
    ``answer_within`` s), ASA ≤ ``asa_target`` s and occupancy ≤ ``max_occupancy``.

    Give at least one of the service-level target and the ASA target.
    """
    a = checks.nonnegative("traffic", traffic)
    h = checks.positive("aht", aht)
    a, h = (x.astype(np.float64) for x in np.broadcast_arrays(a, h))
    occ = checks.fraction("max_occupancy", max_occupancy, allow_one=True)
    if service_level_target is None and asa_target is None:
        raise WfmInputError("service_level", "give a service-level or an ASA target")
    conditions: list[Callable[[FloatArray], BoolArray]] = []
    if service_level_target is not None:
        target = checks.fraction("service_level", service_level_target)
        if answer_within is None:
            raise WfmInputError("answer_within", "required with a service-level target")
        t = float(checks.nonnegative("answer_within", answer_within))
        conditions.append(lambda n: _sl(n, a, h, np.full_like(a, t)) >= target)
    if asa_target is not None:
        limit = float(checks.positive("asa", asa_target))
        conditions.append(lambda n: _asa(n, a, h) <= limit)

    def ok(n: IntArray) -> BoolArray:
        nf = n.astype(np.float64)
        result = np.ones(n.shape, dtype=bool)
        for cond in conditions:
            result &= cond(nf)
        return result

    step = np.ceil(np.sqrt(a)).astype(np.int64) + 2
    return smallest(_stable_lower(a, occ), step, ok, "service_level")


# --------------------------------------------------------------------------- Erlang A


@dataclass(frozen=True, slots=True)
class ErlangA:
    """Erlang A measures, arrays of the broadcast shape of the inputs."""

    p_wait: FloatArray  # P(a contact waits at all)
    p_abandon: FloatArray  # share of offered contacts that abandon
    service_level: FloatArray  # share of offered contacts answered within answer_within
    asa: FloatArray  # mean wait of the answered contacts (s)
    mean_wait: FloatArray  # mean time in queue of every contact, abandoned too (s)
    occupancy: FloatArray  # answered load / agents


def _log_a(x: FloatArray, y: FloatArray, log_p: FloatArray) -> FloatArray:
    """log A(x, y); by its series ``Σ_j y^j / ((x+1)…(x+j))`` where P(x, y) underflows."""
    out = np.log(x) + y - x * np.log(y) + special.gammaln(x) + log_p
    low = ~np.isfinite(log_p)
    if low.any():
        xs, ys = x[low], y[low]
        term = np.ones_like(xs)
        total = np.ones_like(xs)
        for j in range(1, 200_000):
            term = term * ys / (xs + j)
            total += term
            if (term < 1e-17 * total).all():
                break
        out[low] = np.log(total)
    return out


def _erlang_a_core(
    n: FloatArray, a: FloatArray, h: FloatArray, patience: FloatArray, t: FloatArray
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """(P(wait > 0), P(served | wait > 0), P(served within t | wait > 0)) for n ≥ 1, a > 0."""
    x = n * patience / h
    y = a * patience / h
    with np.errstate(divide="ignore", under="ignore", over="ignore", invalid="ignore"):
        p_x = special.gammainc(x, y)
        log_p = np.where(p_x > _TINY, np.log(p_x), -np.inf)
        log_a = _log_a(x, y, log_p)
        log_e = _log_erlang_b(n, a)
        p_wait = 1.0 / (1.0 + np.exp(np.log1p(-np.exp(log_e)) - log_a - log_e))
        z = y * np.exp(-t / patience)
        # differences of P (or of Q = 1 − P, whichever is small) keep their precision
        upper = z > x + 1
        diff = np.where(
            upper,
            special.gammaincc(x + 1, z) - special.gammaincc(x + 1, y),
            special.gammainc(x + 1, y) - special.gammainc(x + 1, z),
        )
        served = (x / y) * special.gammainc(x + 1, y) / p_x
        within = (x / y) * diff / p_x
    low = ~np.isfinite(log_p)
    if low.any():
        # y ≪ x: few ever wait and patience barely matters; P(served | wait) from A
        # (M-Z: 1/ρ − 1/(ρA), ρ = y/x) and an Erlang-C-like wait of rate nμ − λ.
        rho = y[low] / x[low]
        served[low] = 1 / rho - np.exp(-log_a[low]) / rho
        within[low] = served[low] * -np.expm1(-(x[low] - y[low]) * t[low] / patience[low])
    return p_wait, np.clip(served, 0, 1), np.clip(within, 0, 1)


def _erlang_a_wait_of_answered(
    n: FloatArray, a: FloatArray, h: FloatArray, patience: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """(E[wait · 1{answered} | wait > 0], P(answered | wait > 0)) by the queue-position
    series, summed over a window around its mode in rows of bounded size."""
    x = n * patience / h
    y = a * patience / h
    mode = np.maximum(np.floor(y - x), 0)
    half = np.ceil(12 * np.sqrt(np.maximum(np.maximum(x, y), 1)) + 30)
    start = np.maximum(mode - half, 0)
    wait = np.empty_like(x)
    served = np.empty_like(x)
    budget = max(1, 2_000_000 // int(2 * half.max() + 1))
    for begin in range(0, len(x), budget):
        idx = np.arange(begin, min(begin + budget, len(x)))
        width = int(2 * half[idx].max() + 1)
        xs, ys = x[idx, None], y[idx, None]
        j = start[idx, None] + np.arange(width)[None, :]
        log_q = j * np.log(ys) - special.gammaln(xs + j + 1)
        q = np.exp(log_q - log_q.max(axis=1, keepdims=True))
        q /= q.sum(axis=1, keepdims=True)
        p_ans = xs / (xs + j + 1)
        mean = (special.digamma(xs + j + 2) - special.digamma(xs + 1)) * patience[idx, None]
        served[idx] = (q * p_ans).sum(axis=1)
        wait[idx] = (q * p_ans * mean).sum(axis=1)
    return wait, served


def erlang_a(
    agents: npt.ArrayLike,
    traffic: npt.ArrayLike,
    aht: npt.ArrayLike,
    patience: npt.ArrayLike,
    answer_within: npt.ArrayLike,
    *,
    with_asa: bool = True,
) -> ErlangA:
    """Erlang A (M/M/n+M) measures; ``patience`` is the mean time a caller waits before
    hanging up (exponential). ``with_asa=False`` skips the ASA series (NaN then)."""
    n0, a0 = _load(agents, traffic)
    h0 = checks.positive("aht", aht)
    p0 = checks.positive("patience", patience)
    t0 = checks.nonnegative("answer_within", answer_within)
    n, a, h, pat, t = (
        np.ascontiguousarray(v, dtype=np.float64).ravel()
        for v in np.broadcast_arrays(n0, a0, h0, p0, t0)
    )
    shape = np.broadcast_shapes(n0.shape, a0.shape, h0.shape, p0.shape, t0.shape)
    p_wait = np.where(a > 0, 1.0, 0.0)
    p_ab = np.where(a > 0, 1.0, 0.0)
    sl = np.where(a > 0, 0.0, 1.0)
    answered_wait = np.where((a > 0) & (n == 0), np.inf, 0.0)
    live = (a > 0) & (n > 0)
    if live.any():
        pw, served, within = _erlang_a_core(n[live], a[live], h[live], pat[live], t[live])
        p_wait[live] = pw
        p_ab[live] = pw * (1.0 - served)
        sl[live] = (1.0 - pw) + pw * within
        if with_asa:
            w, s = _erlang_a_wait_of_answered(n[live], a[live], h[live], pat[live])
            answered_wait[live] = pw * w / ((1.0 - pw) + pw * s)
    if not with_asa:
        answered_wait = np.full_like(n, np.nan)
    with np.errstate(divide="ignore", invalid="ignore"):
        occ = np.where(n > 0, a * (1.0 - p_ab) / n, np.where(a > 0, 1.0, 0.0))

    def shaped(v: FloatArray) -> FloatArray:
        return v.reshape(shape)

    return ErlangA(
        p_wait=shaped(p_wait),
        p_abandon=shaped(p_ab),
        service_level=shaped(sl),
        asa=shaped(answered_wait),
        mean_wait=shaped(p_ab * pat),
        occupancy=shaped(np.minimum(occ, 1.0)),
    )


def erlang_a_agents(
    traffic: npt.ArrayLike,
    aht: npt.ArrayLike,
    patience: npt.ArrayLike,
    *,
    service_level_target: float | None = None,
    answer_within: float | None = None,
    asa_target: float | None = None,
    max_abandon: float | None = None,
    max_occupancy: float = 1.0,
) -> IntArray:
    """The fewest agents meeting every target given (Erlang A): service level ≥ target
    within ``answer_within`` s, ASA ≤ ``asa_target`` s, abandonment ≤ ``max_abandon``,
    occupancy ≤ ``max_occupancy``."""
    a = checks.nonnegative("traffic", traffic)
    h = checks.positive("aht", aht)
    pat = checks.positive("patience", patience)
    a, h, pat = (x.astype(np.float64) for x in np.broadcast_arrays(a, h, pat))
    occ = checks.fraction("max_occupancy", max_occupancy, allow_one=True)
    if service_level_target is None and asa_target is None and max_abandon is None:
        raise WfmInputError("service_level", "give a service-level, ASA or abandonment target")
    target = (
        None
        if service_level_target is None
        else checks.fraction("service_level", service_level_target)
    )
    if target is not None and answer_within is None:
        raise WfmInputError("answer_within", "required with a service-level target")
    t = 0.0 if answer_within is None else float(checks.nonnegative("answer_within", answer_within))
    ab = None if max_abandon is None else checks.fraction("max_abandon", max_abandon)
    limit = None if asa_target is None else float(checks.positive("asa", asa_target))

    def ok(n: IntArray) -> BoolArray:
        m = erlang_a(n, a, h, pat, t, with_asa=limit is not None)
        result = m.occupancy <= occ + 1e-12
        if target is not None:
            result &= m.service_level >= target
        if ab is not None:
            result &= m.p_abandon <= ab
        if limit is not None:
            result &= m.asa <= limit
        return np.asarray(result, dtype=bool)

    lower = np.where(a > 0, 1, 0).astype(np.int64)
    step = np.ceil(a).astype(np.int64) + 2
    return smallest(lower, step, ok, "service_level")
