"""The /kpis, /reports and /qa screens through real HTTP (TestClient) on SQLite and
PostgreSQL: who may see what (an agent gets 403, a provider supervisor its own team,
another brand nothing), the grading form (errors next to the field, nothing written on
an error), report generation and downloads (audit-logged like the API's)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from omnicase.api.app import create_app
from omnicase.config import load_settings
from omnicase.model import Engagement, Event, QaReview, Report
from omnicase.model.base import utcnow
from omnicase.reports.archive import do_generate
from omnicase.store.db import Database
from tests.channels.conftest import KEY
from tests.factories import World
from tests.web.conftest import csrf_of, login
from tests.web.quality_data import answered_cases

CASES_TOTAL = r'<tr data-kpi="cases"><th scope="row">[^<]*</th><td class="n"><strong>(\d+)'
SCORES = {"accuracy": "90", "tone": "80", "spelling": "60", "procedure": "100"}


@pytest.fixture
def app_client(
    db: Database, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[TestClient]:
    """The web app with a temporary report archive."""
    monkeypatch.setenv("OMNICASE_SECRET_KEYS", KEY)
    monkeypatch.setenv("OMNICASE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.setenv("OMNICASE_ATTACHMENTS_DIR", str(tmp_path / "attachments"))
    with TestClient(create_app(db, load_settings()), follow_redirects=False) as c:
        yield c


@pytest.fixture
def answers(db: Database, world: World) -> dict[str, int]:
    return answered_cases(db, world)


def count(db: Database, model: type, *where: object) -> int:
    with db.reading() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)  # type: ignore[arg-type]


def team_headers(html: str) -> list[str]:
    return re.findall(r'<th class="n side-(\w+)" data-team="[^"]*">([^<]*)<', html)


# ---- /kpis ------------------------------------------------------------------------------
def test_kpis_agent_is_refused(world: World, answers: dict[str, int], web: TestClient) -> None:
    login(web, "agent@acme.test")
    assert web.get("/kpis").status_code == 403
    assert web.get("/qa").status_code == 403


def test_kpis_brand_sees_internal_and_provider_side_by_side(
    world: World, answers: dict[str, int], web: TestClient
) -> None:
    login(web, "supervisor@acme.test")
    r = web.get("/kpis?period=day")
    assert r.status_code == 200, r.text
    heads = team_headers(r.text)
    # the internal agent has no team (internal), Lille is callpro's; Rabat is not engaged
    # but its agent's answer is on an acme case: it shows as its own provider column
    assert ("provider", "Lille digital") in heads
    assert heads[0][0] == "internal", heads  # the brand's own (team-less) agents first
    cases = re.search(CASES_TOTAL, r.text)
    assert cases and int(cases.group(1)) == 3
    assert '<svg class="chart kpi-trend"' in r.text and "<script" not in r.text.split("<main")[1]
    by_agent = web.get("/kpis?period=7d&by=agent")
    assert by_agent.status_code == 200 and "agent acme" in by_agent.text


def test_kpis_provider_sees_only_its_team(
    world: World, answers: dict[str, int], web: TestClient
) -> None:
    login(web, "supervisor@callpro.test")
    r = web.get("/kpis?brand=acme&period=day")
    assert r.status_code == 200, r.text
    assert [name for _, name in team_headers(r.text)] == ["Lille digital"]
    cases = re.search(CASES_TOTAL, r.text)
    assert cases and int(cases.group(1)) == 1
    assert "agent acme" not in web.get("/kpis?brand=acme&by=agent").text
    # a brand it does not serve is "no such page"
    assert web.get("/kpis?brand=globex").status_code == 404


def test_kpis_other_brand_sees_nothing(
    world: World, answers: dict[str, int], web: TestClient
) -> None:
    login(web, "supervisor@globex.test")
    assert web.get("/kpis?brand=acme").status_code == 404
    own = web.get("/kpis?period=30d")
    assert own.status_code == 200 and 'data-testid="no-kpis"' in own.text


def test_kpis_bad_period_named_next_to_the_field(world: World, web: TestClient) -> None:
    login(web, "supervisor@acme.test")
    r = web.get("/kpis?period=custom&start=2026-13-01")
    assert r.status_code == 422
    assert 'data-field="start"' in r.text
    r = web.get("/kpis?period=custom&start=2026-03-10&end=2026-03-01")
    assert r.status_code == 422 and 'data-field="end"' in r.text


# ---- /qa --------------------------------------------------------------------------------
def test_qa_sample_per_agent_scoped(world: World, answers: dict[str, int], web: TestClient) -> None:
    login(web, "supervisor@acme.test")
    r = web.get("/qa")
    assert r.status_code == 200, r.text
    for mid in answers.values():
        assert f'data-message="{mid}"' in r.text
    assert 'data-flag="spelling"' in r.text  # the pre-checks flag the sample already
    web.cookies.clear()
    login(web, "supervisor@callpro.test")
    r = web.get("/qa?brand=acme")
    assert r.status_code == 200, r.text
    assert f'data-message="{answers["callpro:agent"]}"' in r.text
    assert f'data-message="{answers["acme:agent"]}"' not in r.text
    assert f'data-message="{answers["callpro:unengaged"]}"' not in r.text
    assert web.get(f"/qa/answers/{answers['acme:agent']}").status_code == 404
    web.cookies.clear()
    login(web, "supervisor@globex.test")
    assert web.get(f"/qa/answers/{answers['callpro:agent']}").status_code == 404
    assert 'data-testid="no-sample"' in web.get("/qa").text


def test_qa_answer_shows_pre_checks(world: World, answers: dict[str, int], web: TestClient) -> None:
    login(web, "supervisor@acme.test")
    r = web.get(f"/qa/answers/{answers['callpro:agent']}")
    assert r.status_code == 200, r.text
    assert '<mark class="misspelt"' in r.text and ">demmande</mark>" in r.text
    assert 'data-flag="spelling"' in r.text and 'data-flag="missing_sign_off"' in r.text
    assert 'data-flag="missing_greeting"' not in r.text
    assert "Ma commande A-30001" in r.text  # the case's context


def test_qa_grading_errors_next_to_the_field_nothing_written(
    db: Database, world: World, answers: dict[str, int], web: TestClient
) -> None:
    login(web, "supervisor@callpro.test")
    mid = answers["callpro:agent"]
    page = web.get(f"/qa/answers/{mid}")
    token = csrf_of(page.text)
    bad = {f"scores.{k}": v for k, v in SCORES.items()} | {
        "scores.personalisation": "abc",
        "scores.tone": "",
        "csrf_token": token,
    }
    r = web.post(f"/qa/answers/{mid}/grade", data=bad)
    assert r.status_code == 422
    assert 'data-field="scores.personalisation"' in r.text and 'data-field="scores.tone"' in r.text
    assert 'value="abc"' in r.text  # the form is kept
    out_of_range = {f"scores.{k}": v for k, v in SCORES.items()} | {
        "scores.personalisation": "150",
        "csrf_token": token,
    }
    r = web.post(f"/qa/answers/{mid}/grade", data=out_of_range)
    assert r.status_code == 422 and 'data-field="scores.personalisation"' in r.text
    assert "from 0 to 100" in r.text
    assert count(db, QaReview) == 0
    assert count(db, Event, Event.kind == "qa.graded") == 0
    # without the CSRF token: refused
    good = {f"scores.{k}": v for k, v in SCORES.items()} | {"scores.personalisation": "70"}
    assert web.post(f"/qa/answers/{mid}/grade", data=good).status_code == 403
    # a good one is written once, with its notes in the comment, and shows in the lists
    good |= {"csrf_token": token, "note.tone": "un peu sec", "comment": "bien"}
    r = web.post(f"/qa/answers/{mid}/grade", data=good)
    assert r.status_code == 303 and r.headers["location"] == f"/qa/answers/{mid}?graded=1"
    with db.reading() as s:
        [review] = s.scalars(select(QaReview)).all()
        assert review.message_id == mid and review.reviewer_id == world.ids["callpro:supervisor"]
        assert review.comment is not None and "un peu sec" in review.comment
        assert review.auto_checks["flags"]
    summary = web.get("/qa?brand=acme").text
    assert f'data-agent="{world.ids["callpro:agent"]}"' in summary and "✓" in summary
    # the provider cannot grade the brand's own agent's answer
    r = web.post(f"/qa/answers/{answers['acme:agent']}/grade", data=good)
    assert r.status_code == 404
    assert count(db, QaReview) == 1


def test_qa_agent_cannot_post_a_grade(
    db: Database, world: World, answers: dict[str, int], web: TestClient
) -> None:
    token = login(web, "agent@acme.test")
    data = {f"scores.{k}": v for k, v in SCORES.items()} | {
        "scores.personalisation": "70",
        "csrf_token": token,
    }
    r = web.post(f"/qa/answers/{answers['callpro:agent']}/grade", data=data)
    assert r.status_code == 403
    assert count(db, QaReview) == 0


# ---- /reports ---------------------------------------------------------------------------
def test_reports_generate_list_download_audited(
    db: Database, world: World, answers: dict[str, int], app_client: TestClient
) -> None:
    login(app_client, "supervisor@acme.test")
    page = app_client.get("/reports")
    assert page.status_code == 200 and 'data-testid="no-reports"' in page.text
    token = csrf_of(page.text)
    # bad day: named next to the field, nothing made
    r = app_client.post("/reports/generate", data={"day": "2999-01-01", "csrf_token": token})
    assert r.status_code == 422 and 'data-field="day"' in r.text
    r = app_client.post("/reports/generate", data={"day": "yesterday", "csrf_token": token})
    assert r.status_code == 422 and 'data-field="day"' in r.text
    assert app_client.post("/reports/generate", data={"day": "2026-01-01"}).status_code == 403
    assert count(db, Report) == 0
    today = utcnow().date().isoformat()
    r = app_client.post("/reports/generate", data={"day": today, "csrf_token": token})
    assert r.status_code == 303 and r.headers["location"] == "/reports?made=1"
    again = app_client.post("/reports/generate", data={"day": today, "csrf_token": token})
    assert again.headers["location"] == "/reports?made=0"
    listed = app_client.get("/reports")
    with db.reading() as s:
        [report] = s.scalars(select(Report)).all()
    assert f'data-report="{report.id}"' in listed.text
    for fmt in ("html", "pdf", "csv", "xlsx"):
        f = app_client.get(f"/reports/{report.id}/{fmt}")
        assert f.status_code == 200, fmt
        assert f.headers["x-content-sha256"] == report.files[fmt]["sha256"]
    assert app_client.get(f"/reports/{report.id}/exe").status_code == 422
    with db.reading() as s:
        events = list(s.scalars(select(Event).where(Event.kind == "access.export")))
    assert sorted(e.data["format"] for e in events) == ["csv", "html", "pdf", "xlsx"]
    assert {e.actor for e in events} == {f"user:{world.ids['acme:supervisor']}"}
    assert {e.data["report"] for e in events} == {report.id}
    # another brand: not listed, not downloadable, no export event
    app_client.cookies.clear()
    login(app_client, "supervisor@globex.test")
    assert f'data-report="{report.id}"' not in app_client.get("/reports").text
    assert app_client.get(f"/reports/{report.id}/pdf").status_code == 404
    # provider staff see their engagements' reports only (not the brand's); cannot generate
    app_client.cookies.clear()
    token = login(app_client, "supervisor@callpro.test")
    assert f'data-report="{report.id}"' not in app_client.get("/reports").text
    assert app_client.get(f"/reports/{report.id}/pdf").status_code == 404
    r = app_client.post("/reports/generate", data={"day": today, "csrf_token": token})
    assert r.status_code == 403
    assert count(db, Event, Event.kind == "access.export") == 4
    # ... but their engagement's report, made by the nightly job's code, they see and get
    with db.reading() as s:
        engagement = s.scalar(select(Engagement.id).where(Engagement.team_id == world.ids["team"]))
    theirs, _ = do_generate(
        db,
        app_client.app.state.settings,
        world.ids["acme"],
        utcnow().date(),
        engagement_id=engagement,
    )
    assert theirs is not None
    assert f'data-report="{theirs.id}"' in app_client.get("/reports").text
    assert app_client.get(f"/reports/{theirs.id}/csv").status_code == 200
    with db.reading() as s:
        last = s.scalars(
            select(Event).where(Event.kind == "access.export").order_by(Event.id.desc())
        ).first()
    assert last is not None and last.actor == f"user:{world.ids['callpro:supervisor']}"
    assert last.data["engagement"] == engagement and last.data["format"] == "csv"


def test_reports_agent_refused(world: World, web: TestClient) -> None:
    login(web, "agent@acme.test")
    assert web.get("/reports").status_code == 403
