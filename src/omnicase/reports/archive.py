"""Generate, store and find reports: the ``reports`` row is claimed first (unique per
brand, engagement, day and kind), so a report is made once however many workers try."""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from omnicase.config import Settings
from omnicase.model import Engagement, Event, Organisation, Report, Team
from omnicase.model.base import utcnow
from omnicase.reports.collect import collect
from omnicase.reports.data import DailyReportData
from omnicase.reports.render import FORMATS, file_name, render_all
from omnicase.services.cases import ActionError
from omnicase.store.db import Database
from omnicase.store.scope import Principal

log = logging.getLogger(__name__)
READ_ROLES = frozenset({"admin", "supervisor", "viewer", "planner"})


def reports_dir(settings: Settings) -> Path:
    return Path(settings.data_dir) / "reports"


def write_files(d: DailyReportData, out_dir: Path) -> dict[str, dict[str, Any]]:
    """Render every format into ``out_dir``; name, sha256 and size of each file."""
    out_dir.mkdir(parents=True, exist_ok=True)
    files: dict[str, dict[str, Any]] = {}
    for fmt, data in render_all(d).items():
        name = file_name(d, fmt)
        (out_dir / name).write_bytes(data)
        files[fmt] = {"name": name, "sha256": hashlib.sha256(data).hexdigest(), "size": len(data)}
    return files


@dataclass(frozen=True, slots=True)
class Claimed:
    report_id: int
    fresh: bool  # False: another run made (or is making) it


def claim(
    db: Database, brand_id: int, engagement_id: int | None, day: date, kind: str = "daily"
) -> Claimed:
    """Insert the report's row (status generating) in its own transaction; the unique
    index makes a second claimer lose. A failed report can be claimed again."""
    try:
        with db.transaction() as session:
            row = Report(
                brand_id=brand_id,
                engagement_id=engagement_id,
                day=day,
                kind=kind,
                status="generating",
                files={},
                emailed=0,
            )
            session.add(row)
            session.flush()
            return Claimed(row.id, True)
    except IntegrityError:
        pass
    with db.transaction() as session:
        cond = [Report.brand_id == brand_id, Report.day == day, Report.kind == kind]
        cond.append(
            Report.engagement_id.is_(None)
            if engagement_id is None
            else Report.engagement_id == engagement_id
        )
        existing = session.scalar(select(Report).where(*cond))
        assert existing is not None
        # retry a failed one: the conditional update lets one claimer through
        taken = session.execute(
            update(Report)
            .where(Report.id == existing.id, Report.status == "failed")
            .values(status="generating", error=None, updated_at=utcnow())
        )
        return Claimed(existing.id, bool(getattr(taken, "rowcount", 0)))


def do_generate(
    db: Database,
    settings: Settings,
    brand_id: int,
    day: date,
    *,
    engagement_id: int | None = None,
    now: datetime | None = None,
) -> tuple[Report | None, DailyReportData | None]:
    """Claim, collect, render, store. (None, None) when another run has it."""
    claimed = claim(db, brand_id, engagement_id, day)
    if not claimed.fresh:
        return None, None
    try:
        with db.reading() as session:
            data = collect(session, brand_id, day, engagement_id=engagement_id, now=now)
        rel = Path(data.brand) / day.isoformat()
        files = write_files(data, reports_dir(settings) / rel)
        for f in files.values():
            f["path"] = str(rel / f["name"])
    except Exception as exc:
        with db.transaction() as session:
            row = session.get(Report, claimed.report_id)
            assert row is not None
            row.status = "failed"
            row.error = f"{type(exc).__name__}: {exc}"[:4000]
        raise
    with db.transaction() as session:
        row = session.get(Report, claimed.report_id)
        assert row is not None
        row.status = "ready"
        row.files = files
        session.add(
            Event(
                brand_id=brand_id,
                kind="report.generated",
                actor="system",
                at=utcnow(),
                data={"report": row.id, "day": day.isoformat(), "engagement": engagement_id},
            )
        )
        session.flush()
        session.expunge(row)
    return row, data


# ---- reading, through the access rule ---------------------------------------------------
def _visible_engagements(session: Session, who: Principal, today: date) -> list[int]:
    query = (
        select(Engagement.id)
        .join(Team, Team.id == Engagement.team_id)
        .where(
            Team.organisation_id == who.organisation_id,
            Engagement.starts_on <= today,
            or_(Engagement.ends_on.is_(None), Engagement.ends_on >= today),
        )
    )
    if who.role != "admin":
        if who.team_id is None:
            return []
        query = query.where(Engagement.team_id == who.team_id)
    return list(session.scalars(query))


def report_filter(session: Session, who: Principal, today: date | None = None) -> Any:
    """Brand staff: their brand's reports; provider staff: their engagements' only."""
    if who.role not in READ_ROLES:
        raise ActionError(f"the {who.role} role cannot read reports", status=403)
    if who.is_brand_staff:
        return Report.brand_id == who.organisation_id
    return Report.engagement_id.in_(
        _visible_engagements(session, who, today or date.today()) or [-1]
    )


def list_reports(
    session: Session,
    who: Principal,
    *,
    day: date | None = None,
    before: int | None = None,
    limit: int = 100,
) -> list[Report]:
    query = select(Report).where(report_filter(session, who), Report.status == "ready")
    if day is not None:
        query = query.where(Report.day == day)
    if before is not None:
        query = query.where(Report.id < before)
    return list(session.scalars(query.order_by(Report.id.desc()).limit(limit)))


def get_report(session: Session, who: Principal, report_id: int) -> Report:
    row = session.scalar(select(Report).where(Report.id == report_id, report_filter(session, who)))
    if row is None or row.status != "ready":
        raise ActionError("no such report", status=404)
    return row


def report_file(settings: Settings, row: Report, fmt: str) -> tuple[Path, dict[str, Any]]:
    if fmt not in FORMATS:
        raise ActionError(
            f"unknown format (one of {', '.join(FORMATS)})", field="format", status=422
        )
    info = (row.files or {}).get(fmt)
    if info is None:
        raise ActionError(f"this report has no {fmt} file", field="format", status=404)
    path = reports_dir(settings) / info["path"]
    if not path.exists():
        raise ActionError("the report's file is missing from the archive", status=410)
    return path, info


def do_record_export(
    db: Database, who: Principal, row: Report, fmt: str, client: str | None
) -> None:
    """Every download is an ``access.export`` event in the brand's log (anyone's)."""
    with db.transaction() as session:
        session.add(
            Event(
                brand_id=row.brand_id,
                kind="access.export",
                actor=who.actor,
                at=utcnow(),
                data={
                    "organisation": who.organisation_id,
                    "role": who.role,
                    "client": client,
                    "report": row.id,
                    "engagement": row.engagement_id,
                    "day": row.day.isoformat(),
                    "format": fmt,
                },
            )
        )


def brand_id_of(session: Session, slug: str) -> int:
    bid = session.scalar(
        select(Organisation.id).where(Organisation.slug == slug, Organisation.kind == "brand")
    )
    if bid is None:
        raise ActionError(f"no brand {slug!r}", field="brand", status=404)
    return bid
