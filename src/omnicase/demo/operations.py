"""The working life around the demo's traffic: service levels, agents with skills and
presence, who answered what, satisfaction surveys, QA reviews, macros and one
inconsistency, KPI roll-ups and yesterday's daily report.

Everything goes through the services' ``do_*`` functions (so the audit log tells the
story as it would in production) and is idempotent: each step looks for what it would
create and does nothing when it is there. Ratings and grades are drawn from a seeded
generator so two runs on two machines show the same figures.
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from omnicase.config import Settings
from omnicase.model import Case, Message, Organisation, Team, User
from omnicase.model.consistency import Inconsistency, Macro
from omnicase.model.quality import QaGrid, QaReview, Survey
from omnicase.model.reports import Report
from omnicase.model.routing import OverflowRule
from omnicase.model.sla import SlaPolicy
from omnicase.quality.csat.service import do_answer_survey, on_case_resolved
from omnicase.quality.kpis.rollup import rebuild
from omnicase.quality.qa.service import do_create_grid, do_grade
from omnicase.reports.archive import do_generate
from omnicase.routing.agents import do_set_presence
from omnicase.routing.configure import (
    do_create_overflow_rule,
    do_set_agent_profile,
    profile_of,
)
from omnicase.services.consistency import check_draft, do_record_inconsistencies
from omnicase.services.macros import do_create_macro
from omnicase.sla.admin import do_create_policy
from omnicase.sla.check import do_check
from omnicase.store.db import Database
from omnicase.store.scope import Principal, principal_for

#: First-response targets per channel (seconds): minutes on live channels, hours on
#: written ones, as a French or British retailer publishes them.
SLA_TARGETS: dict[str, int] = {
    "chat": 120,
    "phone": 60,
    "whatsapp": 3600,
    "messenger": 2 * 3600,
    "instagram": 2 * 3600,
    "x": 2 * 3600,
    "sms": 4 * 3600,
    "email": 24 * 3600,
    "webform": 24 * 3600,
}

#: Presence of the agents now, in USERS order per organisation: most online, some away.
PRESENCE = ("online", "online", "away", "online", "offline")

#: Share of CSAT ratings 1..5 among answered surveys (typical retail: J-shaped).
RATING_WEIGHTS = (0.08, 0.05, 0.10, 0.25, 0.52)
ANSWER_RATE = 0.32
COMMENTS: dict[int, dict[str, tuple[str, ...]]] = {
    5: {"fr": ("Très rapide, merci !", "Parfait"), "en": ("Quick and kind, thanks!", "Great")},
    4: {"fr": ("Bien, un peu long",), "en": ("Good, a bit slow",)},
    3: {"fr": ("Correct",), "en": ("OK",)},
    2: {"fr": ("Il a fallu relancer deux fois",), "en": ("Had to chase twice",)},
    1: {"fr": ("Toujours pas remboursée",), "en": ("Still no refund",)},
}

MACROS: dict[str, list[dict[str, Any]]] = {
    "acme": [
        {
            "title": "Délai de remboursement",
            "body": "Bonjour,\n\nVotre remboursement sera effectué sous 5 jours ouvrés "
            "après réception du colis retour.\n\nBonne journée",
            "language": "fr",
            "reasons": ["refund"],
            "facts": {"refund_delay_business_days": 5},
        },
        {
            "title": "Retour gratuit sous 30 jours",
            "body": "Bonjour,\n\nVous disposez de 30 jours pour nous retourner un "
            "article, le retour est gratuit.\n\nBonne journée",
            "language": "fr",
            "reasons": ["return"],
            "facts": {"return_window_days": 30, "return_fee_eur": 0},
        },
        {
            "title": "Frais de livraison",
            "body": "Bonjour,\n\nLa livraison standard coûte 4,90 €, offerte dès 50 € "
            "d'achat.\n\nBonne journée",
            "language": "fr",
            "reasons": ["delivery"],
            "facts": {"shipping_fee_eur": 4.9},
        },
    ],
    "globex": [
        {
            "title": "Refund timing",
            "body": "Hello,\n\nYour refund will reach your account within 5 business days "
            "of the return arriving.\n\nKind regards",
            "language": "en",
            "reasons": ["refund"],
            "facts": {"refund_delay_business_days": 5},
        },
    ],
}

#: The answer that contradicts acme's refund macro (the one inconsistency of the demo).
CONTRADICTION = "Bonjour, le remboursement se fera sous 15 jours. Bonne journée"


def _org(session: Session, slug: str) -> Organisation:
    org = session.scalar(select(Organisation).where(Organisation.slug == slug))
    assert org is not None, slug
    return org


def _person(session: Session, email: str) -> tuple[User, Principal]:
    user = session.scalar(select(User).where(User.email == email))
    assert user is not None, email
    return user, principal_for(session, user)


def ensure_sla_policies(session: Session, brands: list[str]) -> int:
    """Per-channel first-response targets for each brand (before the traffic, so the
    ingested cases get their due times)."""
    made = 0
    for slug in brands:
        brand = _org(session, slug)
        if session.scalar(select(SlaPolicy.id).where(SlaPolicy.brand_id == brand.id)):
            continue
        _, admin = _person(session, f"admin@{slug}.example")
        for channel, seconds in SLA_TARGETS.items():
            do_create_policy(
                session, admin, {"channel": channel, "first_response_seconds": seconds}
            )
            made += 1
    return made


def ensure_overflow_rule(session: Session, provider_team: Team) -> int:
    """acme hands a share of its email and chat to the provider team (the engagement's
    30 %): the rule a supervisor sees on the configuration screen."""
    acme = _org(session, "acme")
    if session.scalar(select(OverflowRule.id).where(OverflowRule.brand_id == acme.id)):
        return 0
    from omnicase.model import Engagement

    engagement = session.scalar(
        select(Engagement).where(
            Engagement.brand_id == acme.id, Engagement.team_id == provider_team.id
        )
    )
    assert engagement is not None
    _, admin = _person(session, "admin@acme.example")
    body = {
        "engagement_id": engagement.id,
        "kind": "share",
        "params": {"channels": ["email", "chat"], "percent": 30},
    }
    do_create_overflow_rule(session, acme, body, admin)
    return 1


def ensure_agents(session: Session, now: datetime) -> int:
    """Skills and presence of every agent: languages of their brand (the provider's
    Lille team speaks both), the channels their team works."""
    changed = 0
    for slug, langs, channels in (
        ("acme", ["fr", "en"], []),
        ("globex", ["en"], []),
        ("callpro", ["fr", "en"], ["email", "chat"]),
    ):
        org = _org(session, slug)
        _, boss = _person(session, f"supervisor@{slug}.example")
        agents = session.scalars(
            select(User)
            .where(User.organisation_id == org.id, User.role == "agent")
            .order_by(User.id)
        ).all()
        for i, agent in enumerate(agents):
            profile = profile_of(session, agent.id)
            if not profile.skills:
                skills: dict[str, Any] = {"languages": langs[: 1 + (i % 2)] or langs}
                if channels:
                    skills["channels"] = channels
                do_set_agent_profile(
                    session,
                    agent,
                    {"skills": skills, "level": 1 + (i % 3), "capacity": {"chat": 3}},
                    boss,
                )
                changed += 1
            presence = PRESENCE[i % len(PRESENCE)]
            if profile.presence != presence:
                do_set_presence(session, agent, presence, now, boss)
                changed += 1
    return changed


def attribute_answers(db: Database, provider_team_id: int) -> int:
    """Who answered: every answered case gets an agent of the team working it (the
    provider's agents on the overflow), and its outbound messages that agent as author,
    so KPIs per agent, the provider's side of the dashboard and QA have people."""
    changed = 0
    with db.transaction() as session:
        teams: dict[int, int] = {}  # brand id → its own team
        agents: dict[int, list[int]] = {}  # team id → agent ids
        for row in session.scalars(select(Team)):
            ids = session.scalars(
                select(User.id)
                .where(User.team_id == row.id, User.role == "agent")
                .order_by(User.id)
            ).all()
            agents[row.id] = list(ids)
            org = session.get(Organisation, row.organisation_id)
            if org is not None and org.kind == "brand":
                teams.setdefault(org.id, row.id)
        rows = session.execute(
            select(Case.id, Case.brand_id, Case.team_id).where(
                Case.assignee_id.is_(None), Case.first_response_at.is_not(None)
            )
        ).all()
        by_agent: dict[tuple[int, int], list[int]] = {}
        for case_id, brand_id, team_id in rows:
            team = team_id or teams.get(brand_id)
            people = agents.get(team or -1) or []
            if team is None or not people:
                continue
            by_agent.setdefault((team, people[case_id % len(people)]), []).append(case_id)
        for (team, agent), ids in by_agent.items():
            for i in range(0, len(ids), 500):
                chunk = ids[i : i + 500]
                session.execute(
                    update(Case).where(Case.id.in_(chunk)).values(assignee_id=agent, team_id=team)
                )
                session.execute(
                    update(Message)
                    .where(
                        Message.case_id.in_(chunk),
                        Message.direction == "outbound",
                        Message.author_user_id.is_(None),
                    )
                    .values(author_user_id=agent)
                )
            changed += len(ids)
    _ = provider_team_id
    return changed


def ensure_surveys(db: Database, seed: int) -> dict[str, int]:
    """A survey for each resolved case, marked sent on the case's channel when it was
    resolved; about a third answered a few hours later with retail-like ratings."""
    rng = random.Random(seed)
    out = {"surveys": 0, "answered": 0}
    with db.transaction() as session:
        rows = session.scalars(
            select(Case)
            .outerjoin(Survey, Survey.case_id == Case.id)
            .where(Case.status == "resolved", Survey.id.is_(None), Case.merged_into_id.is_(None))
            .order_by(Case.id)
        ).all()
        langs = {o.id: o.language or "en" for o in session.scalars(select(Organisation))}
        for case in rows:
            sent = case.resolved_at or case.last_message_at or datetime.now(UTC)
            survey = on_case_resolved(session, case, sent)
            if survey is None or survey.status != "pending":
                continue
            # what the send job does once it has gone out (no message in the demo inbox)
            survey.status, survey.sent_at, survey.channel = "sent", sent, case.channel
            survey.agent_id, survey.team_id = case.assignee_id, case.team_id
            out["surveys"] += 1
            if rng.random() >= ANSWER_RATE:
                continue
            rating = rng.choices(range(1, 6), weights=RATING_WEIGHTS)[0]
            lang = case.language if case.language in ("fr", "en") else langs[case.brand_id]
            lang = lang if lang in ("fr", "en") else "en"
            comment = rng.choice(COMMENTS[rating][lang]) if rng.random() < 0.4 else None
            at = sent + timedelta(minutes=rng.randint(10, 600))
            do_answer_survey(session, survey, rating, comment, at)
            out["answered"] += 1
    return out


def ensure_macros(session: Session) -> int:
    made = 0
    for slug, macros in MACROS.items():
        brand = _org(session, slug)
        if session.scalar(select(Macro.id).where(Macro.brand_id == brand.id)):
            continue
        _, sup = _person(session, f"supervisor@{slug}.example")
        for fields in macros:
            do_create_macro(session, sup, **fields)
            made += 1
    return made


def ensure_inconsistency(session: Session) -> int:
    """One provider answer that says 15 days where acme's macro says 5 business days:
    the detector's finding, recorded on a real outbound message of the overflow."""
    acme = _org(session, "acme")
    if session.scalar(select(Inconsistency.id).where(Inconsistency.brand_id == acme.id)):
        return 0
    agent, who = _person(session, "agent@callpro.example")
    candidates = session.execute(
        select(Case, Message)
        .join(Message, Message.case_id == Case.id)
        .where(
            Case.brand_id == acme.id,
            Message.direction == "outbound",
            Message.author_user_id == agent.id,
            Case.language == "fr",  # the French answer is checked against French macros
        )
        .order_by(Message.id.desc())
        .limit(50)
    ).all()
    # The demo's point is the macro contradiction alone: a case whose earlier answers
    # already named a refund delay would add a second finding, and which case is the
    # latest depends on the day the demo is seeded.
    for case, message in candidates:
        findings = check_draft(
            session, case, who, CONTRADICTION, message.channel, message.received_at
        )
        if len(findings) == 1:
            return len(do_record_inconsistencies(session, case, message, who, findings))
    return 0


def ensure_qa(session: Session, seed: int) -> int:
    """A scorecard per brand and a few graded answers per brand, by its supervisor."""
    rng = random.Random(seed + 1)
    made = 0
    for slug in ("acme", "globex"):
        brand = _org(session, slug)
        _, sup = _person(session, f"supervisor@{slug}.example")
        if session.scalar(select(QaReview.id).where(QaReview.brand_id == brand.id)):
            continue
        grid = session.scalar(select(QaGrid).where(QaGrid.brand_id == brand.id))
        if grid is None:
            grid = do_create_grid(session, sup, "Grille qualité" if slug == "acme" else "QA")
        answers = session.scalars(
            select(Message.id)
            .join(Case, Case.id == Message.case_id)
            .where(
                Case.brand_id == brand.id,
                Message.direction == "outbound",
                Message.author_user_id.is_not(None),
            )
            .order_by(Message.id)
            .limit(400)
        ).all()
        for message_id in rng.sample(list(answers), min(6, len(answers))):
            scores = {c["key"]: rng.choice((60, 75, 80, 90, 100)) for c in grid.criteria}
            do_grade(session, sup, message_id, scores, grid_id=grid.id)
            made += 1
    return made


def build_rollups(db: Database, days: int, today: date) -> int:
    written = 0
    with db.engine.begin() as conn:
        brands = (
            conn.execute(select(Organisation.id).where(Organisation.kind == "brand"))
            .scalars()
            .all()
        )
        for brand_id in brands:
            written += rebuild(conn, brand_id, today - timedelta(days=days), today)
    return written


def archive_yesterday(db: Database, settings: Settings, today: date) -> int:
    """acme's daily report for yesterday (brand-wide), once."""
    with db.reading() as session:
        acme = _org(session, "acme")
        done = session.scalar(select(func.count(Report.id)).where(Report.brand_id == acme.id))
        acme_id = acme.id
    if done:
        return 0
    report, _ = do_generate(db, settings, acme_id, today - timedelta(days=1))
    return 1 if report is not None else 0


def seed_operations(
    db: Database, settings: Settings, provider_team_id: int, *, days: int, seed: int
) -> dict[str, Any]:
    """Everything after the traffic, in the order a real month leaves it."""
    now = datetime.now(UTC)
    today = now.date()
    out: dict[str, Any] = {"answers_attributed": attribute_answers(db, provider_team_id)}
    with db.transaction() as session:
        out["agents"] = ensure_agents(session, now)
        out["macros"] = ensure_macros(session)
    out["sla"] = do_check(db, now).as_dict()
    out.update(ensure_surveys(db, seed))
    with db.transaction() as session:
        out["qa_reviews"] = ensure_qa(session, seed)
        out["inconsistencies"] = ensure_inconsistency(session)
    out["kpi_rows"] = build_rollups(db, days, today)
    out["reports"] = archive_yesterday(db, settings, today)
    return out
