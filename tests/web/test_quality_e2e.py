"""/kpis and /qa in real headless Chromium against the whole app on a real socket: the
KPI table and the trend SVG render without a CSP violation (no inline script or style),
an answer is graded through the form, and screenshots go to tests/artifacts/."""

from __future__ import annotations

from typing import Any

import pytest

from omnicase.store.db import Database
from tests.channels.conftest import box, settings, smtp  # noqa: F401  (fixtures)
from tests.factories import World
from tests.web.quality_data import answered_cases, month_of_answers
from tests.web.test_e2e import base_url, browser, demo_cases, log_in, open_page, shot  # noqa: F401

pytestmark = [pytest.mark.slow, pytest.mark.processes]


def test_kpis_and_qa_in_chromium(
    db: Database,
    world: World,
    base_url: str,  # noqa: F811
    browser: Any,  # noqa: F811
) -> None:
    demo_cases(db, world)
    month_of_answers(db, world)
    answered_cases(db, world)
    context, page, watch = open_page(browser)
    try:
        log_in(page, base_url, "supervisor@acme.test")
        page.goto(f"{base_url}/kpis?period=7d&by=channel")
        assert page.locator("#kpi-sides").is_visible()
        assert page.locator("svg.kpi-trend rect.vol").count() == 30
        assert "Lille digital" in page.inner_text("#kpi-sides")
        page.set_viewport_size({"width": 1440, "height": 1280})  # the table and the chart
        shot(page, "web-kpis")
        page.set_viewport_size({"width": 1440, "height": 900})
        page.goto(f"{base_url}/qa")
        lille = page.locator(f'#sample [data-agent="{world.ids["callpro:agent"]}"] li a')
        assert lille.count() == 3  # the week's sample: 3 answers per agent
        lille.first.click()
        assert page.locator("mark.misspelt").count() >= 1
        page.fill("input[name='scores.accuracy']", "90")
        page.fill("input[name='scores.tone']", "70")
        page.fill("input[name='scores.spelling']", "40")
        page.fill("input[name='scores.procedure']", "100")
        page.fill("textarea[name='note.spelling']", "deux fautes")
        page.click("#grade-form button[type=submit]")
        # one score missing: the error sits next to its field, nothing saved
        assert page.locator("[data-field='scores.personalisation']").is_visible()
        page.fill("input[name='scores.personalisation']", "80")
        page.click("#grade-form button[type=submit]")
        page.wait_for_url("**graded=1")
        assert page.locator("[data-testid=graded]").is_visible()
        shot(page, "web-qa-answer")
        page.goto(f"{base_url}/qa")
        assert page.locator("#qa-agents [data-agent]").count() == 1
        shot(page, "web-qa")
        page.goto(f"{base_url}/reports")
        page.click("#generate button[type=submit]")
        page.wait_for_url("**/reports?made=1")  # the form offers yesterday by itself
        assert page.locator("[data-testid=notice]").is_visible()
        assert page.locator("#reports tr[data-report]").count() == 1
        assert page.locator("#reports tr[data-report] a[download]").count() >= 2
        shot(page, "web-reports")
        csp = [c for c in watch.console if "Content Security Policy" in c or "Refused" in c]
        assert csp == [] and watch.dialogs == []
    finally:
        context.close()
