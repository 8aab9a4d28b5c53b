"""The reply composer in real headless Chromium against the app on a real socket: an
agent searches the macros, inserts one (placeholders filled, over HTMX), meets the
consistency warning on sending (nothing sent), sends anyway, and the case shows the
recorded inconsistency. No console error (the CSP forbids inline script: none is used).
Screenshot: tests/artifacts/web-composer.png (copied to docs/img/web-composer.png)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from sqlalchemy import func, select

from omnicase.model import Inconsistency, Message
from omnicase.security.secrets import SecretBox
from omnicase.store.db import Database
from tests.channels.conftest import box, settings  # noqa: F401  (fixtures)
from tests.factories import World
from tests.web.test_composer import FIRST, add_macro, refund_case
from tests.web.test_e2e import (  # noqa: F401  (fixtures)
    api_post,
    base_url,
    browser,
    log_in,
    open_page,
    shot,
)

pytestmark = [pytest.mark.slow, pytest.mark.processes]

MACRO = (
    "Bonjour {customer_name},\n\nVotre remboursement pour la commande {order_number} "
    "sera effectué sous 14 jours.\n\nBien à vous,\n{agent_name}"
)


def outbound(db: Database) -> int:
    with db.reading() as s:
        query = select(func.count()).select_from(Message).where(Message.direction == "outbound")
        return s.scalar(query) or 0


def test_insert_a_macro_meet_the_warning_and_send_anyway(
    db: Database,
    world: World,
    box: SecretBox,  # noqa: F811
    base_url: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    expect = pytest.importorskip("playwright.sync_api").expect
    ref = refund_case(db, world, box)
    first = api_post(base_url, world, f"/api/v1/cases/{ref}/replies", {"text": FIRST})
    assert first.status_code == 201, first.text
    add_macro(db, world, title="Délai de remboursement", body=MACRO, reasons=["refund"])
    add_macro(db, world, title="Formule de politesse", body="Bien à vous,\n{agent_name}")
    add_macro(db, world, title="Suivi de livraison", body="Votre colis…", reasons=["delivery"])

    context, page, watch = open_page(browser)
    try:
        log_in(page, base_url, "agent@acme.test")
        page.goto(f"{base_url}/cases/{ref}")
        page.click(".macro-picker > summary")
        assert page.locator("#macro-list [data-macro]").count() == 2  # not the delivery one
        page.fill("#macro-q", "rembours")
        expect(page.locator("#macro-list [data-macro]")).to_have_count(1)
        page.click("#macro-list .macro-insert")
        expect(page.locator("#reply-text")).to_have_value(re.compile("Julie Martin"))
        text = page.input_value("#reply-text")
        assert "commande A-12345" in text and "agent acme" in text and "{" not in text

        page.click("#reply button[type=submit].primary")
        warning = page.locator("[data-consistency-warning]")
        warning.wait_for()
        assert "14 jours" in warning.inner_text() and "5 jours ouvrés" in warning.inner_text()
        assert page.input_value("#reply-text") == text  # the draft is kept
        assert outbound(db) == 1
        page.locator("#reply").scroll_into_view_if_needed()
        page.evaluate("window.scrollBy(0, 120)")
        shot(page, "web-composer")

        page.click("[data-send-anyway]")
        page.wait_for_selector("#inconsistencies [data-inconsistency]")
        assert outbound(db) == 2
        with db.reading() as s:
            [row] = s.scalars(select(Inconsistency)).all()
            assert row.status == "detected" and row.detail["slot"] == "refund_delay"
        # the warned post answers 409 (not sent): Chromium logs that status, nothing else
        errors = [c for c in watch.console if c.startswith("error") and "409" not in c]
        assert not errors, errors
        assert not watch.dialogs
    finally:
        context.close()

    # the supervisor's screen for the same macros
    context, page, watch = open_page(browser)
    try:
        log_in(page, base_url, "supervisor@acme.test")
        page.goto(f"{base_url}/supervisor/config/macros")
        assert page.locator("#macros [data-macro]").count() == 3
        page.fill("#macro-form input[name=title]", "Frais de port")
        page.fill("#macro-form textarea[name=body]", "La livraison coûte 4,90 €.")
        page.locator("#macro-form input[name=fact_key]").first.fill("shipping_fee_eur")
        page.locator("#macro-form input[name=fact_value]").first.fill("gratuit")
        page.click("#macro-form button[type=submit].primary")
        page.wait_for_selector('.field-error[data-field="facts.shipping_fee_eur"]')
        shot(page, "web-macros-admin")
        assert not [c for c in watch.console if c.startswith("error") and "422" not in c]
    finally:
        context.close()
