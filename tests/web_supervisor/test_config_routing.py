"""Routing configuration pages over real HTTP (TestClient), SQLite and PostgreSQL:
overflow rules, team hours and engagements written through the forms are what the API
and the database then hold; a refusal names its field and writes nothing; ending an
engagement takes the brand's cases away from the provider's staff."""

from __future__ import annotations

import shutil
from datetime import date, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.ingest.pipeline import ingest_one
from omnicase.model import Engagement, Event, Organisation, OverflowRule, Team, TeamHours
from omnicase.services.orgs import do_create_team
from omnicase.store.db import Database
from tests.factories import World, message
from tests.routing.helpers import overflow, queue
from tests.web.conftest import login
from tests.web_supervisor.browser import ARTIFACTS, needs_chromium, signed_in_page
from tests.web_supervisor.browser import base_url as base_url  # the fixture

DOCS_IMG = Path(__file__).resolve().parents[2] / "docs" / "img" / "web-config-engagements.png"

BASE = "/supervisor/config"


def _api_rules(web: TestClient, world: World) -> list[dict[str, object]]:
    r = web.get(
        "/api/v1/routing/overflow-rules",
        headers={"Authorization": f"Bearer {world.tokens['acme:supervisor']}"},
    )
    assert r.status_code == 200, r.text
    rules: list[dict[str, object]] = r.json()
    return rules


def _engagement_of(db: Database, team_id: int) -> Engagement:
    with db.reading() as s:
        found = s.scalar(select(Engagement).where(Engagement.team_id == team_id))
        assert found is not None
        return found


def test_overflow_rule_created_edited_switched_off_and_deleted_through_the_pages(
    db: Database, world: World, web: TestClient
) -> None:
    queue(db, world, {"key": "orders", "name": "Commandes", "is_default": True})
    engagement = _engagement_of(db, world.ids["team"]).id
    csrf = login(web, "supervisor@acme.test")
    r = web.post(
        f"{BASE}/overflow",
        data={
            "csrf_token": csrf,
            "kind": "wait_over",
            "engagement_id": str(engagement),
            "wait_minutes": "15",
            "cases": "99",  # another kind's parameter: not sent to the service
            "queues": "orders",
            "channels": "email",
            "active": "on",
        },
    )
    assert r.status_code == 303, r.text
    [rule] = _api_rules(web, world)
    assert rule["kind"] == "wait_over" and rule["engagement_id"] == engagement
    assert rule["params"] == {
        "seconds": 900,
        "queues": ["orders"],
        "channels": ["email"],
        "reasons": [],
    }
    assert rule["active"] is True and rule["team_id"] == world.ids["team"]
    rule_id = rule["id"]
    page = web.get(f"{BASE}/overflow").text
    assert f'data-rule="{rule_id}" data-kind="wait_over"' in page
    assert "Attente dépassée" in page and "attente: 15 min" in page  # acme speaks French
    # the edit form shows the rule as typed, then saves the change
    edit = web.get(f"{BASE}/overflow/{rule_id}/edit").text
    assert 'name="wait_minutes" value="15"' in edit and 'name="queues" value="orders"' in edit
    r = web.post(
        f"{BASE}/overflow/{rule_id}",
        data={
            "csrf_token": csrf,
            "kind": "backlog_over",
            "engagement_id": str(engagement),
            "cases": "20",
            "reasons": "delivery",
            "active": "on",
        },
    )
    assert r.status_code == 303, r.text
    [rule] = _api_rules(web, world)
    assert rule["kind"] == "backlog_over"
    assert rule["params"] == {"cases": 20, "queues": [], "channels": [], "reasons": ["delivery"]}
    # switched off, then on again
    assert web.post(f"{BASE}/overflow/{rule_id}/active", data={"csrf_token": csrf}).is_redirect
    assert _api_rules(web, world)[0]["active"] is False
    web.post(f"{BASE}/overflow/{rule_id}/active", data={"csrf_token": csrf, "active": "on"})
    assert _api_rules(web, world)[0]["active"] is True
    # the delete button asks first (hx-confirm); an HTMX post gets an HX-Redirect
    assert (
        f'hx-post="{BASE}/overflow/{rule_id}/delete" hx-confirm='
        in web.get(f"{BASE}/overflow").text
    )
    gone = web.post(
        f"{BASE}/overflow/{rule_id}/delete",
        data={"csrf_token": csrf},
        headers={"HX-Request": "true"},
    )
    assert gone.status_code == 204 and gone.headers["HX-Redirect"] == f"{BASE}/overflow"
    assert _api_rules(web, world) == []
    with db.reading() as s:
        kinds = list(s.scalars(select(Event.kind).where(Event.kind.like("routing.overflow%"))))
    assert kinds == [
        "routing.overflow_rule.created",
        "routing.overflow_rule.updated",
        "routing.overflow_rule.updated",
        "routing.overflow_rule.updated",
        "routing.overflow_rule.deleted",
    ]


def test_overflow_refusals_name_the_field_keep_the_values_and_write_nothing(
    db: Database, world: World, web: TestClient
) -> None:
    engagement = _engagement_of(db, world.ids["team"]).id
    csrf = login(web, "supervisor@acme.test")
    base = {"csrf_token": csrf, "engagement_id": str(engagement), "active": "on"}
    cases = [
        ({"kind": "wait_over", "wait_minutes": "soon"}, "wait_minutes", 'value="soon"'),
        ({"kind": "backlog_over", "cases": "-3"}, "cases", 'value="-3"'),
        ({"kind": "share", "percent": "150"}, "percent", 'value="150"'),
        # the engagement covers email and chat only: a phone rule could never hand over
        ({"kind": "wait_over", "wait_minutes": "5", "channels": "phone"}, "channels", "phone"),
        ({"kind": "wait_over", "wait_minutes": "5", "queues": "nowhere"}, "queues", "nowhere"),
        ({"kind": "channel_or_reason"}, "channels", ""),
        ({"kind": "wait_over", "wait_minutes": "5", "position": "first"}, "position", "first"),
        ({"kind": "wait_over", "wait_minutes": "5", "engagement_id": "999"}, "engagement_id", ""),
    ]
    for extra, field, kept in cases:
        r = web.post(f"{BASE}/overflow", data={**base, **extra})
        assert r.status_code == 422, (extra, r.text[:300])
        assert f'<span class="field-error" id="err-{field}" data-field="{field}">' in r.text, extra
        assert kept in r.text
    with db.reading() as s:
        assert s.scalars(select(OverflowRule)).all() == []
        assert s.scalar(select(Event).where(Event.kind.like("routing.overflow%"))) is None
    # an edit refused leaves the rule as it was
    rule_id = overflow(db, world, {"kind": "wait_over", "params": {"seconds": 600}})
    r = web.post(
        f"{BASE}/overflow/{rule_id}",
        data={**base, "kind": "wait_over", "wait_minutes": "0"},
    )
    assert r.status_code == 422 and 'data-field="wait_minutes"' in r.text
    assert _api_rules(web, world)[0]["params"]["seconds"] == 600  # type: ignore[index]


def test_overflow_rules_reorder_and_team_hours(db: Database, world: World, web: TestClient) -> None:
    first = overflow(db, world, {"kind": "wait_over", "params": {"seconds": 600}})
    second = overflow(db, world, {"kind": "backlog_over", "params": {"cases": 10}})
    with db.transaction() as s:
        acme = s.get(Organisation, world.ids["acme"])
        assert acme is not None
        team_id = do_create_team(s, acme, "Service client Paris").id
    csrf = login(web, "supervisor@acme.test")
    r = web.post(f"{BASE}/overflow/{second}/move", data={"csrf_token": csrf, "direction": "up"})
    assert r.status_code == 303
    assert [rule["id"] for rule in _api_rules(web, world)] == [second, first]
    # an outside-hours rule may name the brand's own team; its hours are set here
    page = web.get(f"{BASE}/overflow").text
    assert f'id="hours-{team_id}"' in page and "Service client Paris" in page
    bad = web.post(
        f"{BASE}/teams/{team_id}/hours",
        data={"csrf_token": csrf, "hours_mon": "09:00-18:00", "hours_tue": "18:00-09:00"},
    )
    assert bad.status_code == 422
    assert 'data-field="hours_tue"' in bad.text and "closes before it opens" in bad.text
    assert 'value="18:00-09:00"' in bad.text  # as typed
    tz = web.post(
        f"{BASE}/teams/{team_id}/hours",
        data={"csrf_token": csrf, "timezone": "Mars/Olympus", "hours_mon": "09:00-18:00"},
    )
    assert tz.status_code == 422 and 'data-field="timezone"' in tz.text
    with db.reading() as s:
        assert s.get(TeamHours, team_id) is None
    ok = web.post(
        f"{BASE}/teams/{team_id}/hours",
        data={
            "csrf_token": csrf,
            "hours_mon": "09:00-12:30 14:00-18:00",
            "hours_sat": "10:00-16:00",
        },
    )
    assert ok.status_code == 303
    hours = web.get(
        f"/api/v1/routing/teams/{team_id}/hours",
        headers={"Authorization": f"Bearer {world.tokens['acme:supervisor']}"},
    ).json()
    assert hours == {
        "team_id": team_id,
        "timezone": "Europe/Paris",
        "weekly": {"mon": [["09:00", "12:30"], ["14:00", "18:00"]], "sat": [["10:00", "16:00"]]},
    }
    assert 'value="09:00-12:30 14:00-18:00"' in web.get(f"{BASE}/overflow").text
    r = web.post(
        f"{BASE}/overflow",
        data={
            "csrf_token": csrf,
            "kind": "outside_hours",
            "engagement_id": str(_engagement_of(db, world.ids["team"]).id),
            "own_team": str(team_id),
            "active": "on",
        },
    )
    assert r.status_code == 303
    assert _api_rules(web, world)[-1]["params"]["team_id"] == team_id  # type: ignore[index]
    # a provider's team is not one of the brand's own
    with db.reading() as s:
        assert s.get(Team, world.ids["other_team"]) is not None
    forged = web.post(
        f"{BASE}/teams/{world.ids['other_team']}/hours",
        data={"csrf_token": csrf, "hours_mon": "09:00-18:00"},
    )
    assert forged.status_code == 404


def test_engagement_engaged_rescoped_and_ended_changes_the_providers_inbox(
    db: Database, world: World, web: TestClient
) -> None:
    """agent2@callpro (team Rabat voice) sees acme's email case while engaged, not after."""
    case_id = ingest_one(db, message(text="Où est ma commande A-12345 ?")).case_id
    rabat = world.ids["other_team"]
    provider = TestClient(web.app, follow_redirects=False)
    login(provider, "agent2@callpro.test")
    assert f'id="case-{case_id}"' not in provider.get("/inbox").text  # not engaged yet
    csrf = login(web, "admin@acme.test")
    page = web.get(f"{BASE}/engagements").text
    assert f'<option value="{rabat}">CallPro · Rabat voice</option>' in page
    bad = web.post(
        f"{BASE}/engagements",
        data={"csrf_token": csrf, "team_id": str(rabat), "channels": "email fax"},
    )
    assert bad.status_code == 422 and 'data-field="channels"' in bad.text
    assert 'value="email fax"' in bad.text
    late = web.post(
        f"{BASE}/engagements",
        data={
            "csrf_token": csrf,
            "team_id": str(rabat),
            "starts_on": "2026-03-01",
            "ends_on": "2026-02-01",
        },
    )
    assert late.status_code == 422 and 'data-field="ends_on"' in late.text
    typo = web.post(
        f"{BASE}/engagements",
        data={"csrf_token": csrf, "team_id": str(rabat), "starts_on": "1er mars"},
    )
    assert typo.status_code == 422 and 'data-field="starts_on"' in typo.text
    with db.reading() as s:
        assert s.scalar(select(Engagement).where(Engagement.team_id == rabat)) is None
    ok = web.post(
        f"{BASE}/engagements",
        data={
            "csrf_token": csrf,
            "team_id": str(rabat),
            "channels": "email",
            "starts_on": "2020-01-01",
        },
    )
    assert ok.status_code == 303, ok.text
    engagement = _engagement_of(db, rabat)
    assert (engagement.channels, engagement.starts_on, engagement.ends_on) == (
        ["email"],
        date(2020, 1, 1),
        None,
    )
    assert f'id="case-{case_id}"' in provider.get("/inbox").text
    # re-scoped to chat only: the email case leaves the provider's inbox
    r = web.post(
        f"{BASE}/engagements/{engagement.id}",
        data={"csrf_token": csrf, "channels": "chat", "share_percent": "40"},
    )
    assert r.status_code == 303
    assert _engagement_of(db, rabat).share_percent == 40
    assert f'id="case-{case_id}"' not in provider.get("/inbox").text
    web.post(f"{BASE}/engagements/{engagement.id}", data={"csrf_token": csrf, "channels": ""})
    assert f'id="case-{case_id}"' in provider.get("/inbox").text
    # ended two days ago: access stops now (an end before the start is refused)
    early = web.post(
        f"{BASE}/engagements/{engagement.id}/end",
        data={"csrf_token": csrf, "ends_on": "2019-12-31"},
    )
    assert early.status_code == 422 and 'data-field="ends_on"' in early.text
    confirmed = web.post(  # the same through HTMX (hx-confirm): the page replaces the body
        f"{BASE}/engagements/{engagement.id}/end",
        data={"csrf_token": csrf, "ends_on": "2019-12-31"},
        headers={"HX-Request": "true"},
    )
    assert confirmed.headers["HX-Retarget"] == "body" and 'data-field="ends_on"' in confirmed.text
    assert _engagement_of(db, rabat).ends_on is None
    ended = date.today() - timedelta(days=2)  # whatever the brand's timezone
    r = web.post(
        f"{BASE}/engagements/{engagement.id}/end",
        data={"csrf_token": csrf, "ends_on": ended.isoformat()},
    )
    assert r.status_code == 303
    assert _engagement_of(db, rabat).ends_on == ended
    assert f'id="case-{case_id}"' not in provider.get("/inbox").text
    assert (
        f'data-engagement="{engagement.id}" data-state="ended"'
        in web.get(f"{BASE}/engagements").text
    )
    with db.reading() as s:
        kinds = list(s.scalars(select(Event.kind).where(Event.kind.like("engagement.%"))))
    assert kinds[-4:] == [
        "engagement.created",
        "engagement.updated",
        "engagement.updated",
        "engagement.ended",
    ]


def test_who_may_read_and_write_routing_configuration(
    db: Database, world: World, web: TestClient
) -> None:
    engagement = _engagement_of(db, world.ids["team"]).id
    rule_id = overflow(db, world, {"kind": "wait_over", "params": {"seconds": 600}})
    pages = (
        f"{BASE}/overflow",
        f"{BASE}/overflow/{rule_id}/edit",
        f"{BASE}/engagements",
        f"{BASE}/engagements/{engagement}/edit",
    )
    writes = (
        (f"{BASE}/overflow", {"kind": "wait_over", "wait_minutes": "5"}),
        (f"{BASE}/overflow/{rule_id}/delete", {}),
        (f"{BASE}/engagements/{engagement}/end", {"ends_on": "2021-01-01"}),
        (f"{BASE}/engagements", {"team_id": str(world.ids["other_team"])}),
    )
    for email in ("supervisor@callpro.test", "admin@callpro.test", "agent@acme.test"):
        web.cookies.clear()
        csrf = login(web, email)
        for path in pages:
            assert web.get(path).status_code == 403, (email, path)
        for path, data in writes:
            assert web.post(path, data={"csrf_token": csrf, **data}).status_code == 403, path
    # the brand's supervisors write overflow rules (as in the API) but not engagements
    web.cookies.clear()
    csrf = login(web, "supervisor@acme.test")
    page = web.get(f"{BASE}/engagements").text
    assert 'action="/supervisor/config/engagements"' not in page  # no form offered
    end = web.post(
        f"{BASE}/engagements/{engagement}/end", data={"csrf_token": csrf, "ends_on": "2021-01-01"}
    )
    assert end.status_code == 403
    # without the CSRF token nothing is written, even by the brand's admin
    web.cookies.clear()
    login(web, "admin@acme.test")
    assert web.post(f"{BASE}/overflow/{rule_id}/delete").status_code == 403
    assert web.post(f"{BASE}/engagements/{engagement}/end", data={}).status_code == 403
    with db.reading() as s:
        assert s.get(OverflowRule, rule_id) is not None
        assert s.get(Engagement, engagement).ends_on is None  # type: ignore[union-attr]


@pytest.mark.slow
@needs_chromium
def test_engagement_form_in_chromium(db: Database, world: World, base_url: str) -> None:
    """An admin engages a provider team through the form in a real browser; the row
    appears and the page is saved as the documentation's screenshot."""
    queue(db, world, {"key": "orders", "name": "Commandes", "rules": [{"reasons": ["order"]}]})
    queue(db, world, {"key": "returns", "name": "Retours", "rules": [{"reasons": ["return"]}]})
    queue(db, world, {"key": "general", "name": "Général", "is_default": True})
    overflow(db, world, {"kind": "wait_over", "params": {"seconds": 900, "queues": ["orders"]}})
    with db.transaction() as s:
        acme = s.get(Organisation, world.ids["acme"])
        assert acme is not None
        do_create_team(s, acme, "Service client Paris")
    rabat = world.ids["other_team"]
    with signed_in_page(base_url, "admin@acme.test") as (page, errors):
        page.goto(f"{base_url}{BASE}/engagements")
        form = page.locator("#engagement-form form")
        form.locator("select[name=team_id]").select_option(str(rabat))
        form.locator("input[name=queues]").fill("returns general")
        form.locator("input[name=reasons]").fill("x-unknown")
        form.locator("button.primary").click()
        page.wait_for_selector('[data-field="reasons"]')  # refused next to the field
        assert form.locator("input[name=queues]").input_value() == "returns general"
        form.locator("input[name=reasons]").fill("return refund")
        form.locator("input[name=channels]").fill("email chat")
        form.locator("input[name=overflow_only]").check()
        form.locator("input[name=share_percent]").fill("30")
        form.locator("input[name=starts_on]").fill("2026-12-01")
        form.locator("button.primary").click()
        page.wait_for_load_state("networkidle")
        engagement = _engagement_of(db, rabat)
        row = page.locator(f'tr[data-engagement="{engagement.id}"]')
        assert "Rabat voice" in row.inner_text() and "returns, general" in row.inner_text()
        assert engagement.overflow_only and engagement.share_percent == 30
        page.screenshot(path=str(ARTIFACTS / "web-config-engagements.png"), full_page=True)
        shutil.copy(ARTIFACTS / "web-config-engagements.png", DOCS_IMG)
        # ending asks first (hx-confirm): dismissed, nothing changes; accepted, it ends
        answers = iter([False, True, True])
        page.on("dialog", lambda d: d.accept() if next(answers) else d.dismiss())
        end = row.locator("button.danger")
        end.click()
        page.wait_for_timeout(300)
        assert _engagement_of(db, rabat).ends_on is None
        row.locator("input[name=ends_on]").fill("2026-12-31")
        end.click()
        page.wait_for_selector(f'tr[data-engagement="{engagement.id}"] >> text=2026-12-31')
        assert _engagement_of(db, rabat).ends_on == date(2026, 12, 31)
        page.goto(f"{base_url}{BASE}/overflow")
        hours = page.locator("form.rt-hours").first
        hours.locator("input[name=hours_mon]").fill("09:00-12:30 14:00-18:00")
        hours.locator("input[name=hours_sat]").fill("10:00-16:00")
        hours.locator("button").click()
        page.wait_for_load_state("networkidle")
        hours = page.locator("form.rt-hours").first
        assert hours.locator("input[name=hours_sat]").input_value() == "10:00-16:00"
        page.goto(f"{base_url}{BASE}/overflow")
        page.screenshot(path=str(ARTIFACTS / "web-config-overflow.png"), full_page=True)
        page.locator("#overflow-rules button.danger").click()  # confirmed
        page.wait_for_selector("#overflow-rules tbody tr:not([data-rule])")
        with db.reading() as s:
            assert s.scalars(select(OverflowRule)).all() == []
        assert errors == []
