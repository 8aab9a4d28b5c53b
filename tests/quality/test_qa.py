"""QA scorecards through the API on SQLite and PostgreSQL: grids, grading with the
pre-checks, the weekly sample, scores per agent and team, and who may grade or see what
(brand supervisors grade provider agents; a provider supervisor only its own team's;
another brand sees nothing)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from omnicase.model import Organisation, Team
from omnicase.model.base import utcnow
from omnicase.security.secrets import SecretBox
from omnicase.services.orgs import do_create_engagement, do_create_token, do_create_user
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.channels.conftest import SmtpServer, email_account
from tests.factories import World
from tests.quality.helpers import answer, new_case

SCORES = {"accuracy": 90, "tone": 80, "spelling": 60, "procedure": 100, "personalisation": 50}


@pytest.fixture
def answers(
    db: Database, world: World, box: SecretBox, smtp: SmtpServer, client: TestClient
) -> dict[str, int]:
    """One answer each by the brand's agent, callpro's Lille agent and a Rabat agent
    (Rabat engaged on acme's email too, with a supervisor of its own)."""
    with db.transaction() as s:
        acme = s.scalar(select(Organisation).where(Organisation.slug == "acme"))
        provider = s.scalar(select(Organisation).where(Organisation.slug == "callpro"))
        rabat = s.get(Team, world.ids["other_team"])
        assert acme is not None and provider is not None and rabat is not None
        do_create_engagement(
            s, team=rabat, brand=acme, channels=["email"], starts_on=utcnow().date()
        )
        sup = do_create_user(
            s, provider, email="sup@rabat.test", name="Rabat sup", role="supervisor", team=rabat
        )
        world.tokens["rabat:supervisor"] = do_create_token(s, sup)[1]
    email_account(db, world, box, smtp)
    out = {}
    for i, who in enumerate(("acme:agent", "callpro:agent", "callpro:unengaged")):
        ref = new_case(db, text=f"Ma commande A-2000{i} est abîmée", email=f"q{i}@example.fr")
        out[who] = answer(
            client,
            world,
            ref,
            who=who,
            text="Bonjour, nous avons bien recu votre demande. Cordialement, Sophie",
        )
    return out


def grade(client: TestClient, world: World, who: str, message_id: int, **body: object):  # type: ignore[no-untyped-def]
    return client.post(
        "/api/v1/qa/reviews",
        json={"message_id": message_id, "scores": SCORES, **body},
        headers=auth(world.tokens[who]),
    )


def test_grids_default_and_custom(db: Database, world: World, client: TestClient) -> None:
    h = auth(world.tokens["acme:supervisor"])
    r = client.post("/api/v1/qa/grids", json={"name": "Standard"}, headers=h)
    assert r.status_code == 201, r.text
    assert [c["key"] for c in r.json()["criteria"]] == list(SCORES)
    custom = {"name": "Chat", "criteria": [{"key": "tone", "weight": 2}, {"key": "speed"}]}
    assert client.post("/api/v1/qa/grids", json=custom, headers=h).status_code == 201
    twice = {"name": "Bad", "criteria": [{"key": "tone"}, {"key": "tone"}]}
    bad = client.post("/api/v1/qa/grids", json=twice, headers=h)
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "criteria[1].key"
    listed = client.get("/api/v1/qa/grids", headers=h).json()
    assert [g["name"] for g in listed] == ["Standard", "Chat"]
    # a provider reads the brand's grids, cannot create one; an agent cannot either
    provider = client.get(
        "/api/v1/qa/grids",
        params={"brand": "acme"},
        headers=auth(world.tokens["callpro:supervisor"]),
    )
    assert provider.status_code == 200 and len(provider.json()) == 2
    assert (
        client.post(
            "/api/v1/qa/grids", json={"name": "X"}, headers=auth(world.tokens["callpro:supervisor"])
        ).status_code
        == 403
    )
    assert (
        client.post(
            "/api/v1/qa/grids", json={"name": "X"}, headers=auth(world.tokens["acme:agent"])
        ).status_code
        == 403
    )
    assert (
        client.get(
            "/api/v1/qa/grids", params={"brand": "acme"}, headers=auth(world.tokens["globex:admin"])
        ).status_code
        == 404
    )


def test_grading_stores_scores_total_and_pre_checks(
    world: World, client: TestClient, answers: dict[str, int]
) -> None:
    r = grade(client, world, "acme:supervisor", answers["callpro:agent"], comment="Bien")
    assert r.status_code == 201, r.text
    review = r.json()
    # default weights 30/20/15/20/15
    assert review["total"] == pytest.approx(
        (90 * 30 + 80 * 20 + 60 * 15 + 100 * 20 + 50 * 15) / 100
    )
    assert review["agent_id"] == world.ids["callpro:agent"]
    assert review["team_id"] == world.ids["team"]
    checks = review["auto_checks"]
    assert [m["word"] for m in checks["spelling"]] == ["recu"]
    assert checks["greeting"] and checks["sign_off"] and checks["flags"] == ["spelling"]
    five = grade(
        client,
        world,
        "acme:supervisor",
        answers["acme:agent"],
        scale="5",
        scores={k: 5 for k in SCORES} | {"tone": 3},
    )
    assert five.status_code == 201 and five.json()["scores"]["tone"] == 50.0
    missing = grade(client, world, "acme:supervisor", answers["acme:agent"], scores={"tone": 50})
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "scores.accuracy"
    out_of_range = grade(
        client, world, "acme:supervisor", answers["acme:agent"], scores=SCORES | {"tone": 120}
    )
    assert out_of_range.status_code == 422
    assert grade(client, world, "acme:agent", answers["acme:agent"]).status_code == 403


def test_provider_supervisors_grade_and_see_their_own_team_only(
    world: World, client: TestClient, answers: dict[str, int]
) -> None:
    lille, rabat = "callpro:supervisor", "rabat:supervisor"
    assert grade(client, world, lille, answers["callpro:agent"]).status_code == 201
    assert grade(client, world, lille, answers["callpro:unengaged"]).status_code == 404
    assert grade(client, world, lille, answers["acme:agent"]).status_code == 404
    assert grade(client, world, rabat, answers["callpro:unengaged"]).status_code == 201
    assert grade(client, world, rabat, answers["callpro:agent"]).status_code == 404
    assert grade(client, world, "globex:supervisor", answers["callpro:agent"]).status_code == 404
    # the brand grades everyone's
    assert grade(client, world, "acme:supervisor", answers["callpro:unengaged"]).status_code == 201

    def seen(who: str) -> list[int]:
        r = client.get(
            "/api/v1/qa/reviews", params={"brand": "acme"}, headers=auth(world.tokens[who])
        )
        assert r.status_code == 200, r.text
        return sorted(x["agent_id"] for x in r.json())

    rabat_agent = world.ids.get("callpro:unengaged")
    assert seen(lille) == [world.ids["callpro:agent"]]
    assert len(seen(rabat)) == 2 and world.ids["callpro:agent"] not in seen(rabat)
    assert rabat_agent is None or rabat_agent not in seen(lille)
    assert len(seen("acme:supervisor")) == 3
    assert (
        client.get(
            "/api/v1/qa/reviews",
            params={"brand": "acme"},
            headers=auth(world.tokens["globex:supervisor"]),
        ).status_code
        == 404
    )
    summary = client.get(
        "/api/v1/qa/summary",
        params={
            "brand": "acme",
            "start": (utcnow() - timedelta(days=1)).isoformat(),
            "end": (utcnow() + timedelta(days=1)).isoformat(),
            "by": "team",
        },
        headers=auth(world.tokens[lille]),
    )
    assert summary.status_code == 200
    [row] = summary.json()["rows"]
    assert row["key"] == world.ids["team"] and row["reviews"] == 1


def test_the_weekly_sample_is_reproducible_and_scoped(
    world: World, client: TestClient, answers: dict[str, int]
) -> None:
    week = utcnow().date().isoformat()

    def picked(who: str, seed: int = 7, per_agent: int = 1) -> dict[int, list[int]]:
        r = client.get(
            "/api/v1/qa/sample",
            params={"brand": "acme", "week": week, "seed": seed, "per_agent": per_agent},
            headers=auth(world.tokens[who]),
        )
        assert r.status_code == 200, r.text
        return {a["agent_id"]: [x["message_id"] for x in a["answers"]] for a in r.json()["agents"]}

    brand = picked("acme:supervisor")
    assert brand == picked("acme:supervisor")  # same seed, same draw
    assert set(brand) >= {world.ids["acme:agent"], world.ids["callpro:agent"]}
    assert brand[world.ids["callpro:agent"]] == [answers["callpro:agent"]]
    assert set(picked("callpro:supervisor")) == {world.ids["callpro:agent"]}
    last_week = (utcnow().date() - timedelta(days=7)).isoformat()
    r = client.get(
        "/api/v1/qa/sample",
        params={"brand": "acme", "week": last_week},
        headers=auth(world.tokens["acme:supervisor"]),
    )
    assert r.json()["agents"] == []
    bad = client.get(
        "/api/v1/qa/sample",
        params={"brand": "acme", "week": week, "per_agent": 0},
        headers=auth(world.tokens["acme:supervisor"]),
    )
    assert bad.status_code == 422


def test_the_cli_sample_is_the_api_sample(
    db: Database, world: World, client: TestClient, answers: dict[str, int]
) -> None:
    import json

    from typer.testing import CliRunner

    from omnicase.cli import app

    week = utcnow().date().isoformat()
    args = ["qa", "sample", "--brand", "acme", "--week", week, "--per-agent", "2", "--seed", "3"]
    result = CliRunner().invoke(
        app, [*args, "--user", "supervisor@callpro.test"], env={"OMNICASE_DATABASE_URL": db.url}
    )
    assert result.exit_code == 0, result.output
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [(x["agent_id"], x["message_ids"]) for x in lines] == [
        (world.ids["callpro:agent"], [answers["callpro:agent"]])
    ]
    api = client.get(
        "/api/v1/qa/sample",
        params={"brand": "acme", "week": week, "per_agent": 2, "seed": 3},
        headers=auth(world.tokens["callpro:supervisor"]),
    ).json()
    assert [a["agent_id"] for a in api["agents"]] == [x["agent_id"] for x in lines]
    bad = CliRunner().invoke(
        app, [*args, "--user", "nobody@x.test"], env={"OMNICASE_DATABASE_URL": db.url}
    )
    assert bad.exit_code != 0 and "--user" in bad.output
