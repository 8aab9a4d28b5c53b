"""The ``omnicase`` command, run as a user would (typer's runner, real database file)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from omnicase.cli import app
from omnicase.model import Case, Event, Message, QuarantinedInput
from omnicase.store.db import Database
from tests.factories import message

runner = CliRunner()


@pytest.fixture
def url(db: Database) -> str:
    return db.url


def run(url: str, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, [*args], env={"OMNICASE_DATABASE_URL": url})
    return result.exit_code, result.stdout, result.stderr


def test_org_users_tokens(url: str) -> None:
    code, _, err = run(
        url,
        "org",
        "create",
        "acme",
        "--name",
        "Acme Mode",
        "--region",
        "FR",
        "--order-pattern",
        r"A-\d{5}",
    )
    assert code == 0, err
    assert "AC-000001" in err
    code, _, err = run(url, "org", "create", "acme", "--name", "again")
    assert code == 2 and "exists already" in err
    code, _, err = run(url, "org", "create", "bad", "--name", "x", "--region", "ZZ")
    assert code == 2 and "region" in err
    code, _, err = run(
        url,
        "users",
        "create",
        "acme",
        "sophie@acme.test",
        "--name",
        "Sophie",
        "--role",
        "agent",
        "--team",
        "Service client",
    )
    assert code == 0, err
    code, _, err = run(
        url, "users", "create", "acme", "x@acme.test", "--name", "X", "--role", "boss"
    )
    assert code == 2 and "role" in err
    code, out, err = run(url, "tokens", "create", "sophie@acme.test")
    assert code == 0 and out.strip().startswith("oc_")


@pytest.mark.parametrize("workers", ["0", "1"])
def test_ingest_file_reports_invalid_lines_and_keeps_them(
    url: str, db: Database, tmp_path: Path, workers: str
) -> None:
    assert run(url, "org", "create", "acme", "--name", "Acme")[0] == 0
    good = [
        json.loads(
            message(email=f"c{i}@example.fr", text=f"Commande A-1000{i}").model_dump_json(
                by_alias=True
            )
        )
        for i in range(3)
    ]
    lines = [
        json.dumps(good[0]),
        "{not json",
        json.dumps({**good[1], "colour": "red"}),
        "",
        json.dumps(good[2]),
        json.dumps({**good[0]}),
        json.dumps({**good[1], "brand": "nope", "external_id": "x1"}),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(url, "ingest", str(path), "--workers", workers)
    assert code == 1  # some lines were invalid
    summary = json.loads(out)
    assert (summary["new"], summary["duplicate"], summary["invalid"]) == (2, 1, 3)
    reasons = {i["line"]: i["reason"] for i in summary["invalid_lines"]}
    assert set(reasons) == {2, 3, 7}
    assert "not JSON" in reasons[2]
    assert "colour: unknown field" in reasons[3]
    assert "no brand named 'nope'" in reasons[7]
    assert "line 2" in err
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Message)) == 2
        quarantined = s.scalars(select(QuarantinedInput)).all()
        assert len(quarantined) == 3 and quarantined[0].payload
    # a second run changes nothing
    code, out, _ = run(url, "ingest", str(path))
    assert json.loads(out)["new"] == 0


def test_export_cases_jsonl(url: str, db: Database, tmp_path: Path) -> None:
    assert (
        run(url, "org", "create", "acme", "--name", "Acme", "--order-pattern", r"A-\d{5}")[0] == 0
    )
    msgs = [
        message(email="e@example.fr", external_id="<e1@x>", text="Commande A-12345 pas reçue"),
        message(
            channel="sms",
            phone="0611223344",
            external_id="s1",
            minutes=5,
            text="C'est pour la commande A-12345",
        ),
        message(email="f@example.fr", external_id="<f1@x>", text="Code promo refusé"),
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("\n".join(m.model_dump_json(by_alias=True) for m in msgs), encoding="utf-8")
    assert run(url, "ingest", str(path))[0] == 0
    code, out, _ = run(url, "export", "cases", "--format", "jsonl")
    assert code == 0
    rows = [json.loads(line) for line in out.splitlines()]
    assert len(rows) == 2
    first = next(r for r in rows if "<e1@x>" in r["external_ids"])
    assert first["external_ids"] == ["<e1@x>", "s1"]
    assert first["channels"] == ["email", "sms"] and first["brand"] == "acme"
    assert first["reference"].startswith("AC-")
    with db.reading() as s:
        assert s.scalar(select(func.count()).select_from(Case)) == 2
        audit = s.scalars(select(Event).where(Event.kind == "access.export")).all()
        assert [(e.actor, e.data["count"]) for e in audit] == [("cli", 2)]
    code, out, _ = run(url, "cases", "show", first["reference"])
    assert code == 0
    assert "A-12345" in out and "sms" in out and "order_number" in out
    code, _, err = run(url, "cases", "show", "AC-999999")
    assert code == 2 and "no case" in err


@pytest.mark.slow
def test_demo_is_idempotent(url: str, db: Database) -> None:
    code, out, err = run(url, "demo", "--messages", "600", "--days", "5")
    assert code == 0, err
    first = json.loads(out)
    assert first["messages"]["created"] >= 590
    with db.reading() as s:
        counts = (
            s.scalar(select(func.count()).select_from(Message)),
            s.scalar(select(func.count()).select_from(Case)),
        )
    code, out, _ = run(url, "demo", "--messages", "600", "--days", "5")
    second = json.loads(out)
    assert second["messages"]["created"] == 0 and second["cases_queued"] == 0
    with db.reading() as s:
        assert (
            s.scalar(select(func.count()).select_from(Message)),
            s.scalar(select(func.count()).select_from(Case)),
        ) == counts
