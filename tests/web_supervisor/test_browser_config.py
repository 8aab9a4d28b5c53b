"""The users and teams screen in real headless Chromium: a supervisor creates a team and
moves an agent into it with the page's own forms; the screenshot goes to
tests/artifacts/ and docs/img/web-config-teams.png."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from sqlalchemy import select

from omnicase.model import SlaPolicy, Team, User
from omnicase.services.orgs import do_create_team, do_create_user, get_org
from omnicase.store.db import Database
from tests.factories import World
from tests.web.conftest import give_passwords
from tests.web_supervisor.browser import ARTIFACTS, needs_chromium, signed_in_page
from tests.web_supervisor.browser import base_url as base_url  # the fixture

pytestmark = pytest.mark.slow
DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img"
AGENTS = ("Camille Martin", "Yanis Benali", "Léa Dubois", "Hugo Lefèvre", "Inès Moreau")

__all__ = ["base_url"]


def _staff(db: Database) -> None:
    """A few named agents, two of them already in a team."""
    with db.transaction() as s:
        acme = get_org(s, "acme")
        paris = do_create_team(s, acme, "Paris · e-mail")
        for i, name in enumerate(AGENTS):
            first = name.split()[0].lower().replace("é", "e").replace("è", "e")
            do_create_user(
                s,
                acme,
                email=f"{first}@acme.test",
                name=name,
                role="agent",
                team=paris if i < 2 else None,
            )


@needs_chromium
def test_a_supervisor_creates_a_team_and_moves_an_agent_into_it(
    db: Database, world: World, base_url: str
) -> None:
    _staff(db)
    give_passwords(db, "supervisor@acme.test")
    with signed_in_page(base_url, "supervisor@acme.test") as (page, errors):
        page.goto(f"{base_url}/supervisor/config/users")
        page.fill("#new-team input[name=team_name]", "Lyon · chat")
        page.click("#new-team button[type=submit]")
        page.wait_for_load_state("networkidle")
        with db.reading() as s:
            team_id = s.scalar(select(Team.id).where(Team.name == "Lyon · chat"))
            lea = s.scalar(select(User.id).where(User.name == "Léa Dubois"))
        assert team_id is not None and lea is not None
        row = page.locator(f'tr[data-user="{lea}"]')
        row.locator("select[name=team_id]").select_option(str(team_id))
        row.locator("form[action$='/team'] button").click()
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("/supervisor/config/users")
        selected = page.locator(f'tr[data-user="{lea}"] select[name=team_id]').input_value()
        assert selected == str(team_id)
        assert page.locator(f'#teams form[data-team="{team_id}"] [data-members="1"]').count() == 1
        with db.reading() as s:
            moved = s.get(User, lea)
            assert moved is not None and moved.team_id == team_id
        shot = ARTIFACTS / "web-config-teams.png"
        page.screenshot(path=str(shot), full_page=True)
        shutil.copyfile(shot, DOCS_IMG / "web-config-teams.png")
        assert errors == []


@needs_chromium
def test_an_admin_adds_an_escalation_step_to_a_policy_in_the_browser(
    db: Database, world: World, base_url: str
) -> None:
    give_passwords(db, "admin@acme.test")
    with signed_in_page(base_url, "admin@acme.test") as (page, errors):
        page.goto(f"{base_url}/supervisor/config/sla")
        form = page.locator("#policy-form form")
        form.locator("input[name=name]").fill("E-mail standard")
        form.locator("select[name=channel]").select_option("email")
        form.locator("input[name=first_response_minutes]").fill("240")
        step = form.locator('[data-step="0"]')
        step.locator("select[name=esc-0-on]").select_option("at_risk")
        step.locator("select[name=esc-0-action]").select_option("notify")
        step.locator("input[name=esc-0-users]").fill("supervisor@acme.test")
        second = form.locator('[data-step="1"]')
        second.locator("select[name=esc-1-on]").select_option("breached")
        second.locator("select[name=esc-1-action]").select_option("raise_priority")
        second.locator("input[value=first_response]").check()
        form.locator("button.primary").click()
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("/supervisor/config/sla")
        with db.reading() as s:
            policy = s.scalars(select(SlaPolicy)).one()
            assert policy.escalations == [
                {"on": "at_risk", "action": "notify", "users": [world.ids["acme:supervisor"]]},
                {"on": "breached", "action": "raise_priority", "clocks": ["first_response"]},
            ]
        page.click(f'tr[data-policy="{policy.id}"] a')
        page.wait_for_load_state("networkidle")
        shown = page.locator('#policy-form [data-step="1"] select[name=esc-1-action]')
        assert shown.input_value() == "raise_priority"
        shot = ARTIFACTS / "web-config-sla.png"
        page.screenshot(path=str(shot), full_page=True)
        shutil.copyfile(shot, DOCS_IMG / "web-config-sla.png")
        assert errors == []
