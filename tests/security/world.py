"""A world for access tests: two brands, a provider with an active engagement (acme's
email + chat), an ended one and an overflow-only one (globex), users of every role, and
cases, customers, messages and attachments in every scope, each carrying unique markers.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import select, text

from omnicase.channels.attachments import AttachmentStore
from omnicase.ingest.pipeline import ingest
from omnicase.ingest.schema import Attachment, InboundMessage
from omnicase.model import Base, Case, Organisation, Team, User
from omnicase.services.orgs import do_create_engagement, do_create_token, do_create_user
from omnicase.store.db import Database
from omnicase.store.references import format_reference
from tests.factories import ROLES, World, make_world, message
from tests.security.world_quality import seed_quality

CASE_SCOPES = ("acme:email", "acme:chat", "acme:phone", "globex:email", "globex:chat")
PROVIDER_SEES = frozenset({"acme:email", "acme:chat"})
#: Tables whose rows may change on a refused request without anything being written:
#: the shared rate-limit counters.
VOLATILE = frozenset({"rate_windows"})


@dataclass
class Seeded:
    world: World
    markers: dict[str, set[str]] = field(default_factory=dict)  # scope → marker strings
    refs: dict[str, list[str]] = field(default_factory=dict)  # param → values
    owner: dict[tuple[str, str], str] = field(default_factory=dict)  # (param, value) → scope
    who: list[str] = field(default_factory=list)
    #: scope → [(case id, message id, customer id)] of the seeded cases
    cases: dict[str, list[tuple[int, int, int]]] = field(default_factory=dict)

    def values(self, param: str) -> list[str]:
        return self.refs.get(param, [])


def may_see(who: str, scope: str) -> bool:
    """The expectation, written independently of store/scope.py."""
    org, role = who.split(":")
    if scope.startswith("org:"):
        return scope == f"org:{org}"
    if org in ("acme", "globex"):
        return scope.startswith(f"{org}:")
    if role in ("unengaged", "overflow"):
        return False
    return scope in PROVIDER_SEES


def seed(db: Database, attachments_dir: Path, data_dir: Path | None = None) -> Seeded:
    world = make_world(db)
    out = Seeded(world)
    with db.transaction() as s:
        globex = s.scalar(select(Organisation).where(Organisation.slug == "globex"))
        provider = s.scalar(select(Organisation).where(Organisation.slug == "callpro"))
        other = s.get(Team, world.ids["other_team"])
        assert globex is not None and provider is not None and other is not None
        # an ended engagement (the unengaged agent's team) and an overflow-only one
        do_create_engagement(
            s,
            team=other,
            brand=globex,
            starts_on=date(2020, 1, 1),
            ends_on=date.today() - timedelta(days=2),
        )
        from omnicase.services.orgs import do_create_team

        overflow = do_create_team(s, provider, "Overflow desk")
        do_create_engagement(
            s, team=overflow, brand=globex, overflow_only=True, starts_on=date(2020, 1, 1)
        )
        user = do_create_user(
            s,
            provider,
            email="overflow@callpro.test",
            name="overflow agent",
            role="agent",
            team=overflow,
        )
        world.tokens["callpro:overflow"] = do_create_token(s, user)[1]
        world.ids["callpro:overflow"] = user.id
    store = AttachmentStore(attachments_dir)
    msgs: list[tuple[str, InboundMessage]] = []
    for scope in CASE_SCOPES:
        brand, channel = scope.split(":")
        for n in (1, 2):
            mark = f"MARK-{brand}-{channel}-{n}"
            email = f"mark-{brand}-{channel}-{n}@example.org"
            data = f"attachment of {mark}".encode()
            sha = store.put(data)
            party = {"email": email}
            if channel == "chat":
                party["chat"] = f"visitor-{brand}-{n}"
            if channel == "phone":
                party["phone"] = "+3361111111" + str(n)
            m = message(
                brand=brand,
                channel=channel,
                external_id=f"<ext-{mark}@test>",
                text=f"Bonjour {mark}, order about {mark.lower()}",
                subject=f"subject {mark}",
                **party,
            )
            m = m.model_copy(
                update={
                    "html": f"<p>Bonjour {mark}</p>" if channel == "email" else None,
                    "attachments": [
                        Attachment(
                            filename=f"{mark}.txt",
                            content_type="text/plain",
                            size=len(data),
                            sha256=sha,
                        )
                    ],
                }
            )
            m = InboundMessage.model_validate(m.model_dump(by_alias=True, mode="json"))
            msgs.append((scope, m))
            out.markers.setdefault(scope, set()).update(
                {mark, email, sha, f"ext-{mark}", *party.values()}
            )
    results = ingest(db, [m for _, m in msgs])
    with db.reading() as s:
        prefixes = dict(s.execute(select(Organisation.id, Organisation.case_prefix)).all())
        for (scope, m), r in zip(msgs, results, strict=True):
            assert r.case_id is not None and r.message_id is not None
            case = s.get(Case, r.case_id)
            assert case is not None
            ref = format_reference(prefixes[case.brand_id] or "", case.id)
            sha = m.attachments[0].sha256 or ""
            out.cases.setdefault(scope, []).append((case.id, r.message_id, case.customer_id))
            for param, value in (
                ("reference", ref),
                ("reference", str(case.id)),
                ("customer_id", str(case.customer_id)),
                ("message_id", str(r.message_id)),
                ("sha256", sha),
            ):
                out.refs.setdefault(param, [])
                if value not in out.refs[param]:
                    out.refs[param].append(value)
                out.owner[(param, value)] = scope
        slugs = dict(s.execute(select(Organisation.id, Organisation.slug)).all())
        for user_id, org_id in s.execute(select(User.id, User.organisation_id)):
            out.refs.setdefault("user_id", []).append(str(user_id))
            out.owner[("user_id", str(user_id))] = f"org:{slugs[org_id]}"
        for team_id, org_id in s.execute(select(Team.id, Team.organisation_id)):
            out.refs.setdefault("team_id", []).append(str(team_id))
            out.owner[("team_id", str(team_id))] = f"org:{slugs[org_id]}"
        for param, table in (
            ("account_id", "channel_accounts"),
            ("calendar_id", "calendars"),
            ("policy_id", "sla_policies"),
            ("rule_id", "overflow_rules"),
            ("inbox_id", "inbox"),
            ("job_id", "jobs"),
            ("link_id", "case_links"),
        ):
            rows = s.execute(text(f"SELECT id, brand_id FROM {table}")).all()
            for row_id, brand_id in rows:
                out.refs.setdefault(param, []).append(str(row_id))
                if brand_id is not None:
                    out.owner[(param, str(row_id))] = f"org:{slugs[brand_id]}"
        for (key,) in s.execute(text("SELECT key FROM routing_queues")):
            out.refs.setdefault("key", []).append(str(key))
        out.refs["brand"] = ["acme", "globex", "callpro"]
    seed_quality(db, out, data_dir or attachments_dir.parent / "var")
    with db.reading() as s:
        for param, table in (
            ("macro_id", "macros"),
            ("engagement_id", "engagements"),
            ("queue_id", "routing_queues"),
        ):
            for row_id, brand_id in s.execute(text(f"SELECT id, brand_id FROM {table}")):
                out.refs.setdefault(param, []).append(str(row_id))
                out.owner[(param, str(row_id))] = f"org:{slugs[brand_id]}"
    out.who = [f"{o}:{r}" for o in ("acme", "globex", "callpro") for r in ROLES] + [
        "callpro:unengaged",
        "callpro:overflow",
    ]
    return out


def digest(db: Database) -> str:
    """A hash of every row of every table (but the shared rate counters)."""
    h = hashlib.sha256()
    with db.reading() as s:
        for table in Base.metadata.sorted_tables:
            if table.name in VOLATILE:
                continue
            cols = ", ".join(f'"{c}"' for c in sorted(c.name for c in table.columns))
            rows = sorted(
                repr(tuple(r)) for r in s.execute(text(f"SELECT {cols} FROM {table.name}"))
            )
            h.update(repr((table.name, rows)).encode())
    return h.hexdigest()
