"""Seeded discrete-event simulation of the omnichannel centre.

What is modelled (docs/wfm.md has the details):

* **arrivals**: Poisson per interval from each channel's volume profile, uniform within the
  interval; **handling** exponential or lognormal (mean AHT, coefficient of variation ``cv``);
* **agent groups** with channel skills in priority order, present per interval (shift
  schedule); a group with fewer agents at an interval boundary lets idle agents go first,
  busy ones finish their contact and leave;
* **chat concurrency**: an agent holds up to k chats of one chat channel; each chat lasts
  ``base · (1 + α·(m − 1))`` with m the chats held when it starts; an agent busy on chats
  takes no other channel until they are all finished;
* **abandonment**: a live contact with a ``patience`` (mean seconds, exponential) leaves the
  queue once it has waited that long (never once answered);
* **asynchronous** channels: a FCFS backlog answered within the channel's ``deadline``
  (counted at completion), never abandoned;
* **overflow**: a channel with ``overflow_after`` sends an arriving contact to the provider
  groups' queue when the internal head-of-line wait (live, seconds) or internal backlog
  (async, items) has reached it; provider groups serve only such contacts;
* routing: an arriving contact goes to a chat agent with a free slot, else an idle agent
  (groups in the scenario's order), else waits; a freed agent takes the first non-empty queue
  among its skills.

Service level is the share of **offered** contacts answered within ``answer_within`` (live)
or completed within ``deadline`` (async); contacts still waiting when no agent is left are
``unanswered``. Contacts arriving within the horizon are followed to the end.

Speed: arrivals, handling times and patience are drawn up front with numpy; the loop is a
heapq of completion tuples, lazy abandonment (a queued contact is dropped when it reaches the
head after its patience ran out: no abandonment events) and lazy idle stacks. A single phone
or async channel served FCFS by one group of constant size takes the fast path, the
multi-server recursion ``start = max(arrival, earliest free agent)`` (same draws, same
answers as the event loop).
"""

from __future__ import annotations

import heapq
import math
from collections import deque
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from omnicase.wfm import checks
from omnicase.wfm.errors import WfmInputError
from omnicase.wfm.staffing import KINDS, Kind

Handling = Literal["exponential", "lognormal"]
INF = math.inf


@dataclass(frozen=True, slots=True)
class SimChannel:
    """One channel: its volume per interval and how its contacts behave."""

    name: str
    kind: Kind
    volume: Sequence[float]
    aht: float
    handling: Handling = "exponential"
    cv: float = 1.0
    patience: float | None = None
    answer_within: float = 20.0
    deadline: float | None = None
    concurrency: int = 1
    concurrency_penalty: float = 0.0
    overflow_after: float | None = None


@dataclass(frozen=True, slots=True)
class AgentGroup:
    """Agents with the same skills (channel names, first = highest priority) and schedule:
    ``staff`` agents present in each interval (one number: all day)."""

    name: str
    skills: Sequence[str]
    staff: Sequence[int] | int
    provider: bool = False


@dataclass(frozen=True, slots=True)
class Scenario:
    channels: Sequence[SimChannel]
    groups: Sequence[AgentGroup]
    interval_seconds: float = 1800.0
    seed: int = 0


@dataclass(slots=True)
class ChannelStats:
    offered: int = 0
    answered_internal: int = 0
    answered_provider: int = 0
    overflowed: int = 0
    abandoned: int = 0
    unanswered: int = 0
    within: int = 0
    wait_sum: float = 0.0
    response_sum: float = 0.0
    busy_seconds: float = 0.0
    present_seconds: float = 0.0

    def as_dict(self, kind: str) -> dict[str, Any]:
        answered = self.answered_internal + self.answered_provider
        out: dict[str, Any] = {
            "offered": self.offered,
            "handled_internal": self.answered_internal,
            "handled_provider": self.answered_provider,
            "overflowed": self.overflowed,
            "abandoned": self.abandoned,
            "unanswered": self.unanswered,
            "service_level": self.within / self.offered if self.offered else None,
            "abandon_rate": self.abandoned / self.offered if self.offered else None,
            "occupancy": (
                self.busy_seconds / self.present_seconds if self.present_seconds else None
            ),
        }
        if kind == "async":
            out["mean_response_seconds"] = self.response_sum / answered if answered else None
        else:
            out["asa_seconds"] = self.wait_sum / answered if answered else None
        return out


@dataclass(slots=True)
class SimResult:
    channels: dict[str, dict[str, Any]]
    groups: dict[str, dict[str, Any]]
    contacts: int
    engine: str
    seed: int
    extra: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "contacts": self.contacts,
            "engine": self.engine,
            "seed": self.seed,
            "channels": self.channels,
            "groups": self.groups,
        }


# --------------------------------------------------------------------------- checks


def _schedule(group: AgentGroup, n: int, where: str) -> list[int]:
    if isinstance(group.staff, int | float):
        staff = [group.staff] * n
    else:
        staff = list(group.staff)
        if len(staff) != n:
            raise WfmInputError(f"{where}.staff", f"needs {n} intervals (one per volume)")
    arr = checks.agents(f"{where}.staff", staff)
    return [int(v) for v in arr]


def _check(s: Scenario) -> tuple[int, list[list[int]]]:
    L = float(checks.positive("interval_seconds", s.interval_seconds))
    if not s.channels:
        raise WfmInputError("channels", "give at least one channel")
    if not s.groups:
        raise WfmInputError("groups", "give at least one agent group")
    n = len(s.channels[0].volume)
    names: set[str] = set()
    for i, ch in enumerate(s.channels):
        where = f"channels[{i}]"
        if ch.name in names:
            raise WfmInputError(f"{where}.name", f"{ch.name} is given twice")
        names.add(ch.name)
        if ch.kind not in KINDS:
            raise WfmInputError(f"{where}.kind", f"must be one of {', '.join(KINDS)}")
        if len(ch.volume) != n:
            raise WfmInputError(f"{where}.volume", f"needs {n} intervals like the first channel")
        checks.nonnegative(f"{where}.volume", ch.volume)
        checks.positive(f"{where}.aht", ch.aht)
        if ch.handling not in ("exponential", "lognormal"):
            raise WfmInputError(f"{where}.handling", "exponential or lognormal")
        checks.positive(f"{where}.cv", ch.cv)
        if ch.patience is not None:
            if ch.kind == "async":
                raise WfmInputError(f"{where}.patience", "asynchronous contacts never abandon")
            checks.positive(f"{where}.patience", ch.patience)
        checks.nonnegative(f"{where}.answer_within", ch.answer_within)
        if ch.kind == "async":
            if ch.deadline is None:
                raise WfmInputError(f"{where}.deadline", "an asynchronous channel needs one")
            checks.positive(f"{where}.deadline", ch.deadline)
        if int(ch.concurrency) != ch.concurrency or ch.concurrency < 1:
            raise WfmInputError(f"{where}.concurrency", "must be a whole number ≥ 1")
        if ch.concurrency > 1 and ch.kind != "chat":
            raise WfmInputError(f"{where}.concurrency", "only chat holds several contacts")
        checks.nonnegative(f"{where}.concurrency_penalty", ch.concurrency_penalty)
        if ch.overflow_after is not None:
            checks.nonnegative(f"{where}.overflow_after", ch.overflow_after)
    schedules = []
    gnames: set[str] = set()
    for g, group in enumerate(s.groups):
        where = f"groups[{g}]"
        if group.name in gnames:
            raise WfmInputError(f"{where}.name", f"{group.name} is given twice")
        gnames.add(group.name)
        if not group.skills:
            raise WfmInputError(f"{where}.skills", "give at least one channel")
        for skill in group.skills:
            if skill not in names:
                raise WfmInputError(f"{where}.skills", f"no channel named {skill}")
        schedules.append(_schedule(group, n, where))
    del L
    return n, schedules


# --------------------------------------------------------------------------- draws


def _draws(
    s: Scenario, rng: np.random.Generator
) -> tuple[list[float], list[int], list[float], list[float]]:
    """Every contact's arrival, channel, base handling time and patience deadline, in
    arrival order (drawn channel by channel: the same seed gives the same contacts)."""
    L = float(s.interval_seconds)
    times, chans, service, deadlines = [], [], [], []
    for c, ch in enumerate(s.channels):
        vol = np.asarray(ch.volume, dtype=np.float64)
        counts = rng.poisson(vol)
        start = np.repeat(np.arange(len(vol)) * L, counts)
        t = np.sort(start + rng.random(start.size) * L)
        if ch.handling == "lognormal":
            sigma2 = math.log1p(ch.cv**2)
            h = rng.lognormal(math.log(ch.aht) - sigma2 / 2, math.sqrt(sigma2), t.size)
        else:
            h = rng.exponential(ch.aht, t.size)
        if ch.patience is not None:
            d = t + rng.exponential(ch.patience, t.size)
        else:
            d = np.full(t.size, INF)
        times.append(t)
        chans.append(np.full(t.size, c, dtype=np.int64))
        service.append(h)
        deadlines.append(d)
    all_t = np.concatenate(times)
    order = np.argsort(all_t, kind="stable")
    return (
        all_t[order].tolist(),
        np.concatenate(chans)[order].tolist(),
        np.concatenate(service)[order].tolist(),
        np.concatenate(deadlines)[order].tolist(),
    )


# --------------------------------------------------------------------------- entry point


def simulate(scenario: Scenario, *, engine: Literal["auto", "events"] = "auto") -> SimResult:
    """Run the scenario; ``engine="events"`` forces the general event loop."""
    n, schedules = _check(scenario)
    rng = np.random.default_rng(scenario.seed)
    draws = _draws(scenario, rng)
    if engine == "auto" and _fast_path_applies(scenario, schedules):
        return _fast(scenario, schedules, draws, n)
    return _events(scenario, schedules, draws, n)


def _fast_path_applies(s: Scenario, schedules: list[list[int]]) -> bool:
    if len(s.channels) != 1 or len(s.groups) != 1:
        return False
    ch, group = s.channels[0], s.groups[0]
    staff = schedules[0]
    return (
        ch.concurrency == 1
        and not group.provider
        and ch.overflow_after is None
        and min(staff) == max(staff) > 0
    )


def _result(
    s: Scenario,
    stats: list[ChannelStats],
    group_busy: list[float],
    group_present: list[float],
    contacts: int,
    engine: str,
) -> SimResult:
    groups = {
        g.name: {
            "provider": g.provider,
            "occupancy": group_busy[i] / group_present[i] if group_present[i] else None,
            "busy_hours": group_busy[i] / 3600,
            "present_hours": group_present[i] / 3600,
        }
        for i, g in enumerate(s.groups)
    }
    channels = {ch.name: stats[c].as_dict(ch.kind) for c, ch in enumerate(s.channels)}
    return SimResult(channels, groups, contacts, engine, s.seed)


def _fast(
    s: Scenario,
    schedules: list[list[int]],
    draws: tuple[list[float], list[int], list[float], list[float]],
    n: int,
) -> SimResult:
    """One FCFS channel, one group of c agents all along: ``start = max(t, min free)``."""
    times, _, service, deadlines = draws
    ch = s.channels[0]
    c = schedules[0][0]
    is_async = ch.kind == "async"
    limit = float(ch.deadline) if is_async and ch.deadline is not None else ch.answer_within
    free = [0.0] * c
    replace = heapq.heapreplace
    answered = abandoned = within = 0
    wait_sum = response_sum = busy = 0.0
    for t, h, dl in zip(times, service, deadlines, strict=True):
        f = free[0]
        start = f if f > t else t
        if start > dl:
            abandoned += 1
            continue
        replace(free, start + h)
        answered += 1
        busy += h
        wait = start - t
        wait_sum += wait
        if is_async:
            response = wait + h
            response_sum += response
            within += response <= limit
        else:
            within += wait <= limit
    st = ChannelStats(
        offered=len(times),
        answered_internal=answered,
        abandoned=abandoned,
        within=within,
        wait_sum=wait_sum,
        response_sum=response_sum,
        busy_seconds=busy,
        present_seconds=c * n * float(s.interval_seconds),
    )
    return _result(s, [st], [busy], [st.present_seconds], len(times), "fast-fcfs")


def _events(
    s: Scenario,
    schedules: list[list[int]],
    draws: tuple[list[float], list[int], list[float], list[float]],
    n: int,
) -> SimResult:
    """The general event loop (multi-skill, chat, overflow, shifts)."""
    times, chans, service, deadlines = draws
    L = float(s.interval_seconds)
    C = len(s.channels)
    G = len(s.groups)
    index = {ch.name: c for c, ch in enumerate(s.channels)}
    kind_async = [ch.kind == "async" for ch in s.channels]
    is_chat = [ch.kind == "chat" for ch in s.channels]
    conc = [int(ch.concurrency) for ch in s.channels]
    penalty = [float(ch.concurrency_penalty) for ch in s.channels]
    limit = [
        float(ch.deadline) if ch.kind == "async" and ch.deadline is not None else ch.answer_within
        for ch in s.channels
    ]
    overflow = [ch.overflow_after for ch in s.channels]
    provider_serves = [False] * C
    # queues: 2·c internal, 2·c + 1 provider
    queues: list[deque[int]] = [deque() for _ in range(2 * C)]
    group_queue_skills: list[list[int]] = []
    serving: list[list[int]] = [[] for _ in range(2 * C)]  # groups serving each queue
    for g, group in enumerate(s.groups):
        skills = [index[name] for name in group.skills]
        p = 1 if group.provider else 0
        group_queue_skills.append([2 * c + p for c in skills])
        for c in skills:
            serving[2 * c + p].append(g)
            if group.provider:
                provider_serves[c] = True
    # agents
    agent_group: list[int] = []
    members: list[list[int]] = []
    for g in range(G):
        ids = list(range(len(agent_group), len(agent_group) + max(schedules[g], default=0)))
        agent_group.extend([g] * len(ids))
        members.append(ids)
    A = len(agent_group)
    agent_provider = [1 if s.groups[g].provider else 0 for g in agent_group]
    load = [0] * A
    mode = [-1] * A  # the channel an agent is busy on
    active = [False] * A  # present and taking new work
    off: list[list[int]] = [list(reversed(m)) for m in members]
    idle: list[list[int]] = [[] for _ in range(G)]
    in_idle = [False] * A
    spare: list[list[int]] = [[] for _ in range(G * C)]
    in_spare = [False] * A
    active_count = [0] * G
    stats = [ChannelStats() for _ in range(C)]
    offered = [0] * C
    ans_int = [0] * C
    ans_prov = [0] * C
    within = [0] * C
    wait_sum = [0.0] * C
    resp_sum = [0.0] * C
    abandoned = [0] * C
    overflowed = [0] * C
    busy_gc = [[0.0] * C for _ in range(G)]
    heap: list[tuple[float, int, int, int, int]] = []
    push = heapq.heappush
    pop = heapq.heappop
    seq = 0

    def prune(q: int, now: float) -> deque[int]:
        """Drop the queue's head contacts whose patience ran out (they abandoned)."""
        dq = queues[q]
        while dq and deadlines[dq[0]] < now:
            abandoned[q >> 1] += 1
            dq.popleft()
        return dq

    def start(a: int, k: int, c: int, q: int, now: float) -> None:
        nonlocal seq
        wait = now - times[k]
        if q & 1:
            ans_prov[c] += 1
        else:
            ans_int[c] += 1
        wait_sum[c] += wait
        m = load[a] + 1
        load[a] = m
        mode[a] = c
        h = service[k]
        if is_chat[c]:
            h *= 1.0 + penalty[c] * (m - 1)
            busy_gc[agent_group[a]][c] += h / conc[c]
            if m < conc[c] and not in_spare[a]:
                in_spare[a] = True
                spare[agent_group[a] * C + c].append(a)
        else:
            busy_gc[agent_group[a]][c] += h
        if wait <= limit[c] and not kind_async[c]:
            within[c] += 1
        seq += 1
        push(heap, (now + h, seq, a, k, q))

    def pull(a: int, now: float) -> None:
        """A free (or partly free chat) agent takes work, or goes idle."""
        c = mode[a]
        if c >= 0:  # chats in progress: only more chats of that channel
            q = 2 * c + agent_provider[a]
            dq = prune(q, now)
            while dq and load[a] < conc[c]:
                start(a, dq.popleft(), c, q, now)
                dq = prune(q, now)
            if load[a] < conc[c] and not in_spare[a]:
                in_spare[a] = True
                spare[agent_group[a] * C + c].append(a)
            return
        for q in group_queue_skills[agent_group[a]]:
            dq = prune(q, now)
            if dq:
                c = q >> 1
                start(a, dq.popleft(), c, q, now)
                if is_chat[c]:
                    dq = prune(q, now)
                    while dq and load[a] < conc[c]:
                        start(a, dq.popleft(), c, q, now)
                        dq = prune(q, now)
                return
        if not in_idle[a]:
            in_idle[a] = True
            idle[agent_group[a]].append(a)

    def free_agent(q: int, c: int) -> int:
        """An active agent who can take a contact of queue q now, or −1."""
        chat = is_chat[c]
        k = conc[c]
        for g in serving[q]:
            if chat:
                stack = spare[g * C + c]
                while stack:
                    a = stack.pop()
                    in_spare[a] = False
                    if active[a] and mode[a] == c and load[a] < k:
                        return a
            stack = idle[g]
            while stack:
                a = stack.pop()
                in_idle[a] = False
                if active[a] and load[a] == 0:
                    return a
        return -1

    def set_staff(g: int, want: int, now: float) -> None:
        have = active_count[g]
        if want > have:
            for a in members[g]:  # leaving agents still busy stay instead
                if have == want:
                    break
                if not active[a] and load[a] > 0:
                    active[a] = True
                    have += 1
                    pull(a, now)
            while have < want:
                a = off[g].pop()
                active[a] = True
                have += 1
                pull(a, now)
        elif want < have:
            stack = idle[g]
            while have > want and stack:
                a = stack.pop()
                in_idle[a] = False
                if active[a] and load[a] == 0:
                    active[a] = False
                    off[g].append(a)
                    have -= 1
            for a in members[g]:
                if have == want:
                    break
                if active[a]:
                    active[a] = False  # finishes its contacts, then leaves
                    have -= 1
                    if load[a] == 0:
                        off[g].append(a)
        active_count[g] = have

    for g in range(G):
        set_staff(g, schedules[g][0], 0.0)
    N = len(times)
    i = 0
    b = 1
    while True:
        t_arr = times[i] if i < N else INF
        t_dep = heap[0][0] if heap else INF
        t_b = b * L if b < n else INF
        if t_dep <= t_arr and t_dep <= t_b:
            if t_dep == INF:
                break
            now, _, a, k, q = pop(heap)
            c = q >> 1
            if kind_async[c]:
                response = now - times[k]
                resp_sum[c] += response
                if response <= limit[c]:
                    within[c] += 1
            m = load[a] - 1
            load[a] = m
            if m == 0:
                mode[a] = -1
            if active[a]:
                pull(a, now)
            elif m == 0:
                off[agent_group[a]].append(a)
        elif t_b <= t_arr:
            for g in range(G):
                set_staff(g, schedules[g][b], t_b)
            b += 1
        else:
            now = t_arr
            k = i
            i += 1
            c = chans[k]
            offered[c] += 1
            q = 2 * c
            lim = overflow[c]
            if lim is not None and provider_serves[c]:
                dq = prune(q, now)
                if (kind_async[c] and len(dq) >= lim) or (
                    not kind_async[c] and dq and now - times[dq[0]] >= lim
                ):
                    q += 1
                    overflowed[c] += 1
            a = free_agent(q, c)
            if a >= 0:
                start(a, k, c, q, now)
            else:
                queues[q].append(k)
    for q, dq in enumerate(queues):
        for k in dq:
            if deadlines[k] < INF:
                abandoned[q >> 1] += 1
            else:
                stats[q >> 1].unanswered += 1
    group_present = [sum(schedules[g]) * L for g in range(G)]
    group_busy = [sum(busy_gc[g]) for g in range(G)]
    for c in range(C):
        st = stats[c]
        st.offered = offered[c]
        st.answered_internal = ans_int[c]
        st.answered_provider = ans_prov[c]
        st.overflowed = overflowed[c]
        st.abandoned = abandoned[c]
        st.within = within[c]
        st.wait_sum = wait_sum[c]
        st.response_sum = resp_sum[c]
        for g, group in enumerate(s.groups):
            if group.provider or group_busy[g] == 0:
                continue
            st.busy_seconds += busy_gc[g][c]
            # a group's presence is shared among its channels as its busy time is
            st.present_seconds += group_present[g] * busy_gc[g][c] / group_busy[g]
    return _result(s, stats, group_busy, group_present, N, "events")
