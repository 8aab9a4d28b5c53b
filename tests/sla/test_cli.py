"""``omnicase sla check`` and ``omnicase sla explain REF``."""

from __future__ import annotations

import json
from datetime import timedelta

from typer.testing import CliRunner

from omnicase.cli import app
from omnicase.ingest.pipeline import ingest_one
from omnicase.model import Case
from omnicase.services.cases import do_patch_case
from omnicase.store.db import Database
from tests.factories import make_world, message
from tests.sla.helpers import paris, who

runner = CliRunner()


def test_check_then_explain(db: Database) -> None:
    world = make_world(db)
    arrival = paris(2026, 11, 6, 17, 50)
    r = ingest_one(
        db, message(channel="email", at=arrival, email="j@example.fr", external_id="<j1>")
    )
    with db.transaction() as s:
        row = s.get(Case, r.case_id)
        assert row is not None
        do_patch_case(
            s,
            row,
            {"status": "pending"},
            who(db, world.ids["acme:agent"]),
            now=arrival + timedelta(days=3),
        )
    ingest_one(
        db,
        message(
            channel="email",
            at=arrival + timedelta(days=4),
            email="j@example.fr",
            text="Je vous renvoie la facture.",
            in_reply_to="<j1>",
        ),
    )
    env = {"OMNICASE_DATABASE_URL": db.url}
    done = runner.invoke(app, ["sla", "check"], env=env)
    assert done.exit_code == 0, done.stderr
    assert json.loads(done.stdout)["breached"] == 1  # long past due by now

    shown = runner.invoke(app, ["sla", "explain", r.reference], env=env)
    assert shown.exit_code == 0, shown.stderr
    assert "name: default email" in shown.stdout
    assert "time: business hours" in shown.stdout
    assert "country: FR" in shown.stdout
    info = json.loads(runner.invoke(app, ["sla", "explain", r.reference, "--json"], env=env).stdout)
    # pending from Monday 17:50 to Tuesday 17:50: 9 business hours paused
    assert info["paused_seconds"] == 9 * 3600
    assert info["clocks"]["first_response"]["stage"] == "breached"
    assert [e["kind"] for e in info["events"]] == ["sla.breached"]

    missing = runner.invoke(app, ["sla", "explain", "AC-999999"], env=env)
    assert missing.exit_code == 2
