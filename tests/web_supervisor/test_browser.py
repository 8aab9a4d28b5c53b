"""The supervisor dashboard in real headless Chromium (Debian's, driven by playwright)
against the app on a real socket: an agent goes away through the API and the dashboard
shows it without a reload (SSE + HTMX swap). Screenshots of the dashboard, a
configuration page and the planner go to tests/artifacts/."""

from __future__ import annotations

import shutil
import threading
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import update

from omnicase.api.app import create_app
from omnicase.ingest.pipeline import ingest_one
from omnicase.model import Case, User
from omnicase.model.base import utcnow
from omnicase.services.orgs import do_create_token
from omnicase.store.db import Database
from tests.factories import World, message
from tests.routing.helpers import add_agent, queue, set_presence
from tests.web.conftest import PASSWORD, give_passwords
from tests.web_supervisor.history import seed_realistic_history

pytestmark = pytest.mark.slow
CHROMIUM = shutil.which("chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def base_url(db: Database) -> Iterator[str]:
    port = free_port()
    srv = uvicorn.Server(
        uvicorn.Config(create_app(db), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not srv.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.02)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(10)


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


def _login(page: object, base: str, email: str) -> None:
    page.goto(f"{base}/login")  # type: ignore[attr-defined]
    page.fill("input[name=email]", email)  # type: ignore[attr-defined]
    page.fill("input[name=password]", PASSWORD)  # type: ignore[attr-defined]
    page.click("button.primary")  # type: ignore[attr-defined]
    page.wait_for_load_state("networkidle")  # type: ignore[attr-defined]


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install -y chromium)")
def test_dashboard_updates_live_when_an_agent_goes_away(
    db: Database, world: World, base_url: str
) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
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
        ARTIFACTS.mkdir(exist_ok=True)
        with sync_api.sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
            )
            try:
                page = browser.new_page(viewport={"width": 1366, "height": 900})
                errors: list[str] = []
                page.on("pageerror", lambda e: errors.append(str(e)))
                _login(page, base_url, "supervisor@acme.test")
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
            finally:
                browser.close()


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install -y chromium)")
def test_planner_screens_in_chromium(db: Database, world: World, base_url: str) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    seed_realistic_history(db, date.today(), weeks=9)
    give_passwords(db, "planner@acme.test")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            _login(page, base_url, "planner@acme.test")
            page.goto(f"{base_url}/planner")
            page.wait_for_selector('svg.chart path[data-series="forecast"]')
            assert page.locator("#staffing tbody tr").count() > 0
            page.screenshot(path=str(ARTIFACTS / "web-planner.png"), full_page=True)
            page.goto(f"{base_url}/planner/scenarios?growth=4&price=2.5")
            page.wait_for_selector('tr[data-option="hybrid"]')
            page.screenshot(path=str(ARTIFACTS / "web-planner-scenarios.png"), full_page=True)
        finally:
            browser.close()
