"""Invariants over random sequences of arrivals, presence changes, resolutions, replies,
offline re-queues and re-evaluations (hypothesis):

* a case is never newly assigned to an agent who is not online;
* no agent ever holds more open cases of a channel kind than their capacity;
* a provider agent only ever holds cases handed to their team and covered by its
  engagement (here: acme's email and chat);
* the agents' load counters (``agent_loads``, kept by triggers) equal a recount of the
  cases after every step, whichever path changed them (patch, pipeline, pull, re-queue).
"""

from __future__ import annotations

import shutil
import tempfile
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from omnicase.ingest.pipeline import ingest
from omnicase.model import Case, User
from omnicase.routing.agents import do_reevaluate_brand, do_requeue_offline, do_take_next_case
from omnicase.routing.loads import check_loads
from omnicase.routing.rules import capacity_of, channel_kind
from omnicase.services.cases import do_patch_case
from omnicase.store.db import Database
from omnicase.store.scope import principal_for
from tests.factories import T0, make_world, message
from tests.routing.helpers import add_agent, admin, overflow, set_presence

CHANNELS = ("email", "chat", "phone", "messenger")
CAPACITY = {"call": 1, "chat": 1, "async": 1}
ENGAGED = {"email", "chat"}

arrive = st.tuples(
    st.just("arrive"), st.sampled_from(CHANNELS), st.integers(0, 5), st.sampled_from(("fr", "en"))
)
presence = st.tuples(
    st.just("presence"), st.integers(0, 4), st.sampled_from(("online", "away", "offline"))
)
resolve = st.tuples(st.sampled_from(("resolve", "pending", "reassign")), st.integers(0, 30))
reply = st.tuples(st.just("reply"), st.integers(0, 30))
pull = st.tuples(st.just("pull"), st.integers(0, 4))
tick = st.tuples(st.sampled_from(("requeue", "reevaluate")), st.integers(0, 600))
OPS = st.lists(
    st.one_of(arrive, arrive, arrive, presence, presence, resolve, reply, pull, tick), max_size=30
)

TEXT = {"fr": "Bonjour, ma commande n'est pas arrivée", "en": "Hello, my order never arrived"}


class Sim:
    def __init__(self, db: Database) -> None:
        self.db = db
        self.world = make_world(db, overflow_only=True)
        overflow(db, self.world, {"kind": "channel_or_reason", "params": {"channels": ["chat"]}})
        overflow(db, self.world, {"kind": "backlog_over", "params": {"cases": 1}})
        team = self.world.ids["team"]
        self.agents = [
            add_agent(db, self.world, capacity=CAPACITY, presence="offline"),
            add_agent(
                db, self.world, capacity=CAPACITY, skills={"languages": ["en"]}, presence="offline"
            ),
            add_agent(
                db,
                self.world,
                capacity=CAPACITY,
                skills={"channels": ["phone", "email"]},
                presence="offline",
            ),
            add_agent(db, self.world, "callpro", team=team, capacity=CAPACITY, presence="offline"),
            add_agent(db, self.world, "callpro", team=team, capacity=CAPACITY, presence="offline"),
        ]
        self.provider_agents = set(self.agents[3:])
        self.presence = dict.fromkeys(self.agents, "offline")
        self.clock = T0
        self.sent: list[tuple[int, Any]] = []  # (case id, message)
        self.n = 0

    def assignees(self) -> dict[int, int | None]:
        with self.db.reading() as s:
            return {cid: a for cid, a in s.execute(select(Case.id, Case.assignee_id))}

    def run(self, op: tuple[Any, ...]) -> None:
        kind = op[0]
        self.clock += timedelta(seconds=30)
        if kind == "arrive":
            _, channel, who, lang = op
            self.n += 1
            party = {
                "email": {"email": f"c{who}@example.fr"},
                "chat": {"chat": f"v{who}"},
                "phone": {"phone": f"+3361234560{who}"},
                "messenger": {"messenger": f"p{who}"},
            }[channel]
            msg = message(
                channel=channel,
                text=f"{TEXT[lang]} ({self.n})",
                at=self.clock,
                external_id=f"<p{self.n}@t>",
                **party,
            )
            result = ingest(self.db, [msg])[0]
            if result.case_id is not None:
                self.sent.append((result.case_id, msg))
        elif kind == "presence":
            _, i, state = op
            set_presence(self.db, self.world, self.agents[i], state, self.clock)
            self.presence[self.agents[i]] = state
        elif kind == "resolve" and self.sent:
            case_id = self.sent[op[1] % len(self.sent)][0]
            with self.db.transaction() as s:
                row = s.get(Case, case_id)
                if row is not None and row.merged_into_id is None and row.status != "closed":
                    do_patch_case(s, row, {"status": "resolved"}, admin(self.db, self.world))
        elif kind in ("pending", "reassign") and self.sent:
            # a status change that keeps the case open, and a supervisor's reassignment to
            # no one (an override that frees capacity): the counters must follow both
            case_id = self.sent[op[1] % len(self.sent)][0]
            change = {"status": "pending"} if kind == "pending" else {"assignee_id": None}
            with self.db.transaction() as s:
                row = s.get(Case, case_id)
                if row is not None and row.merged_into_id is None and row.status != "closed":
                    do_patch_case(s, row, change, admin(self.db, self.world))
        elif kind == "reply" and self.sent:
            _, first = self.sent[op[1] % len(self.sent)]
            self.n += 1
            party = first.from_.model_dump(exclude_none=True) if first.from_ else {}
            party.pop("name", None)
            msg = message(
                channel=first.channel.value,
                text="Any news? Toujours rien",
                at=self.clock,
                external_id=f"<p{self.n}@t>",
                in_reply_to=first.external_id,
                **party,
            )
            ingest(self.db, [msg])
        elif kind == "pull":
            agent = self.agents[op[1]]
            if self.presence[agent] == "online":
                with self.db.transaction() as s:
                    user = s.get(User, agent)
                    assert user is not None
                    do_take_next_case(s, user, self.clock, principal_for(s, user))
        elif kind == "requeue":
            with self.db.transaction() as s:
                do_requeue_offline(s, self.clock + timedelta(seconds=op[1]))
        elif kind == "reevaluate":
            with self.db.transaction() as s:
                do_reevaluate_brand(s, self.world.ids["acme"], self.clock)

    def check(self, before: dict[int, int | None]) -> None:
        with self.db.reading() as s:
            rows = s.execute(
                select(Case.id, Case.assignee_id, Case.channel, Case.team_id, Case.status)
            ).all()
        load: Counter[tuple[int, str]] = Counter()
        for case_id, assignee, channel, team, status in rows:
            if assignee is None:
                continue
            if before.get(case_id) != assignee:
                assert self.presence[assignee] == "online", (case_id, assignee)
            if status in ("new", "open", "pending"):
                load[(assignee, channel_kind(channel))] += 1
                if assignee in self.provider_agents:
                    assert team == self.world.ids["team"] and channel in ENGAGED, case_id
        for (agent, kind), n in load.items():
            assert n <= capacity_of(kind, CAPACITY, {}), (agent, kind, n)
        with self.db.engine.connect() as conn:
            assert check_loads(conn) == []


@pytest.mark.slow
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=OPS)
def test_routing_invariants_hold_over_random_sequences(
    sqlite_template: Path, ops: list[tuple[Any, ...]]
) -> None:
    tmp = Path(tempfile.mkdtemp())
    try:
        path = tmp / "omnicase.db"
        shutil.copy(sqlite_template, path)
        db = Database(f"sqlite:///{path}")
        try:
            sim = Sim(db)
            for op in ops:
                before = sim.assignees()
                sim.run(op)
                sim.check(before)
        finally:
            db.dispose()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
