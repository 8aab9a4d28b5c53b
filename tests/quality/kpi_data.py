# ruff: noqa: E501  (the data table reads best one case a line)
"""The KPI tests' fixed data set: brand acme (Europe/Paris, UTC+1 in November), 13 cases.

Days are acme-local: Tue 10, Wed 11 (Armistice: a French public holiday) and Thu 12
November 2026; default business hours Mon-Fri 09:00-18:00 local = 08:00-17:00 UTC.
Teams: "Paris" (acme's own, agent A) and "Lille digital" (provider callpro, agent P).
Times below are UTC. Every KPI of tests/quality/test_kpis.py is computed by hand from
this table (see the comments there).

| case | channel   | reason       | queue   | team (case) | what happens |
|------|-----------|--------------|---------|-------------|--------------|
| C0   | email     | other        | general | Paris       | 9 Nov 10:00 in; never answered (backlog before the period) |
| C1   | email     | delivery     | general | Paris       | 10 Nov 08:00 in; A 09:00; resolved 10:00 |
| C2   | email     | refund       | general | Lille       | 10 Nov 16:00 in (Tue 17:00 local); P Thu 12 Nov 09:00 (across the holiday); in 12 Nov 09:30; P 11:30; open |
| C3   | chat      | order        | live    | Paris       | 10 Nov 10:00:00 in (s3); A chat 10:00:45; resolved 10:10 |
| C4   | chat      | availability | live    | Paris       | 10 Nov 11:00 chat in (s4), nobody answers (abandoned); 13:00 email in; A email 14:00; open |
| C5   | phone     | delivery     | live    | Paris       | 10 Nov 12:00 missed call; 12:30 answered call (wait 15 s); resolved 12:40 |
| C6   | whatsapp  | delivery     | social  | Lille       | 11 Nov 09:00 in; P 09:30; resolved 10:00; 12 Nov 08:00 in (reopened); P 08:20; resolved 09:00 |
| C7   | email     | return       | general | Lille       | 11 Nov 10:00 in; merged into C8 (its message moved there) |
| C8   | messenger | return       | social  | Lille       | (C7's email 11 Nov 10:00); 10:05 messenger in; P messenger 10:35; open |
| C9   | sms       | payment      | social  | Paris       | 11 Nov 15:00 in; never answered |
| C10  | email     | return       | general | Paris       | 12 Nov 07:00 in; A 08:30; 10:00 webform in; A email 11:00; resolved 11:30 |
| C11  | phone     | refund       | live    | Paris       | 12 Nov 13:00 voicemail; A calls back 13:10 (answered) |
| C12  | chat      | order        | live    | Paris (!)   | 12 Nov 14:00 chat in (s12); P chat 14:03; resolved 14:10 — P answered first, so Lille |
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from omnicase.model import Case, Customer, Event, Message, Organisation, Team
from omnicase.services.orgs import do_create_team, do_create_user
from omnicase.store.db import Database
from tests.factories import World, make_world


def t(day: int, hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return datetime(2026, 11, day, hh, mm, ss, tzinfo=UTC)


@dataclass
class Data:
    world: World
    brand_id: int
    internal_team: int
    provider_team: int
    agent_a: int
    agent_p: int
    cases: dict[str, int] = field(default_factory=dict)


# (name, channel, reason, queue, team, resolved_at, status, messages, reopened)
# message: (at, channel, direction, author "A"/"P"/None, meta, conversation)
CASES: list[tuple[Any, ...]] = [
    (
        "C0",
        "email",
        "other",
        "general",
        "in",
        None,
        "open",
        [(t(9, 10), "email", "in", None, {}, None)],
    ),
    (
        "C1",
        "email",
        "delivery",
        "general",
        "in",
        t(10, 10),
        "resolved",
        [
            (t(10, 8), "email", "in", None, {}, None),
            (t(10, 9), "email", "out", "A", {}, None),
        ],
    ),
    (
        "C2",
        "email",
        "refund",
        "general",
        "pr",
        None,
        "open",
        [
            (t(10, 16), "email", "in", None, {}, None),
            (t(12, 9), "email", "out", "P", {}, None),
            (t(12, 9, 30), "email", "in", None, {}, None),
            (t(12, 11, 30), "email", "out", "P", {}, None),
        ],
    ),
    (
        "C3",
        "chat",
        "order",
        "live",
        "in",
        t(10, 10, 10),
        "resolved",
        [
            (t(10, 10), "chat", "in", None, {}, "s3"),
            (t(10, 10, 0, 45), "chat", "out", "A", {}, "s3"),
        ],
    ),
    (
        "C4",
        "chat",
        "availability",
        "live",
        "in",
        None,
        "open",
        [
            (t(10, 11), "chat", "in", None, {}, "s4"),
            (t(10, 13), "email", "in", None, {}, None),
            (t(10, 14), "email", "out", "A", {}, None),
        ],
    ),
    (
        "C5",
        "phone",
        "delivery",
        "live",
        "in",
        t(10, 12, 40),
        "resolved",
        [
            (t(10, 12), "phone", "in", None, {"call": {"outcome": "missed"}}, "call:5a"),
            (
                t(10, 12, 30),
                "phone",
                "in",
                None,
                {"call": {"outcome": "answered", "wait_s": 15}},
                "call:5b",
            ),
        ],
    ),
    (
        "C6",
        "whatsapp",
        "delivery",
        "social",
        "pr",
        t(12, 9),
        "resolved",
        [
            (t(11, 9), "whatsapp", "in", None, {}, None),
            (t(11, 9, 30), "whatsapp", "out", "P", {}, None),
            (t(12, 8), "whatsapp", "in", None, {}, None),
            (t(12, 8, 20), "whatsapp", "out", "P", {}, None),
        ],
    ),
    ("C7", "email", "return", "general", "pr", None, "open", []),
    (
        "C8",
        "messenger",
        "return",
        "social",
        "pr",
        None,
        "open",
        [
            (t(11, 10), "email", "in", None, {}, None),  # moved from C7 by the merge
            (t(11, 10, 5), "messenger", "in", None, {}, None),
            (t(11, 10, 35), "messenger", "out", "P", {}, None),
        ],
    ),
    (
        "C9",
        "sms",
        "payment",
        "social",
        "in",
        None,
        "open",
        [(t(11, 15), "sms", "in", None, {}, None)],
    ),
    (
        "C10",
        "email",
        "return",
        "general",
        "in",
        t(12, 11, 30),
        "resolved",
        [
            (t(12, 7), "email", "in", None, {}, None),
            (t(12, 8, 30), "email", "out", "A", {}, None),
            (t(12, 10), "webform", "in", None, {}, None),
            (t(12, 11), "email", "out", "A", {}, None),
        ],
    ),
    (
        "C11",
        "phone",
        "refund",
        "live",
        "in",
        None,
        "open",
        [
            (t(12, 13), "phone", "in", None, {"call": {"outcome": "voicemail"}}, "call:11a"),
            (t(12, 13, 10), "phone", "out", "A", {"call": {"outcome": "answered"}}, "call:11b"),
        ],
    ),
    (
        "C12",
        "chat",
        "order",
        "live",
        "in",
        t(12, 14, 10),
        "resolved",
        [
            (t(12, 14), "chat", "in", None, {}, "s12"),
            (t(12, 14, 3), "chat", "out", "P", {}, "s12"),
        ],
    ),
]


def build(db: Database) -> Data:
    """The data set, with one event per message (and the reopening, the merge)."""
    world = make_world(db)
    with db.transaction() as s:
        acme = s.get(Organisation, world.ids["acme"])
        assert acme is not None
        paris = do_create_team(s, acme, "Paris")
        agent_a = do_create_user(s, acme, email="a@acme.test", name="A", role="agent", team=paris)
        provider_team = s.get(Team, world.ids["team"])
        assert provider_team is not None
        data = Data(
            world, acme.id, paris.id, provider_team.id, agent_a.id, world.ids["callpro:agent"]
        )
        teams = {"in": paris.id, "pr": provider_team.id}
        authors = {"A": agent_a.id, "P": data.agent_p}
        n = 0
        for name, channel, reason, queue, team, resolved, status, messages, *_ in CASES:
            customer = Customer(brand_id=acme.id, name=f"customer {name}")
            s.add(customer)
            s.flush()
            inbound = [m[0] for m in messages if m[2] == "in"]
            first = min(inbound) if inbound else t(11, 10)
            case = Case(
                brand_id=acme.id,
                customer_id=customer.id,
                status=status,
                channel=channel,
                reason=reason,
                queue=queue,
                team_id=teams[team],
                first_inbound_at=first,
                resolved_at=resolved,
                message_count=len(messages),
                created_at=first,
            )
            s.add(case)
            s.flush()
            data.cases[name] = case.id
            for at, ch, direction, author, meta, conv in messages:
                n += 1
                msg = Message(
                    brand_id=acme.id,
                    case_id=case.id,
                    customer_id=customer.id,
                    channel=ch,
                    direction="inbound" if direction == "in" else "outbound",
                    external_id=f"kpi-{n}",
                    conversation_id=conv,
                    author_user_id=authors.get(author) if author else None,
                    meta=meta,
                    received_at=at,
                    link_rule="test",
                )
                s.add(msg)
                s.flush()
                kind = "message.received" if direction == "in" else "message.sent"
                s.add(Event(brand_id=acme.id, kind=kind, case_id=case.id, message_id=msg.id, at=at))
        c7 = s.get(Case, data.cases["C7"])
        assert c7 is not None
        c7.merged_into_id = data.cases["C8"]
        c7.status = "closed"
        s.add(
            Event(brand_id=acme.id, kind="case.merged", case_id=data.cases["C8"], at=t(11, 10, 40))
        )
        s.add(Event(brand_id=acme.id, kind="case.reopened", case_id=data.cases["C6"], at=t(12, 8)))
    return data
