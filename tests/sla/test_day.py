"""Issue 5's "done means", SLA part: a day of mixed arrivals on Friday 6 November 2026,
across the weekend and Armistice Day (Wednesday 11), gets the right due times; breaches
and escalations fire once each while the check runs again and again."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from omnicase.ingest.pipeline import ingest_one
from omnicase.model import Case
from omnicase.services.cases import do_patch_case
from omnicase.sla.admin import do_create_policy
from omnicase.sla.check import do_check
from omnicase.store.db import Database
from omnicase.store.events_feed import read_events
from tests.factories import make_world, message
from tests.sla.helpers import case, paris, sla_events, who

EMAIL_ESCALATIONS = [
    {"on": "at_risk", "action": "notify"},
    {"on": "breached", "action": "raise_priority"},
    {"on": "breached", "action": "overflow"},
]


def test_a_day_of_mixed_arrivals_across_a_weekend_and_a_public_holiday(db: Database) -> None:
    world = make_world(db)
    admin = who(db, world.ids["acme:admin"])
    agent = who(db, world.ids["acme:agent"])
    with db.transaction() as s:
        do_create_policy(
            s,
            admin,
            {
                "channel": "email",
                "first_response_seconds": 24 * 3600,
                "next_response_seconds": 24 * 3600,
                "business_hours": True,
                "escalations": EMAIL_ESCALATIONS,
            },
        )
    ids: dict[str, int] = {}

    def arrive(name: str, at: datetime, channel: str, text: str, **kw: object) -> None:
        r = ingest_one(
            db, message(channel=channel, at=at, text=text, external_id=f"<{name}>", **kw)
        )  # type: ignore[arg-type]
        ids[name] = r.case_id

    def answer(name: str, at: datetime, channel: str, **kw: object) -> None:
        r = ingest_one(
            db,
            message(
                channel=channel,
                at=at,
                direction="outbound",
                text="Bonjour, c'est noté, nous revenons vers vous.",
                in_reply_to=f"<{name}>" if channel == "email" else None,
                **kw,
            ),
        )  # type: ignore[arg-type]
        assert r.case_id == ids[name]

    def check(at: datetime) -> None:
        for _ in range(2):  # every check twice: the second must find nothing new
            do_check(db, at)

    fri = paris(2026, 11, 6, 0, 0)
    arrive(
        "F1",
        fri.replace(hour=10),
        "webform",
        "Formulaire : le canapé est arrivé abîmé.",
        email="f1@example.fr",
    )
    arrive(
        "C1",
        fri.replace(hour=11),
        "chat",
        "Avez-vous la lampe Orsa en bleu ?",
        chat="v1",
        conversation_id="s1",
    )
    answer("C1", fri.replace(hour=11, second=45), "chat", chat="v1", conversation_id="s1")
    arrive(
        "C2",
        fri.replace(hour=11, minute=5),
        "chat",
        "Le code promo NOEL ne marche pas.",
        chat="v2",
        conversation_id="s2",
    )
    answer("C2", fri.replace(hour=11, minute=8), "chat", chat="v2", conversation_id="s2")
    arrive(
        "C3",
        fri.replace(hour=12),
        "chat",
        "Je voudrais changer mon adresse de compte.",
        chat="v3",
        conversation_id="s3",
    )
    check(fri.replace(hour=12, second=50))
    check(fri.replace(hour=12, minute=1, second=5))
    arrive(
        "M1",
        fri.replace(hour=14),
        "messenger",
        "Où en est le remboursement du pull ?",
        messenger="psid-m1",
    )
    check(fri.replace(hour=14, minute=50))
    check(fri.replace(hour=15, minute=1))
    arrive(
        "P1",
        fri.replace(hour=16),
        "phone",
        "Appel : question sur la garantie du four.",
        phone="+33611000001",
        meta={"outcome": "answered", "wait_s": 10, "call_id": "P1"},
    )
    arrive(
        "P2",
        fri.replace(hour=16, minute=30),
        "phone",
        "",
        phone="+33611000002",
        meta={"outcome": "missed", "call_id": "P2"},
    )
    check(fri.replace(hour=16, minute=31))
    arrive(
        "E1",
        fri.replace(hour=17, minute=50),
        "email",
        "Ma facture de la table est fausse.",
        email="e1@example.fr",
    )
    arrive(
        "E2",
        paris(2026, 11, 7, 9, 0),
        "email",
        "Le matelas commandé sent le plastique.",
        email="e2@example.fr",
    )

    # the business-hours due times skip the weekend and Wednesday 11 November
    assert case(db, ids["F1"]).first_response_due_at == paris(2026, 11, 10, 16, 0)
    assert case(db, ids["E1"]).first_response_due_at == paris(2026, 11, 12, 14, 50)
    assert case(db, ids["E2"]).first_response_due_at == paris(2026, 11, 12, 15, 0)

    check(paris(2026, 11, 9, 10, 0))  # Monday: nothing is due yet
    check(paris(2026, 11, 10, 12, 0))  # F1 at risk (80 % = Tue 11:12)
    check(paris(2026, 11, 10, 16, 1))  # F1 breached
    arrive(
        "E3",
        paris(2026, 11, 10, 17, 0),
        "email",
        "Le colis du buffet n'est jamais venu.",
        email="e3@example.fr",
    )
    assert case(db, ids["E3"]).first_response_due_at == paris(2026, 11, 16, 14, 0)

    check(paris(2026, 11, 12, 10, 30))  # Thursday: E1 (10:02) and E2 (10:12) at risk
    answer("E1", paris(2026, 11, 12, 11, 0), "email", email="e1@example.fr")
    with db.transaction() as s:  # E3: the agent waits on the customer from 12:00
        row = s.get(Case, ids["E3"])
        assert row is not None
        do_patch_case(s, row, {"status": "pending"}, agent, now=paris(2026, 11, 12, 12, 0))
    check(paris(2026, 11, 12, 15, 1))  # E2 breached; E1 was answered in time
    # the customer answers on Friday 10:00: E3 had 20 business hours left
    ingest_one(
        db,
        message(
            channel="email",
            at=paris(2026, 11, 13, 10, 0),
            text="Voici le numéro de suivi.",
            in_reply_to="<E3>",
            email="e3@example.fr",
        ),
    )
    e3 = case(db, ids["E3"])
    assert e3.status == "open" and e3.first_response_due_at == paris(2026, 11, 17, 12, 0)
    check(paris(2026, 11, 16, 17, 0))  # E3 at risk (Mon 16:12)
    check(paris(2026, 11, 17, 12, 1))  # E3 breached
    check(paris(2026, 11, 18, 9, 0))

    stages: dict[str, list[str]] = {name: [] for name in ids}
    names = {cid: name for name, cid in ids.items()}
    for cid, kind, what in sla_events(db):
        if cid is None:
            continue  # the policy's own audit entry
        stages[names[cid]].append(kind if kind != "sla.escalation_requested" else what or kind)
    assert stages == {
        "F1": ["sla.at_risk", "sla.breached"],  # the default web-form policy escalates nothing
        "C1": [],
        "C2": ["sla.breached"],  # answered after 3 minutes: found on the reply
        "C3": ["sla.at_risk", "sla.breached"],
        "M1": ["sla.at_risk", "sla.breached"],
        "P1": [],  # picked up after 10 s
        "P2": ["sla.breached"],
        "E1": ["sla.at_risk", "sla.notification"],
        "E2": ["sla.at_risk", "sla.notification", "sla.breached", "case.updated", "overflow"],
        "E3": ["sla.at_risk", "sla.notification", "sla.breached", "case.updated", "overflow"],
    }
    state = {name: case(db, cid).sla_state for name, cid in ids.items()}
    assert state == {
        "F1": "breached",
        "C1": "ok",
        "C2": "ok",
        "C3": "breached",
        "M1": "breached",
        "P1": "ok",
        "P2": "breached",
        "E1": "ok",
        "E2": "breached",
        "E3": "breached",
    }
    assert case(db, ids["E2"]).priority == case(db, ids["E3"]).priority == 1

    # supervisors see the stages in the live feed, scoped like every case event
    live = read_events_all(db, world.ids["acme:supervisor"])
    assert Counter(k for k in live if k.startswith("sla."))["sla.breached"] == 7
    assert not [
        k for k in read_events_all(db, world.ids["globex:supervisor"]) if k.startswith("sla.")
    ]


def read_events_all(db: Database, user_id: int) -> list[str]:
    with db.reading() as s:
        return [e.kind for e in read_events(s, who(db, user_id), 0, 10**9, limit=10_000)]
