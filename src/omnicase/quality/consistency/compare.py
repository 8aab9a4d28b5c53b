"""Contradictions between a draft and what was said before (answers, macros).

A contradiction is the same slot with values that cannot both be true: no amount in
common (cents compared, so "4,90 €" = "4.90 EUR"), delays whose ranges do not overlap
(business days count as up to 7/5 calendar days plus a weekend, so "5 jours ouvrés" =
"5 business days" = "une semaine"), different dates, opposite decisions (granted vs
refused; a full refund vs a partial one). Generic slots (a number with no cue) are never
compared. Two answers that name different order numbers are about different requests.
Against macros only policy slots count, and a draft contradicts them only when it
agrees with none of the active macros stating that slot (standard and express delivery
are two macros).
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from omnicase.quality.consistency.facts import POLICY_SLOTS, Fact, Value, order_numbers

_GENERIC = frozenset({"amount", "delay", "date", "amount_threshold"})
_OPPOSITE = {
    frozenset({"granted", "refused"}),
    frozenset({"partial", "refused"}),
    frozenset({"full", "refused"}),
    frozenset({"partial", "full"}),
    frozenset({"accepted", "refused"}),
}


@dataclass(frozen=True, slots=True)
class Said:
    """Where the other value was said: an earlier answer or a macro."""

    message_id: int | None = None
    channel: str | None = None
    team: str | None = None
    case: str | None = None
    macro_id: int | None = None
    macro_title: str | None = None


@dataclass(frozen=True, slots=True)
class Finding:
    """One contradiction of the draft with something said before."""

    kind: str
    slot: str
    value: str
    other_value: str
    said: Said


def _delay_range(value: tuple[object, ...]) -> tuple[float, float]:
    family, lo, hi = (str(value[0]), float(str(value[1])), float(str(value[2])))
    if family == "bus":
        return lo, math.ceil(hi * 7 / 5) + 2.0
    return lo, hi


def agree(kind: str, a: Value, b: Value) -> bool:
    """Whether two values of one slot can both be true."""
    if kind == "decision":
        return frozenset({a, b}) not in _OPPOSITE
    if isinstance(a, tuple) and len(a) == 3 and isinstance(b, tuple) and len(b) == 3:
        if a[0] == b[0]:
            (alo, ahi), (blo, bhi) = (
                (float(str(a[1])), float(str(a[2]))),
                (float(str(b[1])), float(str(b[2]))),
            )
            return alo <= bhi + 1e-9 and blo <= ahi + 1e-9
        (alo, ahi), (blo, bhi) = _delay_range(a), _delay_range(b)
        return alo <= bhi + 1e-9 and blo <= ahi + 1e-9
    if isinstance(a, str) and isinstance(b, str) and (a.startswith("--") or b.startswith("--")):
        return a[-5:] == b[-5:]
    return a == b


def show(fact: Fact) -> str:
    """A value as a person reads it."""
    v = fact.value
    if isinstance(v, tuple) and len(v) == 2:
        return f"{int(v[1]) / 100:.2f} {v[0]}"
    if isinstance(v, tuple) and len(v) == 3:
        family, lo, hi = v
        unit = "business days" if family == "bus" else "days"
        span = f"{lo:g}" if lo == hi else f"{lo:g}-{hi:g}"
        return f"{span} {unit}"
    return str(v)


def _by_slot(facts: Iterable[Fact]) -> dict[tuple[str, str], list[Fact]]:
    out: dict[tuple[str, str], list[Fact]] = defaultdict(list)
    for f in facts:
        if f.kind != "order" and f.slot not in _GENERIC:
            out[(f.kind, f.slot)].append(f)
    return out


def compare_facts(draft: Sequence[Fact], other: Sequence[Fact], said: Said) -> list[Finding]:
    """Contradictions of ``draft`` with one earlier answer's facts."""
    mine, theirs = order_numbers(list(draft)), order_numbers(list(other))
    if mine and theirs and not mine & theirs:
        return []  # different orders: different requests
    findings = []
    others = _by_slot(other)
    for key, facts in _by_slot(draft).items():
        previous = others.get(key)
        if not previous:
            continue
        kind = key[0]
        if kind == "decision":
            # one answer's latest word on the decision is what the customer retains
            a, b = facts[-1], previous[-1]
            if not agree(kind, a.value, b.value):
                findings.append(Finding(kind, key[1], show(a), show(b), said))
            continue
        if any(agree(kind, a.value, b.value) for a in facts for b in previous):
            continue
        findings.append(Finding(kind, key[1], show(facts[0]), show(previous[0]), said))
    return findings


def find_contradictions(
    draft: Sequence[Fact],
    answers: Sequence[tuple[Said, Sequence[Fact]]] = (),
    macros: Sequence[tuple[Said, Sequence[Fact]]] = (),
) -> list[Finding]:
    """Every contradiction of the draft with earlier answers, then with the macros."""
    findings: list[Finding] = []
    for said, facts in answers:
        findings.extend(compare_facts(draft, facts, said))
    stated: dict[str, list[tuple[Said, Fact]]] = defaultdict(list)
    for said, facts in macros:
        for f in facts:
            if f.slot in POLICY_SLOTS:
                stated[f.slot].append((said, f))
    for (kind, slot), facts in _by_slot(draft).items():
        policy = stated.get(slot)
        if not policy:
            continue
        if any(agree(kind, a.value, f.value) for a in facts for _, f in policy):
            continue
        said, first = policy[0]
        findings.append(Finding(kind, slot, show(facts[0]), show(first), said))
    return findings
