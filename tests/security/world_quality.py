"""The quality and reporting part of the access world: CSAT surveys (public pages by
token), QA grids and reviews, inconsistencies, macros and daily reports (one file on
disk each) in every scope, so the walk fills their path parameters with values of every
scope and their lists and files carry markers.
"""

from __future__ import annotations

import hashlib
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy import select

from omnicase.model import Organisation
from omnicase.model.consistency import Inconsistency, Macro
from omnicase.model.orgs import Engagement
from omnicase.model.quality import QaGrid, QaReview, Survey
from omnicase.model.reports import Report
from omnicase.store.db import Database

if TYPE_CHECKING:
    from tests.security.world import Seeded


def _remember(out: Seeded, param: str, value: str, scope: str) -> None:
    out.refs.setdefault(param, []).append(value)
    out.owner[(param, value)] = scope


def seed_quality(db: Database, out: Seeded, data_dir: Path) -> None:
    ids = out.world.ids
    with db.transaction() as s:
        brands = {o.slug: o.id for o in s.scalars(select(Organisation))}
        grids: dict[str, int] = {}
        for slug in ("acme", "globex"):
            grid = QaGrid(brand_id=brands[slug], name=f"grid {slug}", criteria=[])
            macro = Macro(
                brand_id=brands[slug],
                title=f"macro {slug}",
                body=f"the {slug} answer",
                created_by="walk",
            )
            s.add_all([grid, macro])
            s.flush()
            grids[slug] = grid.id
        for scope, rows in out.cases.items():
            brand, channel = scope.split(":")
            case_id, message_id, customer_id = rows[0]
            mark = f"MARK-{brand}-{channel}-1"
            survey = Survey(
                brand_id=brands[brand],
                case_id=case_id,
                customer_id=customer_id,
                channel=channel,
                token=f"walk-survey-{brand}-{channel}-0123456789abcdef",
            )
            finding = Inconsistency(
                brand_id=brands[brand],
                case_id=case_id,
                message_id=message_id,
                kind="amount",
                detail={"said": f"{mark} inconsistency"},
            )
            review = QaReview(
                brand_id=brands[brand],
                case_id=case_id,
                message_id=message_id,
                reviewer_id=ids[f"{brand}:supervisor"],
                grid_id=grids[brand],
                scores={"accuracy": 80.0},
                total=80.0,
                comment=f"review of {mark}",
            )
            s.add_all([survey, finding, review])
            s.flush()
            _remember(out, "token", survey.token, scope)
            _remember(out, "row_id", str(finding.id), scope)
            _remember(out, "review_id", str(review.id), scope)
        engaged = s.scalar(
            select(Engagement.id).where(
                Engagement.brand_id == brands["acme"], Engagement.team_id == ids["team"]
            )
        )
        # (brand, engagement, the scope whose marker the file carries)
        for brand, engagement, scope in (
            ("acme", None, "acme:phone"),
            ("globex", None, "globex:email"),
            ("acme", engaged, "acme:email"),
        ):
            data = f"report of MARK-{scope.replace(':', '-')}-1".encode()
            report = Report(
                brand_id=brands[brand],
                engagement_id=engagement,
                day=date(2026, 11, 2),
                status="ready",
            )
            s.add(report)
            s.flush()
            path = Path("walk") / f"{report.id}.csv"
            (data_dir / "reports" / "walk").mkdir(parents=True, exist_ok=True)
            (data_dir / "reports" / path).write_bytes(data)
            report.files = {
                "csv": {
                    "name": f"{report.id}.csv",
                    "sha256": hashlib.sha256(data).hexdigest(),
                    "size": len(data),
                    "path": str(path),
                }
            }
            _remember(out, "report_id", str(report.id), scope)
    out.refs["fmt"] = ["csv", "html"]
