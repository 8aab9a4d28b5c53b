"""Builders for test data: organisations, users with tokens, canonical messages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from itertools import count
from typing import Any

from omnicase.ingest.schema import InboundMessage
from omnicase.services.orgs import (
    do_create_engagement,
    do_create_org,
    do_create_team,
    do_create_token,
    do_create_user,
)
from omnicase.store.db import Database

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
_ids = count(1)

ROLES = ("admin", "supervisor", "agent", "planner", "viewer")


@dataclass
class World:
    ids: dict[str, int] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)  # "acme:agent" → token


def make_world(
    db: Database,
    *,
    provider_channels: list[str] | None = None,
    overflow_only: bool = False,
    engagement_ends: date | None = None,
) -> World:
    """acme (FR) and globex (GB) brands, provider callpro engaged on acme's email+chat;
    one user per role in each, each with a token."""
    world = World()
    with db.transaction() as s:
        acme = do_create_org(
            s,
            slug="acme",
            name="Acme Mode",
            kind="brand",
            region="FR",
            timezone="Europe/Paris",
            language="fr",
            case_prefix="AC",
            settings={"order_patterns": [r"A-\d{5}"]},
        )
        globex = do_create_org(
            s,
            slug="globex",
            name="Globex Home",
            kind="brand",
            region="GB",
            timezone="Europe/London",
            language="en",
            case_prefix="GX",
            settings={"order_patterns": [r"GX\d{6}"]},
        )
        provider = do_create_org(s, slug="callpro", name="CallPro", kind="provider")
        team = do_create_team(s, provider, "Lille digital")
        other_team = do_create_team(s, provider, "Rabat voice")
        do_create_engagement(
            s,
            team=team,
            brand=acme,
            channels=provider_channels if provider_channels is not None else ["email", "chat"],
            overflow_only=overflow_only,
            starts_on=date(2020, 1, 1),
            ends_on=engagement_ends,
        )
        world.ids.update(
            acme=acme.id,
            globex=globex.id,
            callpro=provider.id,
            team=team.id,
            other_team=other_team.id,
        )
        for org in (acme, globex, provider):
            for role in ROLES:
                user = do_create_user(
                    s,
                    org,
                    email=f"{role}@{org.slug}.test",
                    name=f"{role} {org.slug}",
                    role=role,
                    team=team if org is provider else None,
                )
                _, token = do_create_token(s, user)
                world.tokens[f"{org.slug}:{role}"] = token
                world.ids[f"{org.slug}:{role}"] = user.id
        # a provider agent of the other team (not engaged anywhere)
        user = do_create_user(
            s, provider, email="agent2@callpro.test", name="agent2", role="agent", team=other_team
        )
        world.tokens["callpro:unengaged"] = do_create_token(s, user)[1]
    return world


def message(
    *,
    brand: str = "acme",
    channel: str = "email",
    at: datetime | None = None,
    minutes: float = 0,
    external_id: str | None = None,
    text: str = "Bonjour, ma commande n'est pas arrivée.",
    subject: str | None = None,
    direction: str = "inbound",
    in_reply_to: str | None = None,
    conversation_id: str | None = None,
    meta: dict[str, Any] | None = None,
    **party: str,
) -> InboundMessage:
    """A valid canonical message; ``party`` are the customer's identities (email=…)."""
    if not party:
        party = {"email": "julie.martin@example.fr"}
    n = next(_ids)
    data: dict[str, Any] = {
        "brand": brand,
        "channel": channel,
        "external_id": external_id or f"<m{n}@test>",
        "received_at": ((at or T0) + timedelta(minutes=minutes)).isoformat(),
        "direction": direction,
        "subject": subject,
        "text": text,
        "thread": {
            "in_reply_to": in_reply_to,
            "references": [in_reply_to] if in_reply_to else [],
            "conversation_id": conversation_id,
        },
        "meta": meta or {},
    }
    if direction == "inbound":
        data["from"] = party
    else:
        data["from"] = {"name": "Sophie (Acme)"}
        data["to"] = party
    return InboundMessage.model_validate(data)
