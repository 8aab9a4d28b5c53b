"""The dead-letter API and CLI: a brand's admins see and retry their brand's failed jobs;
provider staff and other roles see none; the operator's CLI sees every job."""

from __future__ import annotations

import json

from fastapi import HTTPException
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from omnicase.api.app import create_app
from omnicase.api.deps import Writer
from omnicase.cli import app
from omnicase.jobs import defer
from omnicase.jobs.service import list_jobs
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.factories import make_world
from tests.jobs.helpers import drain, drain_until, failed_ids


def _dead_jobs(db: Database, brand_id: int, other_brand: int) -> tuple[int, int, int]:
    mine = defer(db, "test.fail", fail_times=3, brand_id=brand_id)
    theirs = defer(db, "test.fail", brand_id=other_brand)
    platform = defer(db, "test.fail")
    # three runs each: 0.3 s, then 0.6 s of backoff
    assert drain_until(db, lambda: failed_ids(db) == {mine, theirs, platform})
    return mine, theirs, platform


def test_brand_admin_lists_and_retries_her_failed_jobs(db: Database, client: TestClient) -> None:
    world = make_world(db)
    mine, theirs, _ = _dead_jobs(db, world.ids["acme"], world.ids["globex"])
    admin = auth(world.tokens["acme:admin"])

    page = client.get("/api/v1/jobs?status=failed", headers=admin)
    assert page.status_code == 200, page.text
    items = page.json()["items"]
    assert [j["id"] for j in items] == [mine]
    assert items[0]["status"] == "failed" and items[0]["attempts"] == 3
    assert items[0]["last_error"].startswith("RuntimeError: boom on attempt 3")
    assert items[0]["arguments"] == {"fail_times": 3, "brand_id": world.ids["acme"]}

    assert client.post(f"/api/v1/jobs/{theirs}/retry", headers=admin).status_code == 404
    retried = client.post(f"/api/v1/jobs/{mine}/retry", headers=admin)
    assert retried.status_code == 200 and retried.json()["status"] == "todo"
    again = client.post(f"/api/v1/jobs/{mine}/retry", headers=admin)
    assert again.status_code == 409 and "only a failed job" in again.json()["detail"]
    drain(db)
    done = client.get("/api/v1/jobs?status=succeeded", headers=admin).json()["items"]
    assert [(j["id"], j["attempts"]) for j in done] == [(mine, 4)]

    log = client.get("/api/v1/audit-log?kind=job.", headers=admin).json()["items"]
    assert [(e["kind"], e["actor"]) for e in log] == [
        ("job.retried", f"user:{world.ids['acme:admin']}")
    ]


def test_only_brand_admins_see_jobs(db: Database, client: TestClient) -> None:
    world = make_world(db)
    _, theirs, _ = _dead_jobs(db, world.ids["acme"], world.ids["globex"])
    for who in ("acme:supervisor", "acme:agent", "callpro:admin", "callpro:agent"):
        headers = auth(world.tokens[who])
        assert client.get("/api/v1/jobs", headers=headers).status_code == 403, who
        assert client.post(f"/api/v1/jobs/{theirs}/retry", headers=headers).status_code in (
            403,
            404,
        )
    globex = client.get("/api/v1/jobs", headers=auth(world.tokens["globex:admin"])).json()
    assert [j["id"] for j in globex["items"]] == [theirs]
    bad = client.get("/api/v1/jobs?cursor=nope", headers=auth(world.tokens["globex:admin"]))
    assert bad.status_code == 422


def test_jobs_page_by_cursor(db: Database, client: TestClient) -> None:
    world = make_world(db)
    ids = [defer(db, "test.record", value=str(n), brand_id=world.ids["acme"]) for n in range(5)]
    admin = auth(world.tokens["acme:admin"])
    first = client.get("/api/v1/jobs?limit=3", headers=admin).json()
    second = client.get(f"/api/v1/jobs?limit=3&cursor={first['next_cursor']}", headers=admin)
    got = [j["id"] for j in first["items"]] + [j["id"] for j in second.json()["items"]]
    assert got == ids[::-1] and second.json()["next_cursor"] is None


def test_operator_cli_lists_and_retries_every_job(db: Database) -> None:
    world = make_world(db)
    mine, theirs, platform = _dead_jobs(db, world.ids["acme"], world.ids["globex"])
    runner = CliRunner()
    env = {"OMNICASE_DATABASE_URL": db.url}
    listed = runner.invoke(app, ["jobs", "list", "--status", "failed", "--json"], env=env)
    assert listed.exit_code == 0, listed.stderr
    listed_ids = {json.loads(line)["id"] for line in listed.stdout.splitlines()}
    assert listed_ids == {mine, theirs, platform}
    table = runner.invoke(app, ["jobs", "list", "--status", "failed"], env=env)
    assert "boom on attempt 3" in table.stdout
    done = runner.invoke(app, ["jobs", "retry", str(platform)], env=env)
    assert done.exit_code == 0 and "todo" in done.stderr
    refused = runner.invoke(app, ["jobs", "retry", str(platform)], env=env)
    assert refused.exit_code == 2 and "only a failed job" in refused.stderr
    missing = runner.invoke(app, ["jobs", "retry", "999999"], env=env)
    assert missing.exit_code == 2 and "no such job" in missing.stderr
    bad = runner.invoke(app, ["jobs", "list", "--status", "dead"], env=env)
    assert bad.exit_code == 2 and "status" in bad.stderr


def test_a_failed_request_enqueues_nothing(db: Database) -> None:
    """A job deferred in the request's transaction exists only if the request commits."""
    world = make_world(db)
    api = create_app(db)

    @api.post("/test/defer")
    def defer_then(auth: Writer, fail: bool) -> dict[str, int]:
        session, _ = auth
        job_id = defer(session, "test.record", value="fail" if fail else "ok")
        if fail:
            raise HTTPException(409, "refused after deferring")
        session.commit()
        return {"job": job_id}

    headers = auth(world.tokens["acme:agent"])
    with TestClient(api) as client:
        assert client.post("/test/defer?fail=true", headers=headers).status_code == 409
        ok = client.post("/test/defer?fail=false", headers=headers)
    assert ok.status_code == 200
    with db.reading() as s:
        assert [j.id for j in list_jobs(s, None)] == [ok.json()["job"]]
