"""The web app in real headless Chromium (Debian's, driven by playwright) against the
whole app on a real socket: log in; a message ingested through the API appears live in
the inbox; reply by email and see it arrive on a loopback SMTP server; merge two cases;
a provider agent cannot open a case outside its engagement; a message's script and
event handlers never run. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import shutil
import subprocess
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from omnicase.api.app import create_app
from omnicase.config import Settings
from omnicase.ingest.pipeline import ingest
from omnicase.model import Case, Message, User
from omnicase.model.base import utcnow
from omnicase.sla.admin import do_create_policy
from omnicase.sla.check import do_check
from omnicase.store.db import Database
from omnicase.store.scope import principal_for
from tests.channels.conftest import (  # noqa: F401  (fixtures)
    SmtpServer,
    box,
    email_account,
    free_port,
    run_channels,
    settings,
    smtp,
)
from tests.factories import World, message
from tests.live_server import served
from tests.web.conftest import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.processes]
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
HOSTILE = (
    '<script>window.__pwned=1;alert("x")</script><img src=x onerror="window.__pwned=2;alert(1)">'
)


def chromium() -> str | None:
    found = shutil.which("chromium")
    if found is None and shutil.which("apt-get"):
        subprocess.run(["apt-get", "install", "-y", "chromium"], check=False, timeout=600)
        found = shutil.which("chromium")
    return found


CHROMIUM = chromium()


@pytest.fixture
def base_url(db: Database, settings: Settings, world: World) -> Iterator[str]:  # noqa: F811
    with served(create_app(db, settings)) as url:
        yield url


@pytest.fixture
def browser() -> Iterator[Any]:
    if CHROMIUM is None:
        pytest.skip("no chromium (apt-get install -y chromium)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--lang=fr-FR"],  # the file picker in French too
        )
        try:
            yield b
        finally:
            b.close()


class Watch:
    """Dialogs, console errors and CSP violations seen by a page."""

    def __init__(self, page: Any) -> None:
        self.dialogs: list[str] = []
        self.console: list[str] = []
        page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))


def open_page(browser: Any, width: int = 1440, height: int = 900) -> tuple[Any, Any, Watch]:
    context = browser.new_context(viewport={"width": width, "height": height}, locale="fr-FR")
    page = context.new_page()
    return context, page, Watch(page)


def log_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{base}/inbox*")


def shot(page: Any, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=False)
    return path


def api_post(base: str, world: World, path: str, body: dict[str, Any]) -> httpx.Response:
    return httpx.post(
        base + path,
        json=body,
        headers={"Authorization": f"Bearer {world.tokens['acme:admin']}"},
        timeout=10,
    )


def sla_policies(db: Database, world: World) -> None:
    """Service levels per channel (round the clock), so rows show on time / at risk /
    breached."""
    with db.transaction() as s:
        admin = s.get(User, world.ids["acme:admin"])
        assert admin is not None
        who = principal_for(s, admin)
        for channel, seconds in (
            ("email", 8 * 3600),
            ("webform", 8 * 3600),
            ("whatsapp", 3600),
            ("messenger", 3600),
            ("instagram", 3600),
            ("sms", 2 * 3600),
            ("chat", 300),
            ("phone", 4 * 3600),
        ):
            do_create_policy(s, who, {"channel": channel, "first_response_seconds": seconds})


def demo_cases(db: Database, world: World | None = None) -> None:
    """A few realistic cases, recent, so the screenshots show a working inbox."""
    if world is not None:
        sla_policies(db, world)
    start = utcnow() - timedelta(hours=3)
    rows = [
        (
            "email",
            "Commande A-10492 toujours pas livrée",
            "Bonjour, ma commande A-10492 devait arriver mardi, toujours rien. "
            "Pouvez-vous vérifier ?",
            {"email": "julie.martin@example.fr", "name": "Julie Martin"},
        ),
        (
            "whatsapp",
            None,
            "Bonjour, je voudrais retourner le manteau rouge taille M, comment faire ?",
            {"whatsapp": "+33698765432", "name": "Marc Petit"},
        ),
        (
            "chat",
            None,
            "Le code promo HIVER20 ne marche pas sur le panier",
            {"chat": "visitor-77", "name": "Inès Haddad"},
        ),
        (
            "instagram",
            None,
            "Vous avez encore la lampe Opaline en blanc ?",
            {"instagram": "lea.dupont.home", "name": "Léa Dupont"},
        ),
        (
            "email",
            "Remboursement commande A-10388",
            "Bonjour, j'ai renvoyé le colis il y a 15 jours et toujours pas de remboursement.",
            {"email": "paul.girard@example.fr", "name": "Paul Girard"},
        ),
        (
            "phone",
            None,
            "Mme Anouk Delattre : double débit sur la carte pour la commande A-10511",
            {"phone": "+33612000111", "name": "Anouk Delattre"},
        ),
        (
            "messenger",
            None,
            "Bonjour, je n'arrive plus à me connecter à mon compte",
            {"messenger": "psid-4411", "name": "Hugo Lambert"},
        ),
        (
            "sms",
            None,
            "Mon colis est marqué livré mais je n'ai rien reçu",
            {"phone": "+33687001122", "name": "Sarah Cohen"},
        ),
    ]
    ingest(
        db,
        [
            message(channel=ch, subject=subj, text=text, at=start, minutes=i * 20, **party)
            for i, (ch, subj, text, party) in enumerate(rows)
        ],
    )
    # Julie follows up on WhatsApp about the same order: one case, two channels
    ingest(
        db,
        [
            message(
                channel="whatsapp",
                at=utcnow() - timedelta(minutes=25),
                text="Bonjour, c'est Julie Martin, toujours rien pour la commande A-10492 ?",
                whatsapp="+33611223344",
                name="Julie Martin",
            )
        ],
    )
    if world is not None:
        do_check(db)


def test_agent_flow_live_inbox_reply_by_email_merge_and_screenshots(
    db: Database,
    world: World,
    base_url: str,
    browser: Any,
    smtp: SmtpServer,  # noqa: F811
    box: Any,  # noqa: F811
) -> None:
    email_account(db, world, box, smtp)
    demo_cases(db, world)
    context, page, watch = open_page(browser)
    try:
        log_in(page, base_url, "agent@acme.test")
        page.wait_for_selector("[data-case-row]")
        # a message ingested through the API appears live (SSE), without a reload
        page.wait_for_function("() => !!document.querySelector('#inbox-rows')")
        time.sleep(0.5)  # the stream is open
        r = api_post(
            base_url,
            world,
            "/api/v1/messages",
            message(
                channel="email",
                at=utcnow() - timedelta(minutes=2),
                subject="Colis abîmé à la livraison",
                text="Bonjour, le colis de la commande A-10600 est arrivé écrasé, "
                "la lampe est cassée.",
                email="claire.moreau@example.fr",
                name="Claire Moreau",
            ).model_dump(mode="json", by_alias=True, exclude_none=True),
        )
        assert r.status_code in (200, 201), r.text
        page.wait_for_selector("tr.case-row:has-text('Claire Moreau')", timeout=10_000)
        first = page.locator("tr.case-row").first.inner_text()
        assert "Claire Moreau" in first
        # keyboard: j selects the first row, o opens it
        page.keyboard.press("j")
        page.wait_for_selector("tr.case-row.selected")
        shot(page, "web-inbox")
        page.keyboard.press("o")
        page.wait_for_url(f"{base_url}/cases/*")
        assert "Colis abîmé" in page.inner_text("h1")
        # reply by email; it reaches the loopback SMTP server
        page.keyboard.press("r")
        page.fill(
            "[data-reply-text]",
            "Bonjour Claire,\n\nNous vous renvoyons une lampe dès demain.\n\nSophie",
        )
        page.select_option("select[name=status_after]", "pending")
        shot(page, "web-case-composer")
        page.click("#reply button[type=submit]")
        page.wait_for_selector(".tl-message.dir-outbound")
        with ThreadPoolExecutor(1) as pool:  # playwright's loop lives in this thread
            pool.submit(run_channels, db).result()
        deadline = time.monotonic() + 15
        while not smtp.recorder.messages and time.monotonic() < deadline:
            time.sleep(0.1)
        assert smtp.recorder.messages, "the reply never reached the SMTP server"
        raw = smtp.recorder.messages[-1].content
        assert b"claire.moreau@example.fr" in raw.lower() or b"claire.moreau@example.fr" in raw
        with db.reading() as s:
            julie = s.scalars(select(Case).order_by(Case.id)).first()
            assert julie is not None and julie.message_count == 2  # email + WhatsApp
        page.goto(f"{base_url}/cases/AC-{julie.id:06d}")
        page.check("input[name=internal_note]")
        page.fill("[data-reply-text]", "Transporteur relancé : colis bloqué au dépôt de Lyon.")
        page.click("#reply button[type=submit]")
        page.wait_for_selector(".tl-note")
        page.evaluate("() => window.scrollTo(0, 0)")
        assert page.locator(".tl-message .ch-whatsapp").count() == 1
        assert page.locator(".tl-message .ch-email").count() == 1
        shot(page, "web-case")
        # merge two cases of the same customer-facing brand from the case page
        with db.reading() as s:
            cases = list(s.scalars(select(Case).order_by(Case.id)))
        source, target = cases[4], cases[0]  # Paul's refund joins Julie's case (a test)
        src_ref, dst_ref = f"AC-{source.id:06d}", f"AC-{target.id:06d}"
        page.goto(f"{base_url}/cases/{src_ref}")
        page.fill("input[name=into]", dst_ref)
        page.click(".merge-form button[type=submit]")
        page.wait_for_url(f"{base_url}/cases/{dst_ref}")
        assert page.locator(".link-row").count() == 1
        with db.reading() as s:
            merged = s.get(Case, source.id)
            assert merged is not None and merged.merged_into_id == target.id
        assert watch.dialogs == []
        assert not [c for c in watch.console if "Content Security Policy" in c], watch.console
    finally:
        context.close()


def test_provider_agent_cannot_open_a_case_outside_its_engagement(
    db: Database, world: World, base_url: str, browser: Any
) -> None:
    demo_cases(db)
    with db.reading() as s:
        whatsapp = s.scalars(select(Case).where(Case.channel == "whatsapp")).one()
        email = s.scalars(select(Case).where(Case.channel == "email")).first()
    assert email is not None
    context, page, _ = open_page(browser, 1024, 768)  # a tablet
    try:
        log_in(page, base_url, "agent@callpro.test")
        inbox = page.inner_text("#inbox-list")
        assert "Marc Petit" not in inbox and "Julie Martin" in inbox
        response = page.goto(f"{base_url}/cases/AC-{whatsapp.id:06d}")
        assert response is not None and response.status == 404
        assert "Marc Petit" not in page.content() and "manteau" not in page.content()
        response = page.goto(f"{base_url}/cases/AC-{email.id:06d}")
        assert response is not None and response.status == 200
        shot(page, "web-case-tablet-provider")
    finally:
        context.close()


def test_a_hostile_message_never_executes(
    db: Database, world: World, base_url: str, browser: Any
) -> None:
    [result] = ingest(
        db,
        [
            message(
                subject=HOSTILE,
                text=f"Bonjour {HOSTILE} merci",
                email="mallory@example.fr",
                name=HOSTILE,
            )
        ],
    )
    with db.transaction() as s:
        m = s.scalars(select(Message)).one()
        m.html = (
            '<p>Hi</p><img src="https://tracker.example/p.gif" onerror="alert(2)">'
            "<script>alert(3)</script>"
        )
    context, page, watch = open_page(browser)
    try:
        log_in(page, base_url, "agent@acme.test")
        page.wait_for_selector("[data-case-row]")
        page.goto(f"{base_url}/cases/{result.reference}")
        assert HOSTILE in page.inner_text(".tl-text")
        assert page.locator(".tl-text img, .tl-text script").count() == 0
        page.click("[data-frame-toggle]")
        page.wait_for_timeout(500)
        page.click("[data-frame-toggle]:visible")
        page.wait_for_timeout(800)
        # injected script in the page would have set this; a dialog would have been caught
        assert page.evaluate("() => typeof window.__pwned") == "undefined"
        assert watch.dialogs == []
    finally:
        context.close()
