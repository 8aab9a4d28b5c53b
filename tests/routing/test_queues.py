"""A case enters exactly one queue (first matching rule, else the default) and moves when
its reason changes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from omnicase.ingest.pipeline import ingest, ingest_one
from omnicase.model import Case, Customer, Event
from omnicase.routing.agents import do_reevaluate_brand
from omnicase.routing.configure import do_set_customer_tags
from omnicase.routing.rules import CaseFacts, QueueRule, QueueSpec, select_queue
from omnicase.services.cases import do_patch_case
from omnicase.store.db import Database
from tests.factories import make_world, message
from tests.routing.helpers import admin, case, queue

NOW = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)


def facts(**kw: object) -> CaseFacts:
    base: dict[str, object] = dict(
        id=1,
        brand_id=1,
        customer_id=1,
        status="new",
        channel="email",
        reason="refund",
        language="fr",
        priority=0,
        first_inbound_at=NOW,
        created_at=NOW,
    )
    base.update(kw)
    return CaseFacts(**base)  # type: ignore[arg-type]


def test_first_matching_rule_wins_and_every_rule_tried_is_kept() -> None:
    queues = [
        QueueSpec("vip", "VIP", 0, False, 0, (QueueRule(customer_tags=("vip",)),)),
        QueueSpec("chat", "Chat", 1, False, 0, (QueueRule(channels=("chat",)),)),
        QueueSpec("money", "Money", 2, False, 0, (QueueRule(reasons=("refund", "payment")),)),
        QueueSpec("general", "General", 3, True, 0, ()),
    ]
    key, tried = select_queue(queues, facts())
    assert key == "money"
    assert tried == [
        ["vip", 0, "customer tags none not in vip"],
        ["chat", 0, "channel email not in chat"],
        ["money", 0, "match"],
    ]
    assert select_queue(queues, facts(tags=frozenset({"vip"})))[0] == "vip"
    key, tried = select_queue(queues, facts(reason="delivery"))
    assert key == "general" and tried[-1] == ["general", None, "default"]
    assert select_queue([], facts())[0] == "default"


def test_ingested_case_enters_its_queue_and_moves_when_its_reason_changes(db: Database) -> None:
    world = make_world(db)
    queue(db, world, {"key": "returns", "rules": [{"reasons": ["return"]}]})
    queue(db, world, {"key": "refunds", "rules": [{"reasons": ["refund"]}]})
    queue(db, world, {"key": "general", "is_default": True})
    r = ingest_one(
        db, message(text="Bonjour, je voudrais retourner ma robe, elle est trop grande.")
    )
    assert case(db, r.case_id or 0).queue == "returns"
    with db.transaction() as s:
        row = s.get(Case, r.case_id)
        assert row is not None
        do_patch_case(s, row, {"reason": "refund"}, admin(db, world))
    after = case(db, r.case_id or 0)
    assert after.queue == "refunds"
    with db.reading() as s:
        routed = s.scalars(
            select(Event).where(Event.case_id == r.case_id, Event.kind == "case.routed")
        ).all()
    assert [e.data["cause"] for e in routed] == ["arrival", "reason_changed"]
    assert routed[-1].data["from_queue"] == "returns"


def test_a_case_whose_reason_the_pipeline_learns_later_moves_queue(db: Database) -> None:
    world = make_world(db)
    queue(db, world, {"key": "delivery", "rules": [{"reasons": ["delivery"]}]})
    first = ingest_one(db, message(text="Bonjour", email="x@example.fr"))
    assert case(db, first.case_id or 0).queue == "default"
    ingest(
        db,
        [
            message(
                text="Mon colis n'est toujours pas livré, où en est la livraison ?",
                email="x@example.fr",
                minutes=5,
            )
        ],
    )
    later = case(db, first.case_id or 0)
    assert later.reason == "delivery" and later.queue == "delivery"


def test_vip_customers_go_to_the_vip_queue(db: Database) -> None:
    world = make_world(db)
    queue(db, world, {"key": "vip", "rules": [{"customer_tags": ["VIP"]}]})
    r = ingest_one(db, message(text="Bonjour, une question", email="star@example.fr"))
    assert case(db, r.case_id or 0).queue == "default"
    with db.transaction() as s:
        customer = s.get(Customer, r.customer_id)
        assert customer is not None
        do_set_customer_tags(s, customer, ["VIP"], admin(db, world))
    with db.transaction() as s:
        do_reevaluate_brand(s, world.ids["acme"], NOW)  # waiting cases follow the tags
    assert case(db, r.case_id or 0).queue == "vip"


def test_a_brand_without_routing_costs_no_event(db: Database) -> None:
    make_world(db)
    r = ingest_one(db, message(text="Bonjour"))
    assert case(db, r.case_id or 0).queue == "default"
    with db.reading() as s:
        kinds = {e.kind for e in s.scalars(select(Event).where(Event.case_id == r.case_id))}
    assert "case.routed" not in kinds
