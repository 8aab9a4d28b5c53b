"""A case's service-level clocks, as a pure state machine (no database).

Three targets can be counted for a case: the **first response** (from the customer's
first contact to our first answer), the **next response** (from a customer's message
that follows an answer to the answer to it) and the **resolution** (from the first contact
to resolved). Each running target is a :class:`Target` with its start, its at-risk time,
its due time and its stage (ok → at_risk → breached: each step happens once). Time is
counted on a :class:`Basis`: a business calendar or plain elapsed time.

While the case waits on the customer (pending) or is resolved, every clock is paused;
resuming moves each due and at-risk time by the time that was left on it, counted on the
same basis, so a pause never eats into a target. The whole state is kept as JSON on the
case (``cases.sla_clock``) with the due times mirrored in columns for queries.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

FIRST_RESPONSE = "first_response"
NEXT_RESPONSE = "next_response"
RESOLUTION = "resolution"
CLOCKS = (FIRST_RESPONSE, NEXT_RESPONSE, RESOLUTION)

OK, AT_RISK, BREACHED = "ok", "at_risk", "breached"
STAGES = (OK, AT_RISK, BREACHED)


class Basis(Protocol):
    """How target time is counted."""

    def add(self, start: datetime, seconds: float) -> datetime: ...

    def between(self, start: datetime, end: datetime) -> float: ...


class ElapsedTime:
    """Calendar time: every second counts (real-time channels)."""

    def add(self, start: datetime, seconds: float) -> datetime:
        return start + timedelta(seconds=seconds) if seconds > 0 else start

    def between(self, start: datetime, end: datetime) -> float:
        return (end - start).total_seconds()


ELAPSED = ElapsedTime()


@dataclass(frozen=True, slots=True)
class Targets:
    """What a case is held to, copied from its policy when its clock starts (a policy
    edited later applies to new cases; the case keeps what it was promised)."""

    first_response: int
    next_response: int | None
    resolution: int | None
    business_hours: bool
    calendar_id: int | None
    at_risk_percent: int
    policy_id: int | None
    policy: str

    def seconds(self, clock: str) -> int | None:
        return {
            FIRST_RESPONSE: self.first_response,
            NEXT_RESPONSE: self.next_response,
            RESOLUTION: self.resolution,
        }[clock]


@dataclass(slots=True)
class Target:
    start: datetime
    risk: datetime
    due: datetime
    stage: str = OK


@dataclass(frozen=True, slots=True)
class Transition:
    """A clock moved to ``stage``. ``live`` is False when it was found only as the
    answer or the resolution came in late: it is recorded, but there is nothing left to
    escalate."""

    clock: str
    stage: str
    due: datetime
    live: bool = True
    #: When the target started: two next-response targets of one case may share a due
    #: time (both started before the same opening hour), never a start.
    start: datetime | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    """A target met or missed: the answer or the resolution came ``at``."""

    clock: str
    at: datetime
    due: datetime
    met: bool


@dataclass
class SlaClock:
    targets: Targets
    started: bool = False
    answered: bool = False
    clocks: dict[str, Target] = field(default_factory=dict)
    paused_at: datetime | None = None
    paused_seconds: float = 0.0
    breached_at: datetime | None = None
    breaches: int = 0
    outcomes: dict[str, Outcome] = field(default_factory=dict)

    # ---- events of the case --------------------------------------------------------------
    def start(self, basis: Basis, clock: str, at: datetime) -> None:
        seconds = self.targets.seconds(clock)
        if seconds is None:
            return
        risk = basis.add(at, seconds * self.targets.at_risk_percent / 100)
        self.clocks[clock] = Target(at, risk, basis.add(at, seconds))

    def inbound(self, basis: Basis, at: datetime) -> None:
        """The customer wrote (or called) at ``at``."""
        if self.paused_at is not None:
            self.resume(basis, at)
        if not self.started:
            self.started = True
            self.start(basis, FIRST_RESPONSE, at)
            self.start(basis, RESOLUTION, at)
        elif self.answered and NEXT_RESPONSE not in self.clocks:
            self.start(basis, NEXT_RESPONSE, at)

    def outbound(self, at: datetime) -> list[Transition]:
        """We answered at ``at``: the response clock running stops, met or missed."""
        if not self.started:
            return []
        late: list[Transition] = []
        for clock in (FIRST_RESPONSE, NEXT_RESPONSE):
            target = self.clocks.get(clock)
            if target is None or at < target.start:
                continue
            del self.clocks[clock]
            late.extend(self._outcome(clock, target, at))
        self.answered = True
        return late

    def pause(self, at: datetime) -> None:
        if self.paused_at is None:
            self.paused_at = at

    def resume(self, basis: Basis, at: datetime) -> None:
        """Every clock gets back the time it had left when it was paused."""
        paused = self.paused_at
        if paused is None:
            return
        self.paused_at = None
        if at <= paused:
            return
        self.paused_seconds += max(0.0, basis.between(paused, at))
        for target in self.clocks.values():
            target.risk = _shifted(basis, target.risk, paused, at)
            target.due = _shifted(basis, target.due, paused, at)

    def resolve(self, at: datetime) -> list[Transition]:
        """Resolved at ``at``: the resolution target is met or missed; everything pauses
        (a reopening resumes it)."""
        late: list[Transition] = []
        target = self.clocks.get(RESOLUTION)
        if target is not None:
            late = self._outcome(RESOLUTION, target, at)
        self.pause(at)
        return late

    def reopen(self, basis: Basis, at: datetime) -> None:
        """Reopened by a person: clocks resume, and a new answer is owed."""
        self.resume(basis, at)
        if self.answered and NEXT_RESPONSE not in self.clocks:
            self.start(basis, NEXT_RESPONSE, at)

    def close(self) -> None:
        self.clocks.clear()
        self.paused_at = None

    # ---- the passing of time ----------------------------------------------------------
    def due_transitions(self, now: datetime) -> list[Transition]:
        """Stages reached by ``now`` (paused clocks never move). A target found past due
        goes straight to breached: being at risk is news only before that."""
        if self.paused_at is not None:
            return []
        moved: list[Transition] = []
        for clock in CLOCKS:
            target = self.clocks.get(clock)
            if target is None or target.stage == BREACHED:
                continue
            if now >= target.due:
                moved.append(self._breach(clock, target, now, live=True))
            elif target.stage == OK and now >= target.risk:
                target.stage = AT_RISK
                moved.append(Transition(clock, AT_RISK, target.due, start=target.start))
        return moved

    def next_check(self) -> datetime | None:
        """When a stage will next be reached (None: nothing to watch)."""
        if self.paused_at is not None:
            return None
        times = [
            t.risk if t.stage == OK else t.due for t in self.clocks.values() if t.stage != BREACHED
        ]
        return min(times) if times else None

    @property
    def state(self) -> str:
        """The worst stage of the clocks still counting or paused."""
        stages = {t.stage for t in self.clocks.values()}
        return next((s for s in reversed(STAGES) if s in stages), OK)

    def due(self, clock: str) -> datetime | None:
        target = self.clocks.get(clock)
        if target is not None:
            return target.due
        outcome = self.outcomes.get(clock)
        return outcome.due if outcome is not None and clock != NEXT_RESPONSE else None

    # ---- internals --------------------------------------------------------------------
    def _outcome(self, clock: str, target: Target, at: datetime) -> list[Transition]:
        effective = self.paused_at if self.paused_at is not None else at
        met = effective <= target.due
        self.outcomes[clock] = Outcome(clock, at, target.due, met)
        if met or target.stage == BREACHED:
            return []
        return [self._breach(clock, target, at, live=False)]

    def _breach(self, clock: str, target: Target, at: datetime, *, live: bool) -> Transition:
        target.stage = BREACHED
        self.breaches += 1
        if self.breached_at is None:
            self.breached_at = min(at, target.due) if live else target.due
        return Transition(clock, BREACHED, target.due, live, start=target.start)

    # ---- storage ----------------------------------------------------------------------
    def to_json(self) -> dict[str, Any]:
        t = self.targets
        return {
            "targets": {
                "policy_id": t.policy_id,
                "policy": t.policy,
                "first_response": t.first_response,
                "next_response": t.next_response,
                "resolution": t.resolution,
                "business_hours": t.business_hours,
                "calendar_id": t.calendar_id,
                "at_risk_percent": t.at_risk_percent,
            },
            "started": self.started,
            "answered": self.answered,
            "clocks": {
                name: {
                    "start": c.start.isoformat(),
                    "risk": c.risk.isoformat(),
                    "due": c.due.isoformat(),
                    "stage": c.stage,
                }
                for name, c in self.clocks.items()
            },
            "paused_at": _iso(self.paused_at),
            "paused_seconds": round(self.paused_seconds, 3),
            "breached_at": _iso(self.breached_at),
            "breaches": self.breaches,
            "outcomes": {
                name: {"at": o.at.isoformat(), "due": o.due.isoformat(), "met": o.met}
                for name, o in self.outcomes.items()
            },
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SlaClock:
        t = data["targets"]
        return cls(
            targets=Targets(
                first_response=int(t["first_response"]),
                next_response=t.get("next_response"),
                resolution=t.get("resolution"),
                business_hours=bool(t.get("business_hours")),
                calendar_id=t.get("calendar_id"),
                at_risk_percent=int(t.get("at_risk_percent", 80)),
                policy_id=t.get("policy_id"),
                policy=str(t.get("policy", "")),
            ),
            started=bool(data.get("started")),
            answered=bool(data.get("answered")),
            clocks={
                name: Target(
                    datetime.fromisoformat(c["start"]),
                    datetime.fromisoformat(c["risk"]),
                    datetime.fromisoformat(c["due"]),
                    c.get("stage", OK),
                )
                for name, c in (data.get("clocks") or {}).items()
            },
            paused_at=_dt(data.get("paused_at")),
            paused_seconds=float(data.get("paused_seconds") or 0.0),
            breached_at=_dt(data.get("breached_at")),
            breaches=int(data.get("breaches") or 0),
            outcomes={
                name: Outcome(
                    name,
                    datetime.fromisoformat(o["at"]),
                    datetime.fromisoformat(o["due"]),
                    bool(o["met"]),
                )
                for name, o in (data.get("outcomes") or {}).items()
            },
        )


def _shifted(basis: Basis, when: datetime, paused: datetime, resumed: datetime) -> datetime:
    """``when`` as it would be had the pause not counted; a time already passed when the
    pause began stays where it was."""
    if when <= paused:
        return when
    return basis.add(resumed, basis.between(paused, when))


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def _dt(value: Any) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else None
