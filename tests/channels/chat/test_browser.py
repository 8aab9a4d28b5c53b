"""The widget in headless Chromium (Debian's, driven by playwright) on the demo page: a
message is acked, an agent's reply arrives, and markup in either is shown as text (no
element made from it, no dialog)."""

from __future__ import annotations

import shutil
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from sqlalchemy import select

from omnicase.model import Message
from omnicase.store.db import Database
from tests.channels.chat.conftest import KEY, Server
from tests.channels.chat.test_socket import reference, reply
from tests.channels.conftest import run_channels
from tests.factories import World

pytestmark = [pytest.mark.slow, pytest.mark.usefixtures("chat_account")]
HOSTILE = "<img src=x onerror=alert(1)>"
CHROMIUM = shutil.which("chromium")


def drain_outside_loop(db: Database) -> None:
    """playwright's sync API runs an event loop in this thread; procrastinate's worker
    (PostgreSQL) needs one of its own."""
    with ThreadPoolExecutor(1) as pool:
        pool.submit(run_channels, db).result()


def wait_for(check: Any, timeout: float = 15) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out")


@pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install -y chromium)")
def test_widget_in_chromium(db: Database, server: Server, world: World) -> None:
    sync_api = pytest.importorskip("playwright.sync_api")
    dialogs: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(f"{server.base}/chat/demo/{KEY}")
            page.wait_for_selector(".omnicase-chat-prechat", state="visible")
            page.fill(".omnicase-chat-prechat input[name=name]", "Ana")
            page.fill(".omnicase-chat-prechat input[name=email]", "ana@example.com")
            page.click(".omnicase-chat-prechat button")
            page.wait_for_selector(".omnicase-chat-form", state="visible")
            page.fill(".omnicase-chat-form input[name=text]", HOSTILE)
            page.click(".omnicase-chat-form button")
            page.wait_for_selector(".omnicase-chat-visitor[data-acked=true]")
            drain_outside_loop(db)

            def stored() -> Message | None:
                with db.reading() as s:
                    return s.scalar(select(Message).where(Message.channel == "chat"))

            message = wait_for(stored)
            assert message.text == HOSTILE
            reply(server, world, reference(db, message.case_id), f"Bonjour {HOSTILE} Ana")
            drain_outside_loop(db)
            page.wait_for_selector(".omnicase-chat-agent")
            agent = page.inner_text(".omnicase-chat-agent")
            assert "agent acme" in agent and f"Bonjour {HOSTILE} Ana" in agent
            assert page.inner_text(".omnicase-chat-visitor .omnicase-chat-text") == HOSTILE
            assert page.locator(".omnicase-chat img").count() == 0
            page.wait_for_timeout(300)
            assert dialogs == []
        finally:
            browser.close()
