"""The morning run: at the brand's local ``daily_at`` the schedule defers yesterday's
reports (the brand's and each contracted engagement's), the job makes each once and
emails the PDF over SMTP to a real loopback server (SQLite and PostgreSQL)."""

from __future__ import annotations

import email
from datetime import UTC, datetime
from email.message import EmailMessage
from email.policy import default

import pytest
from sqlalchemy import select, update

from omnicase.config import Settings
from omnicase.jobs import defer
from omnicase.model import EngagementContract, Organisation, Report
from omnicase.reports.archive import claim, do_generate
from omnicase.reports.jobs import due_reports
from omnicase.security.secrets import SecretBox
from omnicase.store.db import Database
from tests.channels.conftest import SmtpServer, email_account
from tests.jobs.helpers import drain
from tests.reports.dataset import DAY, build

pytestmark = pytest.mark.processes


def _setup(db: Database) -> None:
    with db.transaction() as s:
        s.execute(
            update(Organisation)
            .where(Organisation.slug == "acme")
            .values(
                settings={
                    "order_patterns": [r"A-\d{5}"],
                    "reports": {"daily_at": "07:00", "recipients": ["direction@acme.example"]},
                }
            )
        )
        s.add(
            EngagementContract(
                engagement_id=1,
                objectives={"response_rate": 0.9},
                rules={"kpis": {"response_rate": {"per_point_below": 10}}},
                recipients=["pilotage@callpro.example", "ops@acme.example"],
            )
        )


def test_the_morning_run_makes_each_report_once_and_mails_the_pdf(
    db: Database, settings: Settings, box: SecretBox, smtp: SmtpServer
) -> None:
    data = build(db)
    email_account(db, data.world, box, smtp)
    _setup(db)
    acme = data.world.ids["acme"]
    # 06:30 in Paris: not yet; 07:15: acme's two reports of the day before; London is
    # still at 06:15 (and globex has neither recipients nor contracts, but its report is due
    # at its own 07:00)
    assert due_reports(db, datetime(2026, 11, 4, 5, 30, tzinfo=UTC)) == []
    due = due_reports(db, datetime(2026, 11, 4, 6, 15, tzinfo=UTC))
    assert due == [(acme, None, DAY), (acme, 1, DAY)]

    stamp = int(datetime(2026, 11, 4, 6, 15, tzinfo=UTC).timestamp())
    defer(db, "reports.schedule", timestamp=stamp)
    drain(db, ["reports"], periodic=False)
    drain(db, ["reports"], periodic=False)
    with db.reading() as s:
        rows = s.scalars(select(Report).order_by(Report.id)).all()
    assert [(r.engagement_id, r.status, r.emailed) for r in rows] == [
        (None, "ready", 1),
        (1, "ready", 2),
    ]
    assert all(set(r.files) == {"html", "pdf", "csv", "xlsx"} for r in rows)

    got = sorted(smtp.recorder.messages, key=lambda m: m.rcpt_tos[0])
    assert [m.rcpt_tos for m in got] == [
        ["direction@acme.example"],
        ["ops@acme.example"],
        ["pilotage@callpro.example"],
    ]
    msg = email.message_from_bytes(got[0].content, policy=default)
    assert isinstance(msg, EmailMessage)
    assert (
        msg["Subject"] == "Rapport quotidien du service client · Acme Mode · mardi 3 novembre 2026"
    )
    assert msg["From"] == "Acme Service client <service@acme.example>"
    [pdf] = list(msg.iter_attachments())
    assert pdf.get_content_type() == "application/pdf"
    assert pdf.get_filename() == f"daily-acme-{DAY.isoformat()}.pdf"
    assert pdf.get_content().startswith(b"%PDF-")
    assert smtp.recorder.logins[0][0] == "acme-mailer"

    # the next periods find them made: nothing deferred, nothing sent twice
    assert due_reports(db, datetime(2026, 11, 4, 6, 30, tzinfo=UTC)) == []
    assert do_generate(db, settings, acme, DAY) == (None, None)
    assert len(smtp.recorder.messages) == 3


def test_one_claim_wins_and_a_failed_report_can_be_claimed_again(db: Database) -> None:
    data = build(db)
    acme = data.world.ids["acme"]
    first = claim(db, acme, None, DAY)
    assert first.fresh and not claim(db, acme, None, DAY).fresh
    assert claim(db, acme, 1, DAY).fresh  # the engagement's report is another row
    with db.transaction() as s:
        s.execute(update(Report).where(Report.id == first.report_id).values(status="failed"))
    # the schedule leaves a fresh failure alone for an hour, then defers it again
    with db.transaction() as s:
        s.execute(
            update(Report)
            .where(Report.id == first.report_id)
            .values(updated_at=datetime(2026, 11, 4, 6, 0, tzinfo=UTC))
        )
    soon, later = datetime(2026, 11, 4, 6, 30, tzinfo=UTC), datetime(2026, 11, 4, 7, 5, tzinfo=UTC)
    assert (acme, None, DAY) not in due_reports(db, soon)
    assert (acme, None, DAY) in due_reports(db, later)
    again = claim(db, acme, None, DAY)
    assert again.fresh and again.report_id == first.report_id
    assert not claim(db, acme, None, DAY).fresh


def test_a_report_without_recipients_or_smtp_account_is_archived_not_mailed(
    db: Database, settings: Settings
) -> None:
    data = build(db)
    defer(db, "reports.daily", brand_id=data.world.ids["acme"], day=DAY.isoformat())
    drain(db, ["reports"], periodic=False)
    with db.reading() as s:
        [row] = s.scalars(select(Report)).all()
    assert (row.status, row.emailed) == ("ready", 0)
