"""``omnicase demo`` end to end on both databases: a month a contact centre recognises,
fictional people only, and a second run that changes nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from io import StringIO
from typing import Any

from rich.console import Console
from sqlalchemy import func, select

from omnicase.config import Settings
from omnicase.demo.generator import FICTION_BLOCKS, fiction_number, is_fiction_number
from omnicase.demo.seed import PASSWORD_FILE, seed_demo
from omnicase.model import (
    ApiToken,
    Case,
    Event,
    Identity,
    KpiDaily,
    Message,
    Organisation,
    Survey,
    User,
)
from omnicase.model.consistency import Inconsistency, Macro
from omnicase.model.quality import QaReview
from omnicase.model.reports import Report
from omnicase.model.routing import AgentProfile, OverflowRule
from omnicase.model.sla import SlaPolicy
from omnicase.services.orgs import verify_password
from omnicase.store.db import Database

RESERVED = ("example.com", "example.net", "example.org")

TABLES: tuple[Any, ...] = (
    Case,
    Message,
    Identity,
    User,
    ApiToken,
    SlaPolicy,
    OverflowRule,
    AgentProfile,
    Survey,
    QaReview,
    Macro,
    Inconsistency,
    Report,
    Event,
)


def reserved_domain(address: str) -> bool:
    domain = address.rsplit("@", 1)[1].lower()
    return (
        domain in RESERVED
        or domain.endswith((".example", ".test"))
        or any(domain.endswith("." + d) for d in RESERVED)
    )


def seed(db: Database, tmp: Any) -> dict[str, Any]:
    settings = Settings(data_dir=tmp / "var", attachments_dir=tmp / "attachments")
    quiet = Console(file=StringIO())
    return seed_demo(db, messages=1500, days=14, seed=7, console=quiet, settings=settings)


def counts(db: Database) -> dict[str, int]:
    with db.reading() as s:
        return {
            t.__tablename__: int(s.scalar(select(func.count()).select_from(t)) or 0) for t in TABLES
        }


def test_fiction_numbers_are_injective_within_the_blocks_and_recognised() -> None:
    for country, blocks in FICTION_BLOCKS.items():
        capacity = sum(size for _, size in blocks)
        cc = "+33" if country == "FR" else "+44"
        numbers = {fiction_number(country, r, add=12345) for r in range(capacity)}
        assert len(numbers) == capacity
        assert all(is_fiction_number(cc + n) for n in numbers)
        # mobiles first: the first block's numbers go to the first customers
        first_prefix, first_size = blocks[0]
        assert all(fiction_number(country, r).startswith(first_prefix) for r in range(first_size))
    assert not is_fiction_number("+33612345678")  # a real French mobile range
    assert not is_fiction_number("+447712345678")  # a real UK mobile range
    assert not is_fiction_number("+4477009001234")  # right prefix, one digit too many


def test_demo_is_a_working_month_with_fictional_people_and_idempotent(
    db: Database, tmp_path: Any
) -> None:
    started = datetime.now(UTC).date()
    out = seed(db, tmp_path)
    ops = out["operations"]
    assert out["messages"]["invalid"] == 0
    password = out["web"]["password"]
    assert len(password) >= 16 and password != "omnicase-demo"
    assert (tmp_path / "var" / PASSWORD_FILE).read_text().strip() == password
    assert out["web"]["logins"]["acme:supervisor"] == "supervisor@acme.example"

    with db.reading() as s:
        # fictional identities only
        idents = s.execute(select(Identity.kind, Identity.value)).all()
        emails = [v for k, v in idents if k == "email"]
        phones = [v for k, v in idents if k in ("phone", "whatsapp")]
        assert emails and phones
        assert [e for e in emails if not reserved_domain(e)] == []
        assert [p for p in phones if not is_fiction_number(p)] == []
        assert all(reserved_domain(u) for u in s.scalars(select(User.email)))

        acme = s.scalar(select(Organisation.id).where(Organisation.slug == "acme"))
        provider = s.scalar(select(Organisation.id).where(Organisation.slug == "callpro"))
        provider_agents = s.scalars(
            select(User.id).where(User.organisation_id == provider, User.role == "agent")
        ).all()
        # the provider works a realistic share of acme's email and chat
        flow = s.execute(
            select(Case.team_id, Case.assignee_id).where(
                Case.brand_id == acme, Case.channel.in_(("email", "chat"))
            )
        ).all()
        provider_team = s.scalar(select(User.team_id).where(User.id == provider_agents[0]))
        share = sum(1 for team, _ in flow if team == provider_team) / len(flow)
        assert 0.15 <= share <= 0.45, share
        assert {a for team, a in flow if team == provider_team} & set(provider_agents)
        # agents with skills and presence, some online and some away
        profiles = s.scalars(select(AgentProfile)).all()
        assert all(p.skills.get("languages") for p in profiles)
        assert {p.presence for p in profiles} >= {"online", "away"}
        # service levels per channel, a backlog that breached, most cases resolved
        policies = s.scalar(select(func.count(SlaPolicy.id)).where(SlaPolicy.brand_id == acme))
        assert (policies or 0) >= 8
        states = dict(
            s.execute(
                select(Case.sla_state, func.count())
                .where(Case.status.in_(("new", "open", "pending")))
                .group_by(Case.sla_state)
            ).all()
        )
        assert states.get("breached", 0) > 0
        resolved = s.scalar(select(func.count(Case.id)).where(Case.status == "resolved")) or 0
        assert resolved > (s.scalar(select(func.count(Case.id))) or 0) / 3
        # CSAT: about a third answered, J-shaped ratings
        ratings = [
            int(r or 0) for r in s.scalars(select(Survey.rating).where(Survey.rating.is_not(None)))
        ]
        surveys = s.scalar(select(func.count(Survey.id)))
        assert surveys and 0.2 <= len(ratings) / surveys <= 0.45
        assert 3.6 <= sum(ratings) / len(ratings) <= 4.6
        assert ratings.count(5) > ratings.count(3) > 0
        # QA, macros with facts, the one inconsistency, KPIs, yesterday's report
        assert s.scalar(select(func.count(QaReview.id))) == ops["qa_reviews"]
        assert ops["qa_reviews"] > 0
        assert all(m.facts for m in s.scalars(select(Macro)))
        found = s.scalars(select(Inconsistency)).all()
        assert len(found) == 1 and found[0].brand_id == acme
        assert (s.scalar(select(func.count()).select_from(KpiDaily)) or 0) > 0
        report = s.scalars(select(Report)).one()
        # the seed's own yesterday: a run that crosses midnight may take either day
        finished = datetime.now(UTC).date()
        assert report.day in {started - timedelta(days=1), finished - timedelta(days=1)}

    before = counts(db)
    again = seed(db, tmp_path)
    assert counts(db) == before
    assert again["messages"]["created"] == 0
    assert again["tokens"] == out["tokens"]
    assert again["web"]["password"] == password
    with db.reading() as s:
        user = s.scalars(select(User).where(User.email == "supervisor@acme.example")).one()
        assert verify_password(user, password)
    assert {k: v for k, v in again["operations"].items() if k not in ("sla", "kpi_rows")} == {
        "answers_attributed": 0,
        "agents": 0,
        "macros": 0,
        "surveys": 0,
        "answered": 0,
        "qa_reviews": 0,
        "inconsistencies": 0,
        "reports": 0,
    }
