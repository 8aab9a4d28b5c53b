"""Agents needed per interval and channel, and FTE per day and week.

Three models, one per kind of channel (:class:`ChannelPolicy` ``kind``):

* **phone**: Erlang C (infinite patience) or Erlang A (``patience`` given) on the interval's
  volume and AHT; the fewest agents meeting the service level / ASA / abandonment targets
  and the maximum occupancy (:mod:`omnicase.wfm.erlang`).
* **chat**: an agent holds up to ``concurrency`` (k) chats at once, and every chat lasts
  longer the more are held: ``AHT(k) = AHT · (1 + α·(k − 1))`` (``concurrency_penalty`` α,
  e.g. 0.25: a second chat makes both 25 % slower). Each agent is modelled as k slots, and the
  slots as the servers of an Erlang C queue with service time AHT(k); agents = ⌈slots / k⌉.
  This assumes agents run at full concurrency, which is conservative (fewer chats are faster).
* **async** (email, social media, SMS, web forms): work with a response deadline (the
  channel's SLA). Items arriving in interval i are due by the end of interval
  ``i + d − 1``, ``d = max(1, ⌊deadline / interval⌋)`` (an arrival at the interval's start:
  conservative). The backlog is carried across intervals in buckets by due interval. In each
  interval the staff is the smallest steady rate that clears every known item by its due
  interval, ``max_u (work due ≤ u) / (u − t + 1)``, rounded up to whole agents; those agents
  work the backlog earliest-due first (what rounding up adds is carried forward as work done
  early). More volume or a tighter deadline never needs fewer agents.

For every kind, ``agents`` are productive agents on the floor; ``scheduled`` =
``agents / (1 − shrinkage)`` is what must be rostered (breaks, training, absence); FTE per day
and week divide the scheduled agent-hours by the contract's hours (``fte_hours_per_week``, e.g.
35 h in France, over ``days_per_week``). Interval 0 starts at midnight of day 0.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import numpy.typing as npt

from omnicase.wfm import checks, erlang
from omnicase.wfm.checks import FloatArray, IntArray
from omnicase.wfm.errors import WfmInputError

Kind = Literal["phone", "chat", "async"]
KINDS: tuple[str, ...] = ("phone", "chat", "async")

#: The kind of each of the platform's channels (any other name must say its kind).
CHANNEL_KINDS: dict[str, Kind] = {
    "phone": "phone",
    "chat": "chat",
    "email": "async",
    "social": "async",
    "messenger": "async",
    "instagram": "async",
    "whatsapp": "async",
    "x": "async",
    "sms": "async",
    "webform": "async",
}


@dataclass(frozen=True, slots=True)
class ChannelPolicy:
    """How one channel is staffed: its kind, targets, and the agents' constraints.

    Live channels (phone, chat) use ``service_level`` within ``answer_within`` seconds and/or
    ``asa`` (seconds); phone with ``patience`` (mean seconds before hanging up) uses Erlang A
    and may cap ``max_abandon``. Asynchronous channels use ``deadline`` (seconds).
    """

    kind: Kind
    service_level: float | None = 0.8
    answer_within: float = 20.0
    asa: float | None = None
    patience: float | None = None
    max_abandon: float | None = None
    max_occupancy: float = 1.0
    shrinkage: float = 0.3
    concurrency: int = 1
    concurrency_penalty: float = 0.0
    deadline: float | None = None

    def checked(self, name: str) -> ChannelPolicy:
        """Itself, or a :class:`WfmInputError` naming ``channels.<name>.<field>``."""
        where = f"channels.{name}"
        if self.kind not in KINDS:
            raise WfmInputError(f"{where}.kind", f"must be one of {', '.join(KINDS)}")
        checks.fraction(f"{where}.max_occupancy", self.max_occupancy, allow_one=True)
        checks.fraction(f"{where}.shrinkage", self.shrinkage, allow_zero=True)
        if self.kind == "async":
            if self.deadline is None:
                raise WfmInputError(f"{where}.deadline", "an asynchronous channel needs one")
            checks.positive(f"{where}.deadline", self.deadline)
            return self
        if self.service_level is None and self.asa is None and self.max_abandon is None:
            raise WfmInputError(f"{where}.service_level", "give a service-level or ASA target")
        if self.service_level is not None:
            checks.fraction(f"{where}.service_level", self.service_level)
        checks.nonnegative(f"{where}.answer_within", self.answer_within)
        if self.asa is not None:
            checks.positive(f"{where}.asa", self.asa)
        if self.patience is not None:
            if self.kind != "phone":
                raise WfmInputError(f"{where}.patience", "Erlang A is for the phone only")
            checks.positive(f"{where}.patience", self.patience)
        if self.max_abandon is not None:
            if self.patience is None:
                raise WfmInputError(f"{where}.max_abandon", "needs patience (Erlang A)")
            checks.fraction(f"{where}.max_abandon", self.max_abandon)
        if self.kind == "chat":
            if int(self.concurrency) != self.concurrency or self.concurrency < 1:
                raise WfmInputError(f"{where}.concurrency", "must be a whole number ≥ 1")
            checks.nonnegative(f"{where}.concurrency_penalty", self.concurrency_penalty)
        elif self.concurrency != 1:
            raise WfmInputError(f"{where}.concurrency", "only chat holds several contacts")
        return self


#: A starting point per channel (deadlines: email 24 h, web form 24 h, social/SMS 1 h).
DEFAULT_POLICIES: dict[str, ChannelPolicy] = {
    "phone": ChannelPolicy("phone", service_level=0.8, answer_within=20, max_occupancy=0.9),
    "chat": ChannelPolicy(
        "chat",
        service_level=0.8,
        answer_within=60,
        max_occupancy=0.9,
        concurrency=2,
        concurrency_penalty=0.25,
    ),
    **{
        name: ChannelPolicy("async", deadline=deadline, max_occupancy=0.95)
        for name, deadline in (
            ("email", 86_400.0),
            ("webform", 86_400.0),
            ("social", 3_600.0),
            ("messenger", 3_600.0),
            ("instagram", 3_600.0),
            ("whatsapp", 3_600.0),
            ("x", 3_600.0),
            ("sms", 3_600.0),
        )
    },
}


@dataclass(frozen=True, slots=True)
class Demand:
    """Forecast contacts: one row per (interval, channel). Interval 0 starts at midnight."""

    interval: IntArray
    channel: Sequence[str]
    volume: FloatArray
    aht_seconds: FloatArray

    @classmethod
    def of(
        cls,
        interval: npt.ArrayLike,
        channel: Sequence[str],
        volume: npt.ArrayLike,
        aht_seconds: npt.ArrayLike,
    ) -> Demand:
        """Checked columns: volumes ≥ 0, AHT > 0, interval indexes ≥ 0 and whole, each
        (interval, channel) once."""
        idx = checks.nonnegative("interval", interval)
        bad = idx != np.floor(idx)
        if bad.any():
            raise WfmInputError(f"interval[{int(np.argmax(bad))}]", "must be a whole index")
        vol = checks.nonnegative("volume", volume)
        aht = checks.positive("aht_seconds", aht_seconds)
        names = [str(c) for c in channel]
        if not (len(idx) == len(names) == len(vol) == len(aht)):
            raise WfmInputError("channel", "every column needs one value per row")
        rows = cls(idx.astype(np.int64), names, vol, aht)
        seen: set[tuple[int, str]] = set()
        for i, key in enumerate(zip(rows.interval.tolist(), names, strict=True)):
            if key in seen:
                raise WfmInputError(f"interval[{i}]", f"{key[1]} interval {key[0]} given twice")
            seen.add(key)
        return rows


@dataclass(slots=True)
class ChannelPlan:
    """One channel's requirement over every interval 0..n−1 (dense arrays)."""

    channel: str
    kind: Kind
    volume: FloatArray
    aht_seconds: FloatArray
    workload: FloatArray  # erlangs (async: agent-hours of new work per hour)
    agents: IntArray
    scheduled: FloatArray
    service_level: FloatArray  # live channels; NaN for async
    asa: FloatArray  # seconds; NaN for async
    occupancy: FloatArray
    abandon: FloatArray  # Erlang A; NaN otherwise
    backlog: FloatArray  # async: items still open at the interval's end; NaN for live


@dataclass(slots=True)
class StaffingPlan:
    interval_seconds: float
    channels: list[ChannelPlan]
    fte_hours_per_week: float
    days_per_week: float
    days: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    def fte_per_day(self) -> dict[str, FloatArray]:
        """Scheduled agent-hours per day ÷ a contract's daily hours, per channel and total."""
        per_day = round(86_400 / self.interval_seconds)
        hours_per_day = self.fte_hours_per_week / self.days_per_week
        out: dict[str, FloatArray] = {}
        n_days = int(self.days.max()) + 1 if len(self.days) else 0
        for plan in self.channels:
            hours = plan.scheduled * self.interval_seconds / 3600
            out[plan.channel] = (
                np.bincount(np.arange(len(hours)) // per_day, weights=hours, minlength=n_days)
                / hours_per_day
            )
        out["total"] = sum(out.values(), np.zeros(n_days))
        return out

    def fte_per_week(self) -> dict[str, FloatArray]:
        """Scheduled agent-hours per 7-day week ÷ ``fte_hours_per_week``."""
        hours_per_day = self.fte_hours_per_week / self.days_per_week
        out: dict[str, FloatArray] = {}
        for name, daily in self.fte_per_day().items():
            weeks = np.arange(len(daily)) // 7
            out[name] = np.bincount(weeks, weights=daily * hours_per_day) / self.fte_hours_per_week
        return out

    def rows(self) -> list[dict[str, Any]]:
        """One dict per (interval, channel), NaN/inf as None (JSON-safe)."""
        out: list[dict[str, Any]] = []
        for p in self.channels:
            cols = {
                "volume": p.volume,
                "aht_seconds": p.aht_seconds,
                "workload_erlangs": p.workload,
                "agents": p.agents,
                "scheduled": p.scheduled,
                "service_level": p.service_level,
                "asa_seconds": p.asa,
                "occupancy": p.occupancy,
                "abandon": p.abandon,
                "backlog": p.backlog,
            }
            lists = {k: v.tolist() for k, v in cols.items()}
            for i in range(len(p.volume)):
                row: dict[str, Any] = {"interval": i, "channel": p.channel, "kind": p.kind}
                for key, values in lists.items():
                    v = values[i]
                    row[key] = v if isinstance(v, int) or math.isfinite(v) else None
                out.append(row)
        return out


def _dense(
    demand: Demand, name: str, n: int, rows: IntArray
) -> tuple[FloatArray, FloatArray, IntArray]:
    vol = np.zeros(n)
    aht = np.full(n, float(np.average(demand.aht_seconds[rows])))
    at = demand.interval[rows]
    vol[at] = demand.volume[rows]
    aht[at] = demand.aht_seconds[rows]
    return vol, aht, at


def staff(
    demand: Demand,
    policies: Mapping[str, ChannelPolicy],
    *,
    interval_seconds: float = 1800.0,
    fte_hours_per_week: float = 35.0,
    days_per_week: float = 5.0,
    intervals: int | None = None,
) -> StaffingPlan:
    """Agents per interval for every channel of ``demand`` (see the module's models).

    ``intervals`` is the horizon (default: up to the last interval given); missing
    (interval, channel) rows have no volume.
    """
    L = float(checks.positive("interval_seconds", interval_seconds))
    if 86_400 % L:
        raise WfmInputError("interval_seconds", "must divide a day (900, 1800, 3600 …)")
    checks.positive("fte_hours_per_week", fte_hours_per_week)
    checks.positive("days_per_week", days_per_week)
    n = int(demand.interval.max()) + 1 if len(demand.interval) else 0
    if intervals is not None:
        if intervals < n:
            raise WfmInputError("intervals", f"the demand reaches interval {n - 1}")
        n = intervals
    rows_of: dict[str, list[int]] = {}
    for i, c in enumerate(demand.channel):  # one pass: many channels stay linear
        rows_of.setdefault(c, []).append(i)
    names = list(rows_of)
    plans: list[ChannelPlan] = []
    asyncs: list[tuple[str, ChannelPolicy, FloatArray, FloatArray]] = []
    for name in names:
        if name not in policies:
            raise WfmInputError(f"channels.{name}", "no staffing policy for this channel")
        policy = policies[name].checked(name)
        vol, aht, _ = _dense(demand, name, n, np.asarray(rows_of[name], dtype=np.int64))
        if policy.kind == "async":
            asyncs.append((name, policy, vol, aht))
        else:
            plans.append(_live(name, policy, vol, aht, L))
    plans.extend(_asynchronous(asyncs, L))
    order = {name: i for i, name in enumerate(names)}
    plans.sort(key=lambda p: order[p.channel])
    days = np.arange(n) // round(86_400 / L)
    return StaffingPlan(L, plans, float(fte_hours_per_week), float(days_per_week), days)


def _live(
    name: str, policy: ChannelPolicy, vol: FloatArray, aht: FloatArray, L: float
) -> ChannelPlan:
    """Phone (Erlang C or A) and chat (Erlang C on k slots per agent)."""
    k = int(policy.concurrency)
    aht_k = aht * (1.0 + policy.concurrency_penalty * (k - 1))
    traffic = vol / L * aht_k
    nan = np.full(len(vol), np.nan)
    if policy.patience is not None:
        agents = erlang.erlang_a_agents(
            traffic,
            aht_k,
            policy.patience,
            service_level_target=policy.service_level,
            answer_within=policy.answer_within,
            asa_target=policy.asa,
            max_abandon=policy.max_abandon,
            max_occupancy=policy.max_occupancy,
        )
        m = erlang.erlang_a(agents, traffic, aht_k, policy.patience, policy.answer_within)
        sl, asa, occ, abandon = m.service_level, m.asa, m.occupancy, m.p_abandon
    else:
        slots = erlang.erlang_c_agents(
            traffic,
            aht_k,
            service_level_target=policy.service_level,
            answer_within=policy.answer_within,
            asa_target=policy.asa,
            max_occupancy=policy.max_occupancy,
        )
        agents = -(-slots // k)
        servers = (agents * k).astype(np.float64)
        sl = erlang._sl(servers, traffic, aht_k, np.full(len(vol), policy.answer_within))
        asa = erlang._asa(servers, traffic, aht_k)
        with np.errstate(divide="ignore", invalid="ignore"):
            occ = np.where(servers > 0, traffic / servers, 0.0)
        abandon = nan
    return ChannelPlan(
        channel=name,
        kind=policy.kind,
        volume=vol,
        aht_seconds=aht,
        workload=traffic,
        agents=agents.astype(np.int64),
        scheduled=agents / (1.0 - policy.shrinkage),
        service_level=np.asarray(sl, dtype=np.float64),
        asa=np.asarray(asa, dtype=np.float64),
        occupancy=np.asarray(occ, dtype=np.float64),
        abandon=np.asarray(abandon, dtype=np.float64),
        backlog=nan.copy(),
    )


def _asynchronous(
    channels: list[tuple[str, ChannelPolicy, FloatArray, FloatArray]], L: float
) -> list[ChannelPlan]:
    """Deadline-driven staffing with the backlog carried across intervals, all the
    asynchronous channels at once (rows of one array)."""
    if not channels:
        return []
    C, n = len(channels), len(channels[0][2])
    vol = np.stack([c[2] for c in channels])
    aht = np.stack([c[3] for c in channels])
    occ = np.array([c[1].max_occupancy for c in channels])
    d = np.array([max(1, int((c[1].deadline or 0) // L)) for c in channels])
    width = int(d.max())
    work = vol * aht  # agent-seconds arriving per interval
    # Earliest-due-first with every deadline met means the backlog is always "work arrived
    # minus work done": the work due by the end of interval u is the work that arrived up to
    # interval u − d + 1, so at interval t the backlog due by t + j (j < d) is
    # max(arrived[t − d + 1 + j] − done, 0); one number per channel carries the state.
    arrived = np.zeros((C, n + width))  # arrived[:, width + i] = work arrived up to i
    arrived[:, width:] = np.cumsum(work, axis=1)
    j = np.arange(width)
    offset = width - d[:, None] + 1 + np.minimum(j[None, :], d[:, None] - 1)
    horizon = (j + 1.0)[None, :]
    per_agent = L * occ
    rows = np.arange(C)[:, None]
    agents = np.zeros((C, n), dtype=np.int64)
    done_total = np.zeros((C, n))
    done = np.zeros(C)
    for t in range(n):
        backlog_due = np.maximum(arrived[rows, offset + t] - done[:, None], 0.0)
        rate = (backlog_due / horizon).max(axis=1)
        need = np.ceil(rate / per_agent - 1e-9).astype(np.int64)
        done = np.minimum(done + need * per_agent, arrived[:, width + t])
        agents[:, t] = need
        done_total[:, t] = done
    worked = np.diff(done_total, axis=1, prepend=0.0)
    # items: within one arrival interval every item has that interval's AHT, so the items
    # done follow the work done piecewise linearly
    items = np.cumsum(vol, axis=1)
    backlog = np.empty((C, n))
    for c in range(C):
        xp = np.concatenate([[0.0], arrived[c, width:]])
        fp = np.concatenate([[0.0], items[c]])
        backlog[c] = items[c] - np.interp(done_total[c], xp, fp)
    plans = []
    for c, (name, policy, v, h) in enumerate(channels):
        with np.errstate(divide="ignore", invalid="ignore"):
            busy = np.where(agents[c] > 0, worked[c] / (agents[c] * L), 0.0)
        nan = np.full(n, np.nan)
        plans.append(
            ChannelPlan(
                channel=name,
                kind="async",
                volume=v,
                aht_seconds=h,
                workload=work[c] / L,
                agents=agents[c],
                scheduled=agents[c] / (1.0 - policy.shrinkage),
                service_level=nan,
                asa=nan.copy(),
                occupancy=busy,
                abandon=nan.copy(),
                backlog=np.maximum(backlog[c], 0.0),
            )
        )
    return plans
