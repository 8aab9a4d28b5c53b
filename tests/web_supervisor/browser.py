"""What the supervisor screens' Chromium tests share: the app on a real socket, and a
signed-in page of Debian's headless Chromium driven by playwright (page errors kept so
each test can assert there were none)."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from omnicase.api.app import create_app
from omnicase.store.db import Database
from tests.live_server import served
from tests.web.conftest import PASSWORD

CHROMIUM = shutil.which("chromium")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="no chromium on PATH (apt-get install -y chromium)"
)


@pytest.fixture
def base_url(db: Database) -> Iterator[str]:
    with served(create_app(db)) as url:
        yield url


def sign_in(page: Any, base: str, email: str) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", PASSWORD)
    page.click("button.primary")
    page.wait_for_load_state("networkidle")


@contextmanager
def signed_in_page(base: str, email: str) -> Iterator[tuple[Any, list[str]]]:
    """A laptop-sized page signed in as ``email`` (its password set by the test), and the
    JavaScript errors it raises."""
    sync_api = pytest.importorskip("playwright.sync_api")
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=["--no-sandbox", "--disable-gpu"]
        )
        try:
            page = browser.new_page(viewport={"width": 1366, "height": 900})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            sign_in(page, base, email)
            yield page, errors
        finally:
            browser.close()
