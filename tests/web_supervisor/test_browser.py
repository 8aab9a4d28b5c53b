"""The supervisor dashboard in real headless Chromium (Debian's, driven by playwright)
against the app on a real socket: an agent goes away through the API and the dashboard
shows it without a reload (SSE + HTMX swap). Screenshots of the dashboard, a
configuration page and the planner go to tests/artifacts/."""

from __future__ import annotations

from datetime import date, timedelta

import httpx
import pytest
from sqlalchemy import update

from omnicase.ingest.pipeline import ingest_one
from omnicase.model import Case, User
from omnicase.model.base import utcnow
from omnicase.services.orgs import do_create_token
from omnicase.store.db import Database
from tests.factories import World, message
from tests.routing.helpers import add_agent, queue, set_presence
from tests.web.conftest import give_passwords
from tests.web_supervisor.browser import ARTIFACTS, needs_chromium, signed_in_page
from tests.web_supervisor.browser import base_url as base_url  # the fixture
from tests.web_supervisor.history import seed_realistic_history

pytestmark = pytest.mark.slow


def _floor(db: Database, world: World) -> list[int]:
    """A believable morning: queues, agents on both sides, cases waiting, at risk, late."""
    queue(db, world, {"key": "orders", "name": "Commandes", "rules": [{"reasons": ["order"]}]})
    queue(
        db, world, {"key": "delivery", "name": "Livraisons", "rules": [{"reasons": ["delivery"]}]}
    )
    queue(
        db,
        world,
        {"key": "returns", "name": "Retours", "rules": [{"reasons": ["return", "refund"]}]},
    )
    queue(db, world, {"key": "general", "name": "Général", "is_default": True})
    texts = [
        ("Ma commande A-1{:04d} n'est toujours pas livrée, où est mon colis ?", "delivery"),
        ("Je voudrais retourner la robe de la commande A-2{:04d}, trop petite.", "return"),
        ("Quand serai-je remboursée pour A-3{:04d} ?", "refund"),
        ("Je n'arrive pas à passer commande, le paiement échoue.", "order"),
        ("Avez-vous ce manteau en taille 40 ?", "availability"),
    ]
    now = utcnow()
    for week in range(1, 5):  # the usual: the same weekday of the last 4 weeks
        for n, (text, _) in enumerate(texts[: 2 + week % 3]):
            ingest_one(
                db,
                message(
                    at=now - timedelta(days=7 * week, minutes=20),
                    email=f"old{week}-{n}@example.fr",
                    text=text.format(n),
                ),
            )
    for n in range(23):
        text, reason = texts[n % len(texts)]
        r = ingest_one(db, message(at=now, email=f"client{n}@example.fr", text=text.format(n)))
        state = "breached" if n % 7 == 0 else "at_risk" if n % 4 == 0 else "ok"
        with db.transaction() as s:
            s.execute(
                update(Case)
                .where(Case.id == r.case_id)
                .values(
                    reason=reason,
                    queue={"delivery": "delivery", "return": "returns", "refund": "returns"}.get(
                        reason, "orders" if reason == "order" else "general"
                    ),
                    sla_state=state,
                    created_at=now - timedelta(minutes=3 * n + 2),
                    team_id=world.ids["team"] if n % 3 == 0 else None,
                )
            )
    three = {"async": 3, "chat": 2, "call": 1}
    agents = [add_agent(db, world, presence="offline", capacity=three) for _ in range(4)]
    agents += [
        add_agent(db, world, "callpro", team=world.ids["team"], capacity=three, at=now)
        for _ in range(2)
    ]
    names = [
        "Camille Laurent",
        "Hugo Petit",
        "Léa Moreau",
        "Nadia Benali",
        "Yanis Haddad",
        "Inès Fontaine",
    ]
    with db.transaction() as s:
        for user_id, name in zip(agents, names, strict=True):
            s.execute(update(User).where(User.id == user_id).values(name=name))
    return agents


@needs_chromium
def test_dashboard_updates_live_when_an_agent_goes_away(
    db: Database, world: World, base_url: str
) -> None:
    agents = _floor(db, world)
    # the agent who goes away: online, with an API token and a password
    with db.transaction() as s:
        user = s.get(User, agents[0])
        assert user is not None
        _, token = do_create_token(s, user)
    give_passwords(db, "supervisor@acme.test", "admin@acme.test", "planner@acme.test")
    with httpx.Client(base_url=base_url, headers={"Authorization": f"Bearer {token}"}) as api:
        assert api.put("/api/v1/agents/me/presence", json={"presence": "online"}).is_success
        now = utcnow()
        for other, state in zip(agents[1:4], ("online", "online", "away"), strict=True):
            set_presence(db, world, other, state, now)
        with signed_in_page(base_url, "supervisor@acme.test") as (page, errors):
            page.goto(f"{base_url}/supervisor")
            agent = f'li[data-agent="{agents[0]}"]'
            page.wait_for_selector(f'{agent}[data-presence="online"]')
            page.evaluate("window.__noReload = true")
            online = int(page.inner_text('[data-testid="total-online"]'))
            # the agent steps away through the API: no reload, the panel changes
            r = api.put("/api/v1/agents/me/presence", json={"presence": "away"})
            assert r.is_success, r.text
            page.wait_for_selector(f'{agent}[data-presence="away"]', timeout=15_000)
            assert page.evaluate("window.__noReload") is True
            assert int(page.inner_text('[data-testid="total-online"]')) == online - 1
            page.screenshot(path=str(ARTIFACTS / "web-dashboard.png"), full_page=True)
            page.goto(f"{base_url}/supervisor/config/queues")
            page.screenshot(path=str(ARTIFACTS / "web-config-queues.png"), full_page=True)
            assert errors == []


@needs_chromium
def test_planner_screens_in_chromium(db: Database, world: World, base_url: str) -> None:
    seed_realistic_history(db, date.today(), weeks=9)
    give_passwords(db, "planner@acme.test")
    with signed_in_page(base_url, "planner@acme.test") as (page, errors):
        page.goto(f"{base_url}/planner")
        page.wait_for_selector('svg.chart path[data-series="forecast"]')
        assert page.locator("#staffing tbody tr").count() > 0
        page.screenshot(path=str(ARTIFACTS / "web-planner.png"), full_page=True)
        page.goto(f"{base_url}/planner/scenarios?growth=4&price=2.5")
        page.wait_for_selector('tr[data-option="hybrid"]')
        page.screenshot(path=str(ARTIFACTS / "web-planner-scenarios.png"), full_page=True)
        assert errors == []
