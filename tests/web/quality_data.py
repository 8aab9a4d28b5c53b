"""A small quality world for the /kpis, /reports and /qa screens: today's email cases
of acme answered by acme's agent, callpro's Lille agent and a Rabat agent (Rabat not
engaged), written straight through the ORM (the answers' sending is not under test)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from omnicase.ingest.pipeline import ingest
from omnicase.model import Case, Message, User
from omnicase.model.base import utcnow
from omnicase.store.db import Database
from tests.factories import World, message

#: A misspelt word ("recu", "demmande"), a greeting, no sign-off.
ANSWER = "Bonjour, nous avons bien recu votre demmande et le colis part demain."


def answered_cases(db: Database, world: World) -> dict[str, int]:
    """Author key → the id of their answer (one case each)."""
    authors = {
        "acme:agent": world.ids["acme:agent"],
        "callpro:agent": world.ids["callpro:agent"],
    }
    with db.reading() as s:
        agent2 = s.scalar(select(User.id).where(User.email == "agent2@callpro.test"))
    assert agent2 is not None
    authors["callpro:unengaged"] = agent2
    out: dict[str, int] = {}
    for i, (key, user_id) in enumerate(authors.items()):
        asked = utcnow() - timedelta(minutes=30 + i)
        [r] = ingest(
            db,
            [
                message(
                    at=asked,
                    subject="Commande abîmée",
                    text=f"Ma commande A-3000{i} est arrivée abîmée",
                    email=f"qa{i}@example.fr",
                )
            ],
        )
        with db.transaction() as s:
            case = s.scalar(select(Case).order_by(Case.id.desc()))
            assert case is not None
            author = s.get(User, user_id)
            assert author is not None
            answered = asked + timedelta(minutes=10)
            m = Message(
                brand_id=case.brand_id,
                case_id=case.id,
                customer_id=case.customer_id,
                channel="email",
                direction="outbound",
                external_id=f"<answer{i}-{case.id}@test>",
                author_user_id=user_id,
                author_name=author.name,
                text=ANSWER,
                received_at=answered,
                link_rule="reply",
                delivery_status="sent",
            )
            s.add(m)
            case.first_response_at = answered
            s.flush()
            out[key] = m.id
        assert r.reference is not None
    return out


def month_of_answers(db: Database, world: World, days: int = 30, seed: int = 5) -> int:
    """For screenshots: ``days`` days of email and chat cases (busier Mondays, quiet
    Sundays), most answered by acme's agent or callpro's Lille agent after a few minutes
    to a few hours (seeded), then the KPI roll-ups rebuilt. Returns the cases made."""
    import random

    from omnicase.quality.kpis.rollup import rebuild

    rng = random.Random(seed)
    today = utcnow().date()
    weekday = (14, 11, 10, 10, 9, 5, 2)
    n = 0
    for d in range(days - 1, 0, -1):
        day = today - timedelta(days=d)
        for k in range(weekday[day.weekday()] + rng.randint(-2, 2)):
            n += 1
            asked = datetime(
                day.year, day.month, day.day, 8 + k % 9, rng.randint(0, 59), tzinfo=UTC
            )
            channel = "chat" if k % 3 == 0 else "email"
            party = {"chat": f"v{n}"} if channel == "chat" else {"email": f"m{n}@example.fr"}
            extra = {"conversation_id": f"v{n}"} if channel == "chat" else {}
            ingest(
                db,
                [message(at=asked, channel=channel, text="Où est mon colis ?", **extra, **party)],
            )
            if rng.random() < 0.12:
                continue  # unanswered
            author = world.ids["acme:agent" if rng.random() < 0.55 else "callpro:agent"]
            delay = timedelta(minutes=rng.choice((4, 12, 35, 70, 150, 300)))
            with db.transaction() as s:
                case = s.scalar(select(Case).order_by(Case.id.desc()))
                assert case is not None
                s.add(
                    Message(
                        brand_id=case.brand_id,
                        case_id=case.id,
                        customer_id=case.customer_id,
                        channel=channel,
                        direction="outbound",
                        external_id=f"<hist{n}@test>",
                        author_user_id=author,
                        text="Bonjour, votre colis arive demain. Cordialement",  # one typo
                        received_at=asked + delay,
                        link_rule="reply",
                        delivery_status="sent",
                    )
                )
                case.first_response_at = asked + delay
    with db.transaction() as s:
        rebuild(
            s.connection(),
            world.ids["acme"],
            today - timedelta(days=days),
            today - timedelta(days=1),
        )
    return n
