"""Clocks kept by the pipeline and by status changes: defaults per channel, first and next
responses met or missed, pending pauses, resolution stops, reopening owes an answer."""

from __future__ import annotations

from datetime import timedelta

import pytest

from omnicase.ingest.pipeline import ingest, ingest_one
from omnicase.model import Case
from omnicase.services.cases import do_patch_case
from omnicase.sla.admin import do_create_policy
from omnicase.store.db import Database
from tests.factories import make_world, message
from tests.sla.helpers import case, paris, sla_events, who

MONDAY = paris(2026, 11, 2, 10, 0)  # a working Monday morning in Paris

CHANNEL_PARTY = {
    "phone": {"phone": "+33612345678"},
    "chat": {"chat": "visitor-1"},
    "messenger": {"messenger": "psid-1"},
    "instagram": {"instagram": "ig-1"},
    "x": {"x": "julie_m"},
    "sms": {"phone": "+33612345679"},
    "whatsapp": {"whatsapp": "33612345670"},
    "email": {"email": "julie@example.fr"},
    "webform": {"email": "julie.form@example.fr"},
}


def test_each_channel_gets_its_norm_by_default(db: Database) -> None:
    make_world(db)
    results = ingest(
        db,
        [
            message(
                channel=ch,
                at=MONDAY,
                meta={"outcome": "missed"} if ch == "phone" else None,
                text=f"Bonjour, une question ({ch}).",
                **party,
            )
            for ch, party in CHANNEL_PARTY.items()
        ],
    )
    due = {
        r.channel: case(db, r.case_id).first_response_due_at - MONDAY  # type: ignore[operator]
        for r in results
    }
    hour = timedelta(hours=1)
    assert due == {
        "phone": timedelta(seconds=20),
        "chat": timedelta(seconds=60),
        "messenger": hour,
        "instagram": hour,
        "x": hour,
        "sms": hour,
        "whatsapp": hour,
        # 24 business hours from Monday 10:00 (9:00-18:00): Wednesday 16:00
        "email": timedelta(days=2, hours=6),
        "webform": timedelta(days=2, hours=6),
    }
    for r in results:
        c = case(db, r.case_id)
        assert c.sla_state == "ok" and c.sla_policy_id is None
        assert c.sla_next_check_at is not None


def test_first_and_next_responses_met_or_missed(db: Database) -> None:
    make_world(db)
    first = ingest_one(db, message(channel="chat", at=MONDAY, chat="v1", conversation_id="s1"))
    ingest_one(
        db,
        message(
            channel="chat",
            direction="outbound",
            at=MONDAY,
            minutes=0.75,
            chat="v1",
            conversation_id="s1",
        ),
    )
    c = case(db, first.case_id)
    assert c.first_response_due_at == MONDAY + timedelta(seconds=60)
    assert c.sla_state == "ok" and c.sla_next_check_at is None  # nothing owed now
    assert c.sla_clock is not None and c.sla_clock["outcomes"]["first_response"]["met"]

    # the customer writes again: a next answer is owed within 60 s; it comes after 3 min
    ingest_one(db, message(channel="chat", at=MONDAY, minutes=2, chat="v1", conversation_id="s1"))
    c = case(db, first.case_id)
    assert c.next_response_due_at == MONDAY + timedelta(minutes=3)
    ingest_one(
        db,
        message(
            channel="chat",
            direction="outbound",
            at=MONDAY,
            minutes=5,
            chat="v1",
            conversation_id="s1",
        ),
    )
    c = case(db, first.case_id)
    assert c.sla_clock is not None
    assert c.sla_clock["outcomes"]["next_response"]["met"] is False
    assert c.sla_breached_at == MONDAY + timedelta(minutes=3)
    assert c.next_response_due_at is None and c.sla_state == "ok"
    assert sla_events(db, first.case_id) == [(first.case_id, "sla.breached", "next_response")]


def test_an_answered_call_is_its_own_answer_and_a_missed_one_is_owed_one(db: Database) -> None:
    make_world(db)
    answered = ingest_one(
        db,
        message(
            channel="phone",
            at=MONDAY,
            phone="+33611111111",
            meta={"outcome": "answered", "wait_s": 12, "call_id": "c1"},
        ),
    )
    slow = ingest_one(
        db,
        message(
            channel="phone",
            at=MONDAY,
            phone="+33622222222",
            meta={"outcome": "answered", "wait_s": 95, "call_id": "c2"},
        ),
    )
    missed = ingest_one(
        db,
        message(
            channel="phone",
            at=MONDAY,
            phone="+33633333333",
            text="",
            meta={"outcome": "missed", "call_id": "c3"},
        ),
    )
    a, s, m = (case(db, r.case_id) for r in (answered, slow, missed))
    assert a.sla_clock is not None and a.sla_clock["outcomes"]["first_response"]["met"]
    assert a.sla_breached_at is None and a.sla_next_check_at is None
    assert s.sla_breached_at == MONDAY + timedelta(seconds=20)
    assert m.sla_next_check_at == MONDAY + timedelta(seconds=16)  # at risk at 80 %


def test_pending_pauses_and_the_customers_reply_resumes(db: Database) -> None:
    world = make_world(db)
    agent = who(db, world.ids["acme:agent"])
    first = ingest_one(db, message(channel="messenger", at=MONDAY, messenger="p1"))
    with db.transaction() as s:
        c = s.get(Case, first.case_id)
        assert c is not None
        # 20 minutes in, the agent asks a question and waits on the customer
        do_patch_case(s, c, {"status": "pending"}, agent, now=MONDAY + timedelta(minutes=20))
    c = case(db, first.case_id)
    assert c.sla_paused_at == MONDAY + timedelta(minutes=20)
    assert c.sla_next_check_at is None  # a paused clock never moves
    # the customer answers two hours later: 40 minutes were left
    reply = MONDAY + timedelta(hours=2, minutes=20)
    ingest_one(db, message(channel="messenger", at=reply, messenger="p1", text="voici la photo"))
    c = case(db, first.case_id)
    assert c.status == "open" and c.sla_paused_at is None
    assert c.first_response_due_at == reply + timedelta(minutes=40)
    assert c.sla_clock is not None and c.sla_clock["paused_seconds"] == 7200


def test_resolution_stops_and_a_reopening_owes_a_new_answer(db: Database) -> None:
    world = make_world(db)
    admin = who(db, world.ids["acme:admin"])
    with db.transaction() as s:
        do_create_policy(
            s,
            admin,
            {
                "channel": "sms",
                "first_response_seconds": 600,
                "next_response_seconds": 900,
                "resolution_seconds": 7200,
            },
        )
    first = ingest_one(db, message(channel="sms", at=MONDAY, phone="+33699999999"))
    ingest_one(
        db, message(channel="sms", direction="outbound", at=MONDAY, minutes=5, phone="+33699999999")
    )
    c = case(db, first.case_id)
    assert c.resolution_due_at == MONDAY + timedelta(hours=2)
    with db.transaction() as s:
        row = s.get(Case, first.case_id)
        assert row is not None
        do_patch_case(s, row, {"status": "resolved"}, admin, now=MONDAY + timedelta(hours=3))
    c = case(db, first.case_id)
    assert c.sla_clock is not None
    assert c.sla_clock["outcomes"]["resolution"]["met"] is False  # resolved an hour late
    assert c.sla_state == "breached" and c.sla_next_check_at is None
    assert [k for _, k, _ in sla_events(db, first.case_id)] == ["sla.breached"]

    reopened = MONDAY + timedelta(days=1)
    with db.transaction() as s:
        row = s.get(Case, first.case_id)
        assert row is not None
        do_patch_case(s, row, {"status": "open"}, admin, now=reopened)
    c = case(db, first.case_id)
    assert c.next_response_due_at == reopened + timedelta(minutes=15)
    assert c.sla_paused_at is None

    with db.transaction() as s:
        row = s.get(Case, first.case_id)
        assert row is not None
        do_patch_case(s, row, {"status": "closed"}, admin, now=reopened + timedelta(hours=1))
    c = case(db, first.case_id)
    assert c.sla_next_check_at is None and c.next_response_due_at is None


@pytest.mark.parametrize(
    "text", ["Une question sur un pull.", "URGENT : je suis débité deux fois !!! Inacceptable"]
)
def test_the_brands_policy_for_channel_and_priority_wins(db: Database, text: str) -> None:
    world = make_world(db)
    admin = who(db, world.ids["acme:admin"])
    with db.transaction() as s:
        any_p = do_create_policy(s, admin, {"channel": "email", "first_response_seconds": 7200})
        ids = {None: (any_p.id, 7200)}
        for p in (1, 2, 3):
            pol = do_create_policy(
                s, admin, {"channel": "email", "priority": p, "first_response_seconds": 1800 // p}
            )
            ids[p] = (pol.id, 1800 // p)
    r = ingest_one(db, message(channel="email", at=MONDAY, text=text, email="x@example.fr"))
    c = case(db, r.case_id)
    policy, seconds = ids[c.priority or None]
    assert c.sla_policy_id == policy
    assert c.first_response_due_at == MONDAY + timedelta(seconds=seconds)
