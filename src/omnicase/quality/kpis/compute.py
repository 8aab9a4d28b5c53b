"""Pure per-case KPI facts: one case and its messages in, additive components out.

No database here: :mod:`.rollup` reads the rows and adds the results up. The rules for
what is an answer are those of the SLA clocks (:mod:`omnicase.sla.track`): an outbound
message answers, except a call back nobody picked up; an answered inbound call answers
itself after the caller's wait (``meta.call.wait_s``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from omnicase.quality.kpis import histogram

#: A visitor silent this long has left the chat (the chat adapter's default away time).
CHAT_AWAY = timedelta(minutes=5)
UNANSWERED_CALLS = frozenset({"missed", "voicemail"})


@dataclass(frozen=True, slots=True)
class MessageIn:
    channel: str
    direction: str
    at: datetime
    author_user_id: int | None
    meta: Mapping[str, Any]
    conversation_id: str | None


@dataclass(frozen=True, slots=True)
class Objective:
    """The case's targets (copied from its SLA clock, else its policy) and their basis."""

    first_response: int
    next_response: int
    business_hours: bool


@dataclass(slots=True)
class CaseFacts:
    components: dict[str, int] = field(default_factory=dict)
    durations: dict[str, list[float]] = field(default_factory=dict)
    #: The agent who answered first (None: no answer, or an answered call).
    first_agent_id: int | None = None

    def count(self, name: str, n: int = 1) -> None:
        self.components[name] = self.components.get(name, 0) + n

    def duration(self, hist: str, seconds: float) -> None:
        self.durations.setdefault(hist, []).append(seconds)


def call_of(meta: Mapping[str, Any]) -> Mapping[str, Any]:
    call = meta.get("call")
    return call if isinstance(call, Mapping) else meta


def answer_time(m: MessageIn) -> datetime | None:
    """When this message answers the customer, or None."""
    call = call_of(m.meta) if m.channel == "phone" else {}
    if m.meta.get("kind") == "csat":  # the satisfaction survey answers nothing
        return None
    if m.direction == "outbound":
        return None if call.get("outcome") in UNANSWERED_CALLS else m.at
    if m.channel == "phone" and call.get("outcome") == "answered":
        wait = call.get("wait_s", 0)
        return m.at + timedelta(seconds=float(wait) if isinstance(wait, int | float) else 0.0)
    return None


def case_facts(
    first_at: datetime,
    resolved_at: datetime | None,
    reopens: int,
    messages: Sequence[MessageIn],
    objective: Objective,
    business_between: Callable[[datetime, datetime], float],
) -> CaseFacts:
    """Components of one case (see docs/kpis.md for each definition)."""
    f = CaseFacts()
    f.count("cases")
    first_answer: datetime | None = None
    nr_start: datetime | None = None
    seen: set[str] = set()
    repeat = False

    def within(start: datetime, end: datetime, target: int) -> tuple[float, float, bool]:
        cal = (end - start).total_seconds()
        bus = business_between(start, end)
        return cal, bus, (bus if objective.business_hours else cal) <= target

    for m in sorted(messages, key=lambda m: m.at):
        if m.direction == "inbound":
            f.count("case_contacts")
            if seen and m.channel not in seen and not repeat:
                repeat = True
                f.count("repeat_cross_channel")
                late = first_answer is not None and first_answer <= m.at
                f.count("repeat_after_answer" if late else "repeat_unanswered")
            seen.add(m.channel)
            if first_answer is not None and nr_start is None:
                nr_start = m.at
                f.count("nr_started")
        at = answer_time(m)
        if at is None or at < first_at:
            continue
        if first_answer is None:
            first_answer = at
            f.first_agent_id = m.author_user_id if m.direction == "outbound" else None
            cal, bus, ok = within(first_at, at, objective.first_response)
            f.count("answered")
            f.count("answered_in_objective", int(ok))
            f.count("fr_sum", int(cal))
            f.count("fr_bsum", int(bus))
            f.duration("fr", cal)
            f.duration("fr_b", bus)
        elif nr_start is not None and at >= nr_start:
            cal, bus, ok = within(nr_start, at, objective.next_response)
            f.count("nr_count")
            f.count("nr_in_objective", int(ok))
            f.count("nr_sum", int(cal))
            f.count("nr_bsum", int(bus))
            f.duration("nr", cal)
            f.duration("nr_b", bus)
            nr_start = None
    if resolved_at is not None or reopens:
        f.count("resolved_ever")
    if resolved_at is not None:
        seconds = max(0.0, (resolved_at - first_at).total_seconds())
        f.count("resolved")
        f.count("resolution_sum", int(seconds))
        f.duration("resolution", seconds)
    if reopens:
        f.count("reopened")
    _sessions(f, messages)
    return f


def _sessions(f: CaseFacts, messages: Sequence[MessageIn]) -> None:
    """Chat sessions and inbound calls; a session is abandoned when no agent chat reply
    came while the visitor was there (within :data:`CHAT_AWAY` of one of their lines)."""
    chats: dict[str, list[MessageIn]] = {}
    for m in messages:
        if m.channel == "chat":
            chats.setdefault(m.conversation_id or "", []).append(m)
        elif m.channel == "phone" and m.direction == "inbound":
            outcome = call_of(m.meta).get("outcome")
            if outcome is not None:
                f.count("calls_inbound")
                f.count("calls_unanswered", int(outcome in UNANSWERED_CALLS))
    for lines in chats.values():
        visitor = [m.at for m in lines if m.direction == "inbound"]
        if not visitor:
            continue
        f.count("chat_sessions")
        replied = any(
            any(v <= m.at <= v + CHAT_AWAY for v in visitor)
            for m in lines
            if m.direction == "outbound"
        )
        f.count("chat_abandoned", int(not replied))


def add_facts(
    components: dict[str, int], hists: dict[str, histogram.Histogram], f: CaseFacts
) -> None:
    for name, n in f.components.items():
        components[name] = components.get(name, 0) + n
    for name, values in f.durations.items():
        h = hists.setdefault(name, {})
        for v in values:
            histogram.add(h, v)
