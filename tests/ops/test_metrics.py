"""``/metrics``: ingestion counted where the pipeline answers, latency by route template,
database gauges at scrape time, no personal data, and the multi-process mode."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from omnicase.api.app import create_app
from omnicase.ingest.pipeline import ingest, ingest_stream
from omnicase.jobs import defer
from omnicase.model import Case, QuarantinedInput
from omnicase.model.base import utcnow
from omnicase.model.cases import OPEN_STATUSES
from omnicase.store.db import Database
from tests.api.conftest import auth
from tests.factories import make_world, message
from tests.jobs import sample_jobs  # noqa: F401  (declares test.record)

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def scrape(client: TestClient) -> tuple[str, Samples]:
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    samples: Samples = {}
    for family in text_string_to_metric_families(response.text):
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    return response.text, samples


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def ingested(samples: Samples, channel: str, result: str) -> float:
    return value(samples, "omnicase_messages_ingested_total", channel=channel, result=result)


def payload(**kw: str) -> dict[str, object]:
    return message(**kw).model_dump(mode="json", by_alias=True)


def test_messages_ingested_by_channel_and_result(db: Database, client: TestClient) -> None:
    world = make_world(db)
    h = auth(world.tokens["acme:agent"])
    _, before = scrape(client)
    first = payload(channel="sms", phone="+33612345678", text="Commande A-12345 pas reçue")
    assert client.post("/api/v1/messages", json=first, headers=h).status_code == 201
    assert client.post("/api/v1/messages", json=first, headers=h).status_code == 200
    second = payload(channel="email", email="zoe@example.fr")
    assert client.post("/api/v1/messages", json=second, headers=h).status_code == 201
    # Through the pipeline directly: an unknown brand, and (stream) a line failing the schema.
    assert ingest(db, [message(brand="nope", channel="chat", chat="v1")])[0].status == "invalid"
    broken = {"brand": "acme", "channel": "whatsapp", "colour": "blue"}
    garbage = {"channel": "<script>", "text": "x"}
    unhashable = {"channel": ["sms"], "text": "x"}
    statuses = [r.status for r in ingest_stream(db, [broken, garbage, unhashable])]
    assert statuses == ["invalid"] * 3
    _, after = scrape(client)

    def delta(channel: str, result: str) -> float:
        return ingested(after, channel, result) - ingested(before, channel, result)

    assert delta("sms", "new") == 1 and delta("sms", "duplicate") == 1
    assert delta("email", "new") == 1
    assert delta("chat", "invalid") == 1 and delta("whatsapp", "invalid") == 1
    assert delta("unknown", "invalid") == 2  # never the raw, unbounded value
    assert not any("<script>" in dict(labels).get("channel", "") for _, labels in after)


def test_request_latency_by_route_template(db: Database, client: TestClient) -> None:
    world = make_world(db)
    h = auth(world.tokens["acme:agent"])
    for ref in ("AC-000001", "AC-000002", "AC-999999"):
        client.get(f"/api/v1/cases/{ref}", headers=h)
    client.get("/no/such/path/123")
    text, samples = scrape(client)
    count = value(
        samples,
        "omnicase_http_request_duration_seconds_count",
        route="/api/v1/cases/{reference}",
        method="GET",
        status="404",
    )
    assert count >= 3
    assert "AC-00000" not in text and "/no/such/path" not in text
    assert value(
        samples,
        "omnicase_http_request_duration_seconds_count",
        route="<unmatched>",
        method="GET",
        status="404",
    )


def min_id(session: Session) -> int:
    return int(session.scalar(select(func.min(Case.id))) or 0)


def test_gauges_read_the_database_at_scrape_time(db: Database, client: TestClient) -> None:
    world = make_world(db)
    h = auth(world.tokens["acme:agent"])
    for i in range(3):
        body = payload(email=f"client{i}@example.fr", text=f"Commande A-1234{i} perdue")
        assert client.post("/api/v1/messages", json=body, headers=h).status_code == 201
    with db.transaction() as s:
        s.add(QuarantinedInput(source="test", payload="{", error="not JSON", received_at=utcnow()))
        open_cases = s.scalar(
            select(func.count()).select_from(Case).where(Case.status.in_(OPEN_STATUSES))
        )
    text, samples = scrape(client)
    assert value(samples, "omnicase_database_up") == 1
    backlog = sum(
        v
        for (name, labels), v in samples.items()
        if name == "omnicase_open_cases" and dict(labels)["brand"] == "acme"
    )
    assert backlog == open_cases == 3
    assert value(samples, "omnicase_open_cases", brand="acme", queue="default", status="new") == 3
    with db.transaction() as s:
        s.execute(update(Case).where(Case.id == min_id(s)).values(queue="returns"))
    _, samples = scrape(client)
    assert value(samples, "omnicase_open_cases", brand="acme", queue="returns", status="new") == 1
    assert value(samples, "omnicase_quarantine_size") == 1
    # ids and vocabularies only: no address, phone or text from the messages
    assert "@" not in text and "example.fr" not in text and "perdue" not in text


def test_unreachable_database_still_answers_the_scrape(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path}/never-migrated.db")
    with TestClient(create_app(db)) as client:
        _, samples = scrape(client)
    assert value(samples, "omnicase_database_up") == 0


SCRIPT = """
import json, sys
from fastapi.testclient import TestClient
from omnicase.api.app import create_app
from omnicase.ingest.pipeline import ingest
from omnicase.store.db import Database
from tests.factories import message

db = Database(sys.argv[1])
if sys.argv[2] == "ingest":
    ingest(db, [message(brand="nobrand", channel="x", x="someone")] * int(sys.argv[3]))
else:
    print(TestClient(create_app(db)).get("/metrics").text)
"""


def test_multiprocess_mode_sums_every_process(tmp_path: Path, db: Database) -> None:
    """Two processes ingest, a third answers the scrape with the sum of both."""
    metrics_dir = tmp_path / "prom"
    metrics_dir.mkdir()
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(metrics_dir)}
    root = Path(__file__).resolve().parents[2]

    def run(*args: str) -> str:
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, db.url, *args],
            env=env,
            cwd=root,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    run("ingest", "2")
    run("ingest", "3")
    samples: Samples = {}
    for family in text_string_to_metric_families(run("scrape")):
        for s in family.samples:
            samples[(s.name, frozenset(s.labels.items()))] = s.value
    assert ingested(samples, "x", "invalid") == 5
    assert value(samples, "omnicase_database_up") == 1


def test_job_queues_and_service_levels_at_scrape_time(db: Database, client: TestClient) -> None:
    """Jobs due and waiting, the oldest one's lag and dead letters per queue; open cases
    by SLA state — on both job backends."""
    world = make_world(db)
    h = auth(world.tokens["acme:agent"])
    body = payload(email="lag@example.fr", text="Bonjour, une question")
    assert client.post("/api/v1/messages", json=body, headers=h).status_code == 201
    now = utcnow()
    defer(db, "test.record", value="waiting", run_at=now - timedelta(seconds=90))
    defer(db, "test.record", value="later", run_at=now + timedelta(hours=1))
    _, samples = scrape(client)
    assert value(samples, "omnicase_jobs_waiting", queue="test") == 1
    assert 89 <= value(samples, "omnicase_job_lag_seconds", queue="test") < 600
    assert value(samples, "omnicase_jobs_dead", queue="test") == 0
    assert value(samples, "omnicase_sla_cases", brand="acme", state="ok") == 1
    with db.transaction() as s:
        s.execute(update(Case).values(sla_state="breached"))
    _, samples = scrape(client)
    assert value(samples, "omnicase_sla_cases", brand="acme", state="breached") == 1
