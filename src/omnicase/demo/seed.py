"""``omnicase demo``: brands, a provider engaged on overflow, users, tokens and a month of
cross-channel traffic. Idempotent: a second run finds everything in place and adds nothing.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn
from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from omnicase.config import Settings, load_settings
from omnicase.demo.generator import DEMO_BRANDS, BrandSpec, generate
from omnicase.demo.operations import ensure_overflow_rule, ensure_sla_policies, seed_operations
from omnicase.ingest.pipeline import ingest
from omnicase.ingest.schema import InboundMessage
from omnicase.model import ApiToken, Case, Engagement, Organisation, Team, User
from omnicase.services.orgs import (
    do_create_engagement,
    do_create_org,
    do_create_team,
    do_create_user,
    hash_token,
)
from omnicase.store.db import Database
from omnicase.store.migrate import upgrade

PROVIDER = "callpro"
#: Where the demo users' generated web password is kept (under ``data_dir``), so a second
#: ``make demo`` prints the same working one.
PASSWORD_FILE = "demo-password"
CASE_PREFIXES = {"acme": "AC", "globex": "GX"}
USERS: dict[str, list[tuple[str, str]]] = {
    "acme": [
        ("admin", "Claire Dubois"),
        ("supervisor", "Marc Lefèvre"),
        ("agent", "Sophie Bernard"),
        ("agent", "Karim Haddad"),
        ("agent", "Léa Moreau"),
        ("planner", "Thomas Petit"),
        ("viewer", "Direction relation client"),
    ],
    "globex": [
        ("admin", "Emma Clarke"),
        ("supervisor", "James Wilson"),
        ("agent", "Olivia Brown"),
        ("agent", "Harry Taylor"),
    ],
    PROVIDER: [
        ("admin", "Nadia Benali"),
        ("supervisor", "Yann Le Gall"),
        ("agent", "Inès Garcia"),
        ("agent", "Hugo Martin"),
        ("agent", "Chloé Roux"),
        ("agent", "Mehdi Saïdi"),
    ],
}


def order_pattern(spec: BrandSpec) -> str:
    return f"{spec.order_prefix}\\d{{{spec.order_digits}}}"


def create_brand(session: Session, spec: BrandSpec) -> Organisation:
    existing = session.scalar(select(Organisation).where(Organisation.slug == spec.slug))
    if existing is not None:
        return existing
    return do_create_org(
        session,
        slug=spec.slug,
        name=spec.name,
        kind="brand",
        region=spec.region,
        timezone=spec.timezone,
        language=spec.language,
        case_prefix=CASE_PREFIXES.get(spec.slug),
        settings={"order_patterns": [order_pattern(spec)], "email_domain": spec.domain},
    )


def demo_token(email: str) -> str:
    """Deterministic so that a second ``make demo`` prints the same working tokens.
    Demo data only: real tokens come from ``omnicase tokens create``."""
    return "oc_demo_" + hashlib.sha256(f"omnicase-demo:{email}".encode()).hexdigest()[:24]


def demo_password(settings: Settings) -> str:
    """The demo users' password: generated on the first run (a demo reachable from a
    network must not share a password published in the source), then read back."""
    path = settings.data_dir / PASSWORD_FILE
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    password = secrets.token_urlsafe(12)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(password + "\n", encoding="utf-8")
    path.chmod(0o600)
    return password


def _ensure_users(session: Session, password: str) -> dict[str, str]:
    tokens: dict[str, str] = {}
    for slug, people in USERS.items():
        org = session.scalar(select(Organisation).where(Organisation.slug == slug))
        assert org is not None
        team = do_create_team(
            session, org, "CallPro Lille" if slug == PROVIDER else "Service client"
        )
        counters: dict[str, int] = {}
        for role, name in people:
            counters[role] = counters.get(role, 0) + 1
            suffix = "" if counters[role] == 1 else str(counters[role])
            email = f"{role}{suffix}@{slug}.example"
            user = session.scalar(select(User).where(User.email == email))
            if user is None:
                user = do_create_user(
                    session,
                    org,
                    email=email,
                    name=name,
                    role=role,
                    team=team,
                    password=password,
                )
            token = demo_token(email)
            if (
                session.scalar(select(ApiToken.id).where(ApiToken.token_hash == hash_token(token)))
                is None
            ):
                session.add(
                    ApiToken(
                        user_id=user.id,
                        name="demo",
                        token_hash=hash_token(token),
                        prefix=token[:10],
                        created_at=datetime.now(UTC),
                    )
                )
            if suffix == "":
                tokens[f"{slug}:{role}"] = token
    return tokens


def _ensure_orgs(session: Session) -> Team:
    for spec in DEMO_BRANDS:
        create_brand(session, spec)
    provider = session.scalar(select(Organisation).where(Organisation.slug == PROVIDER))
    if provider is None:
        provider = do_create_org(
            session,
            slug=PROVIDER,
            name="CallPro Outsourcing",
            kind="provider",
            region="FR",
            timezone="Europe/Paris",
        )
    team = do_create_team(session, provider, "CallPro Lille")
    acme = session.scalar(select(Organisation).where(Organisation.slug == "acme"))
    assert acme is not None
    engaged = session.scalar(
        select(Engagement.id).where(Engagement.team_id == team.id, Engagement.brand_id == acme.id)
    )
    if engaged is None:
        do_create_engagement(
            session,
            team=team,
            brand=acme,
            channels=["email", "chat"],
            overflow_only=True,
            share_percent=30,
            starts_on=date(2026, 1, 1),
        )
    return team


QUEUES = {
    "email": "email",
    "webform": "email",
    "chat": "chat",
    "phone": "voice",
    "messenger": "social",
    "instagram": "social",
    "x": "social",
    "whatsapp": "messaging",
    "sms": "messaging",
}


def _assign(db: Database, provider_team_id: int, now: datetime) -> int:
    """Queue every case routing left in the catch-all queue by channel (the provider's
    share, handed over by the overflow rule, in its own queues); resolve what has been
    answered and is quiet. Only touches cases not queued yet or still open, so a second run changes
    nothing."""
    changed = 0
    with db.transaction() as session:
        rows = session.execute(
            select(Case.id, Case.team_id, Case.channel).where(
                or_(Case.queue.is_(None), Case.queue == "default")
            )
        ).all()
        for case_id, team_id, channel in rows:
            values: dict[str, Any] = {"queue": QUEUES.get(channel, "email")}
            if team_id == provider_team_id:  # handed over by the overflow rule at routing
                values["queue"] = f"{values['queue']}-overflow"
            session.execute(update(Case).where(Case.id == case_id).values(**values))
            changed += 1
        # A call is answered live: the call is the first response.
        session.execute(
            update(Case)
            .where(Case.channel == "phone", Case.first_response_at.is_(None))
            .values(first_response_at=Case.first_inbound_at)
        )
        # Quiet for two days: resolved, except one unanswered case in ten, the backlog
        # that breaches its service level on the supervisor's dashboard.
        quiet = session.execute(
            select(Case.id, Case.last_message_at).where(
                Case.status.in_(("new", "open", "pending")),
                or_(Case.first_response_at.is_not(None), Case.id % 10 != 0),
                Case.last_message_at < now - timedelta(days=2),
            )
        ).all()
        for case_id, last in quiet:
            if last is None:
                continue
            session.execute(
                update(Case)
                .where(Case.id == case_id)
                .values(status="resolved", resolved_at=last + timedelta(hours=4))
            )
    return changed


def seed_demo(
    db: Database,
    *,
    messages: int = 10_000,
    days: int = 30,
    seed: int = 42,
    console: Console | None = None,
    settings: Settings | None = None,
) -> dict[str, Any]:
    console = console or Console(stderr=True)
    settings = settings or load_settings()
    password = demo_password(settings)
    upgrade(db)
    with db.transaction() as session:
        team = _ensure_orgs(session)
        tokens = _ensure_users(session, password)
        ensure_sla_policies(session, [b.slug for b in DEMO_BRANDS])
        ensure_overflow_rule(session, team)
        team_id = team.id
    today = datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    start = today - timedelta(days=days)
    counts = {"created": 0, "duplicate": 0, "invalid": 0}
    batch: list[InboundMessage] = []
    with Progress(
        TextColumn("[bold]demo[/bold]"),
        BarColumn(),
        MofNCompleteColumn(),
        console=console,
        transient=True,
        disable=not console.is_terminal,
    ) as progress:
        task = progress.add_task("messages", total=messages)

        def flush() -> None:
            for r in ingest(db, batch):
                counts[r.status.value] += 1
            progress.advance(task, len(batch))
            batch.clear()

        for item in generate(
            customers=max(messages // 5, 10), messages=messages, days=days, start=start, seed=seed
        ):
            batch.append(InboundMessage.model_validate(item.message))
            if len(batch) >= 500:
                flush()
        if batch:
            flush()
    # "Quiet for two days" counted from the start of the day, as the traffic is: a second
    # run the same day must resolve nothing more (a case's last message at the edge).
    queued = _assign(db, team_id, today)
    operations = seed_operations(db, settings, team_id, days=days, seed=seed)
    logins = {key: f"{key.split(':')[1]}@{key.split(':')[0]}.example" for key in tokens}
    console.print(
        f"demo: {counts['created']} new messages, {counts['duplicate']} already there, "
        f"{queued} cases queued"
    )
    console.print(
        "web: http://127.0.0.1:8000/login — e.g. supervisor@acme.example, "
        f"agent@callpro.example; password for every demo user: {password}"
    )
    return {
        "messages": counts,
        "cases_queued": queued,
        "operations": operations,
        "web": {
            "url": "http://127.0.0.1:8000/login",
            "password": password,
            "logins": logins,
        },
        "tokens": tokens,
        "api": "http://127.0.0.1:8000/docs",
    }
